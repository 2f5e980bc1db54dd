"""A strict YAML reader for profiles: every scalar is text, and nothing surprising gets in.

PyYAML's usual loaders quietly change values (`NO` becomes `False`, `01234` becomes 668), let a
key written twice win silently, expand alias bombs and recurse until `RecursionError`. This
module reads the parser's event stream itself (libyaml when available) and builds a small
tree of `Scalar`, `Sequence` and `Mapping` nodes, each knowing its file, line and column, so
every later error can say `file:line:col: dotted.path: message`.

Refused, each with a one-line message: files over `MAX_BYTES`, bytes that are not UTF-8,
more than one document, anchors and aliases, explicit tags (`!!str`, `!!python/...`, `!x`),
merge keys (`<<`), duplicate keys (naming both lines), keys that are not plain text, nesting
deeper than `MAX_DEPTH`. Building from events, with no recursion in the parser, is what keeps
10,000 nested `[` from ever reaching Python's recursion limit: the depth check stops reading
at level `MAX_DEPTH + 1`.

Nothing but `ProfileError` leaves `parse_yaml` / `read_yaml`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import Problem, ProfileError
from assistant.inputfile import InputFileError, read_regular_file
from assistant.terminal_text import excerpt

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 32
MAX_PROBLEMS = 100

# libyaml's parser is ~10x faster than the pure-Python one; both emit the same events.
_Loader: Any = getattr(yaml, "CBaseLoader", yaml.BaseLoader)

_BOMS = {
    b"\xff\xfe\x00\x00": "UTF-32",
    b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16",
    b"\xfe\xff": "UTF-16",
}
_UTF8_BOM = b"\xef\xbb\xbf"
_TOO_DEEP = f"nested deeper than {MAX_DEPTH} levels; a profile needs no more than 4"


@dataclass(slots=True, eq=False)
class Node:
    """A YAML node and where it was written (1-based line and column)."""

    file: str
    line: int
    column: int

    @property
    def where(self) -> str:
        """`file:line:col`, the way problems and number origins name a place."""
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(slots=True, eq=False)
class Scalar(Node):
    """A scalar, always text; `None` only for a value left empty (`key:` with nothing after)."""

    value: str | None


@dataclass(slots=True, eq=False)
class Sequence(Node):
    """A YAML list."""

    items: list[Node] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class Entry:
    """One `key: value` pair of a mapping, with the key's own position."""

    key: Scalar
    value: Node


@dataclass(slots=True, eq=False)
class Mapping(Node):
    """A YAML mapping from text keys to nodes, in file order."""

    entries: dict[str, Entry] = field(default_factory=dict)


def to_data(node: Node) -> Any:
    """The plain Python value of `node`: dicts, lists, text and `None` (depth is capped)."""
    if isinstance(node, Scalar):
        return node.value
    if isinstance(node, Sequence):
        return [to_data(item) for item in node.items]
    assert isinstance(node, Mapping)
    return {key: to_data(entry.value) for key, entry in node.entries.items()}


def read_yaml(path: Path, display: str | None = None) -> tuple[Mapping, bytes]:
    """Read and parse the profile file at `path`; return its root mapping and its bytes.

    `display` is how the file is named in problems (defaults to `str(path)`). Reads at most
    `MAX_BYTES + 1` bytes, so a huge file is refused without being read whole, and only
    from a regular file (see `assistant.inputfile`): a FIFO or /dev/zero is refused unread.
    """
    name = display if display is not None else str(path)
    try:
        data = read_regular_file(path, MAX_BYTES, kind="profile")
    except InputFileError as error:
        raise ProfileError([Problem(name, 1, 1, "", error.reason)]) from None
    return parse_yaml(data, name), data


def parse_yaml(data: bytes, file: str) -> Mapping:
    """Parse profile bytes into a `Mapping` tree; raise `ProfileError` with every problem."""
    text = _decode(data, file)
    builder = _Builder(file)
    try:
        for event in yaml.parse(text, Loader=_Loader):
            builder.feed(event)
    except _Stop:
        pass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = error.problem or error.context or "not valid YAML"
        if "nesting depth" in message:  # libyaml's own cap (1000) met before ours
            builder.problem(line, column, _TOO_DEEP)
        else:
            builder.problem(line, column, f"YAML syntax error: {message}")
    except yaml.reader.ReaderError as error:
        line, column = _position(text, error.position)
        builder.problem(line, column, f"character U+{error.character:04X} is not allowed in YAML")
    except yaml.YAMLError as error:  # any other parser complaint, still as a ProfileError
        builder.problem(1, 1, f"YAML error: {error}")
    except RecursionError:  # defence in depth: the depth cap should stop this first
        builder.problem(1, 1, _TOO_DEEP)
    if builder.problems:
        raise ProfileError(builder.problems)
    root = builder.root
    if root is None or (isinstance(root, Scalar) and root.value is None):
        raise ProfileError(
            [
                Problem(
                    file,
                    1,
                    1,
                    "",
                    "file is empty: a profile is a mapping of keys (company:, contact:, numbers:)",
                )
            ]
        )
    if not isinstance(root, Mapping):
        kind = "a list" if isinstance(root, Sequence) else "plain text"
        raise ProfileError(
            [
                Problem(
                    file,
                    root.line,
                    root.column,
                    "",
                    f"a profile is a mapping of keys (company:, contact:, numbers: …), not {kind}",
                )
            ]
        )
    return root


