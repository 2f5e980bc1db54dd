"""Reading a portal map's file (or a person's repairs of one): strict YAML, and every problem
named with its file, line and column.

A map is read as profiles are (`assistant.profiles.yamlstrict`): anchors and aliases are refused
(310 bytes of nested aliases grew `plan` past 3.8 GB), and so are explicit tags and merge keys
(`<<`), each naming its file, line and column. Errors read like profile errors,
`file:line:col: dotted.path: message`, one line each.
"""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import ValidationError

from assistant.errors import AssistantError, ExitCode, Problem
from assistant.portals.model import ACTION_TAGS

MAX_BYTES = 256 * 1024

Position = tuple[int, int]


class PortalMapError(AssistantError):
    """A portal map is invalid (or no map has the name asked for). `problems` holds them all."""

    exit_code = ExitCode.INVALID

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class _Refused(Exception):
    """Reading stops at a construct maps never use (an anchor, an alias, a tag, a merge key)."""

    def __init__(self, mark: Any, message: str) -> None:  # a yaml Mark (pure or libyaml's)
        super().__init__(message)
        self.mark = mark
        self.message = message


_MERGE = "tag:yaml.org,2002:merge"


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing each node's anchor, alias, explicit tag or merge key as
    it is composed: before an alias could make one node stand for many."""

    what = "a portal map"

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if isinstance(index, yaml.ScalarNode) and index.tag == _MERGE:
            raise _Refused(
                index.start_mark,
                f"merge keys (<<) are not allowed in {self.what}; write the keys out",
            )
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(
                event.start_mark,
                f"aliases (*name) are not allowed in {self.what}; write the value out",
            )
        if getattr(event, "anchor", None) is not None:
            raise _Refused(
                event.start_mark,
                f"anchors (&name) are not allowed in {self.what}; write values out",
            )
        tag = getattr(event, "tag", None)
        if tag is not None:
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            raise _Refused(
                event.start_mark,
                f"explicit tags such as {shown} are not allowed in {self.what}",
            )
        return super().compose_node(parent, index)


def read_yaml(
    data: bytes, file: str, *, key_lines: bool = False, what: str = "a portal map"
) -> tuple[Any, dict[tuple[str | int, ...], Position]]:
    """The YAML document of a map (or of repairs to one: `what` names it in messages) and
    where each value sits; with `key_lines`, a mapping entry's place is its key's own line
    instead, so that a misspelt name is reported on its line. Invalid YAML, keys written
    twice, anchors, aliases, explicit tags and merge keys: `PortalMapError`."""
    positions: dict[tuple[str | int, ...], Position] = {}
    problems: list[Problem] = []
    try:
        loader = _StrictLoader(data.decode("utf-8"))
        loader.what = what
        try:
            node = loader.get_single_node()
            if node is not None:
                _walk(node, (), positions, problems, file)
                if key_lines:
                    _keys(node, (), positions)
            tree = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except UnicodeDecodeError:
        raise one_problem(file, "not UTF-8 text") from None
    except _Refused as refused:
        mark = refused.mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise PortalMapError([Problem(file, line, col, "", refused.message)]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = getattr(error, "problem", None) or str(error)
        raise PortalMapError([Problem(file, line, col, "", f"invalid YAML: {problem}")]) from None
    if problems:
        raise PortalMapError(problems)
    return tree, positions


def _keys(
    node: yaml.Node, path: tuple[str | int, ...], positions: dict[tuple[str | int, ...], Position]
) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            here = (*path, str(key_node.value))
            positions[here] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            _keys(value_node, here, positions)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _keys(item, (*path, index), positions)


def one_problem(file: str, message: str) -> PortalMapError:
    return PortalMapError([Problem(file, 1, 1, "", message)])


def _walk(
    node: yaml.Node,
    path: tuple[str | int, ...],
    positions: dict[tuple[str | int, ...], Position],
    problems: list[Problem],
    file: str,
) -> None:
    """Record where every value sits, and refuse keys written twice (YAML keeps the last)."""
    positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                problems.append(
                    Problem(
                        file,
                        line,
                        key_node.start_mark.column + 1,
                        _dotted((*path, key)),
                        f"written twice (lines {seen[key]} and {line})",
                    )
                )
            seen[key] = line
            _walk(value_node, (*path, key), positions, problems, file)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), positions, problems, file)


def _dotted(path: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in path)


def problems_of(
    error: ValidationError, positions: dict[tuple[str | int, ...], Position], file: str
) -> list[Problem]:
    problems = []
    errors = error.errors(include_input=False)
    # Every place below which an error sits (an anchor's own error, or an unknown key in it).
    failed = {tuple(item["loc"][:n]) for item in errors for n in range(len(item["loc"]))}
    for item in errors:
        if item["type"] == "too_short" and tuple(item["loc"]) in failed:
            continue  # "no anchor left" only repeats the error of the anchor itself
        loc: list[str | int] = []
        for part in item["loc"]:
            # Drop the union's tag (e.g. "field") that pydantic inserts after an action index.
            if isinstance(part, str) and part in ACTION_TAGS and loc and isinstance(loc[-1], int):
                continue
            loc.append(part)
        # A target written as one anchor (`{id: x}`) is read as `any: [...]`: name the target.
        if "any" in loc:
            at = loc.index("any")
            if tuple(loc[: at + 1]) not in positions:
                del loc[at : at + 2]
        path = tuple(loc)
        probe = path
        while probe and probe not in positions:
            probe = probe[:-1]
        line, col = positions.get(probe, (1, 1))
        message = str(item["msg"]).removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key"
        problems.append(Problem(file, line, col, _dotted(path), message))
    return problems
