"""Loading portal maps: YAML text -> a validated `PortalMap`, or every problem at once.

Errors read like profile errors, `file:line:col: dotted.path: message`, one line each.
Maps are shipped in this package (`fcr.yaml`, `fcr-classic.yaml`); a path to a `.yaml` file
loads a user's own map instead: only a regular file, at most `MAX_BYTES` read.

The file itself is read strictly by `assistant.portals.mapfile`; a shipped map is merged with the
person's repairs of it (`assistant.portals.overrides`) here.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from assistant.hosts import host_of
from assistant.inputfile import InputFileError, read_regular_file
from assistant.portals.mapfile import MAX_BYTES, PortalMapError, one_problem, problems_of, read_yaml
from assistant.portals.model import PortalMap
from assistant.portals.overrides import effective

DEFAULT_PORTAL = "fcr"


def available_portals() -> list[str]:
    """The names of the maps shipped with the assistant, sorted."""
    folder = resources.files("assistant.portals")
    return sorted(
        entry.name.removesuffix(".yaml")
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml")
    )


def load_portal(name_or_path: str = DEFAULT_PORTAL, url: str | None = None) -> PortalMap:
    """The shipped map called `name_or_path`, with the person's repairs for the host of `url`
    (default: the map's own, the real portal) merged over it (see
    `assistant.portals.overrides`), or the map in that `.yaml` file; validated."""
    if name_or_path.endswith((".yaml", ".yml")) or "/" in name_or_path:
        path = Path(name_or_path)
        try:
            # (parse_portal refuses MAX_BYTES + 1)
            data = read_regular_file(path, MAX_BYTES, kind="portal map")
        except InputFileError as error:
            reason = "portal map not found" if error.missing else error.reason
            raise one_problem(str(path), reason) from None
        return parse_portal(data, str(path))
    return effective(name_or_path, load_shipped(name_or_path), host_of(url) if url else None)


def load_shipped(name: str) -> PortalMap:
    """The shipped map called `name` as shipped, without the person's repairs; validated."""
    if name not in available_portals():
        known = ", ".join(available_portals())
        raise one_problem(name, f"no portal map of that name; known: {known}")
    resource = resources.files("assistant.portals") / f"{name}.yaml"
    return parse_portal(resource.read_bytes(), f"portals/{name}.yaml")


def parse_portal(data: bytes, file: str) -> PortalMap:
    """Validate a map's YAML bytes; `PortalMapError` lists every problem with its place."""
    if len(data) > MAX_BYTES:
        raise one_problem(
            file, f"larger than {MAX_BYTES // 1024} KiB; a portal map is much smaller"
        )
    tree, positions = read_yaml(data, file)
    if not isinstance(tree, dict):
        raise one_problem(file, "a portal map is a mapping of keys (name, start_url, steps, …)")
    try:
        return PortalMap.model_validate(tree)
    except ValidationError as error:
        raise PortalMapError(problems_of(error, positions, file)) from None