def _decode(data: bytes, file: str) -> str:
    """The file's text, refusing oversize files, non-UTF-8 encodings and invalid bytes."""
    if len(data) > MAX_BYTES:
        raise ProfileError(
            [
                Problem(
                    file,
                    1,
                    1,
                    "",
                    f"file is larger than {MAX_BYTES // 1024} KiB; a profile is a small text file",
                )
            ]
        )
    if data.startswith(_UTF8_BOM):
        # Windows editors write a BOM; it carries no meaning, so it is tolerated and dropped.
        data = data[len(_UTF8_BOM) :]
    for bom, encoding in _BOMS.items():
        if data.startswith(bom):
            raise ProfileError(
                [Problem(file, 1, 1, "", f"file is saved as {encoding}; save it as UTF-8")]
            )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        raise ProfileError(
            [Problem(file, line, column, "", "file is not valid UTF-8 text; save it as UTF-8")]
        ) from None


def _at(event: yaml.Event) -> tuple[int, int]:
    """1-based line and column where an event starts."""
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset in `text`."""
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


class _Stop(Exception):
    """Reading stops here: the file is unsafe to read further (alias, depth, too many errors)."""


@dataclass(slots=True, eq=False)
class _Frame:
    """A collection being built, and (for mappings) the key waiting for its value."""

    node: Sequence | Mapping
    key: Scalar | None = None
    bad_key: bool = False  # the pending key was not text; its value is read and dropped


class _Builder:
    """Turns parser events into a node tree, collecting problems as it goes."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.stack: list[_Frame] = []
        self.root: Node | None = None
        self.documents = 0

    def problem(self, line: int, column: int, message: str, path: str = "") -> None:
        self.problems.append(Problem(self.file, line, column, path, message))
        if len(self.problems) >= MAX_PROBLEMS:
            raise _Stop

    def path(self, extra: str | None = None) -> str:
        """Dotted path of the place the next node goes to."""
        parts: list[str] = []
        for frame in self.stack:
            if isinstance(frame.node, Sequence):
                parts.append(str(len(frame.node.items)))
            elif frame.key is not None and frame.key.value is not None:
                parts.append(frame.key.value)
        if extra is not None:
            parts.append(extra)
        return ".".join(parts)

    def feed(self, event: yaml.Event) -> None:
        kind = type(event)
        if kind is yaml.ScalarEvent:
            self._scalar(event)  # type: ignore[arg-type]
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            self._start(event)  # type: ignore[arg-type]
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            self._attach(self.stack.pop().node)
        elif kind is yaml.AliasEvent:
            self._fatal(event, "aliases (*name) are not allowed in a profile; write the value out")
        elif kind is yaml.DocumentStartEvent:
            self.documents += 1
            if self.documents > 1:
                self._fatal(event, "holds more than one YAML document (---); a profile is one")

    def _fatal(self, event: yaml.Event, message: str, with_path: bool = True) -> None:
        line, column = _at(event)
        self.problem(line, column, message, self.path() if with_path else "")
        raise _Stop

    def _check(self, event: yaml.NodeEvent) -> None:
        """Refuse anchors (fatal: they feed alias bombs) and explicit tags (collected)."""
        if event.anchor is not None:
            self._fatal(event, "anchors (&name) are not allowed in a profile; write values out")
        tag = getattr(event, "tag", None)
        if tag is not None:
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            line, column = _at(event)
            self.problem(
                line,
                column,
                f"explicit tags such as {shown} are not allowed; every value is read as text",
                self.path(),
            )

    def _scalar(self, event: yaml.ScalarEvent) -> None:
        self._check(event)
        line, column = _at(event)
        plain = event.implicit[0]
        # Only an empty *plain* scalar means "no value"; '' written with quotes is text.
        value = None if plain and event.value == "" else event.value
        self._attach(Scalar(self.file, line, column, value), plain=plain)

    def _start(self, event: yaml.CollectionStartEvent) -> None:
        self._check(event)
        if len(self.stack) >= MAX_DEPTH:
            self._fatal(event, _TOO_DEEP, with_path=False)
        line, column = _at(event)
        node: Sequence | Mapping
        if isinstance(event, yaml.MappingStartEvent):
            node = Mapping(self.file, line, column)
        else:
            node = Sequence(self.file, line, column)
        self.stack.append(_Frame(node))

    def _attach(self, node: Node, plain: bool = False) -> None:
        """Put a finished node where it belongs: root, list item, mapping key or value."""
        if not self.stack:
            self.root = node
            return
        frame = self.stack[-1]
        parent = frame.node
        if isinstance(parent, Sequence):
            parent.items.append(node)
        elif frame.key is None and not frame.bad_key:
            self._key(frame, node, plain)
        else:
            key, frame.key, bad = frame.key, None, frame.bad_key
            frame.bad_key = False
            if bad or key is None or key.value is None:
                return
            assert isinstance(parent, Mapping)
            first = parent.entries.get(key.value)
            if first is not None:
                self.problem(
                    key.line,
                    key.column,
                    f"duplicate key '{excerpt(key.value)}': first at line {first.key.line}, "
                    f"again at line {key.line}",
                    self.path(key.value),
                )
                return
            parent.entries[key.value] = Entry(key, node)

    def _key(self, frame: _Frame, node: Node, plain: bool) -> None:
        if not isinstance(node, Scalar) or node.value is None:
            frame.bad_key = True
            what = "empty" if isinstance(node, Scalar) else "a list or mapping"
            self.problem(
                node.line, node.column, f"a key must be plain text, not {what}", self.path()
            )
            return
        if plain and node.value == "<<":
            frame.bad_key = True
            self.problem(
                node.line,
                node.column,
                "merge keys (<<) are not allowed; use extends: to share defaults",
                self.path(),
            )
            return
        frame.key = node
