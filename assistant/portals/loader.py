"""Loading portal maps: YAML text -> a validated `PortalMap`, or every problem at once.

Errors read like profile errors, `file:line:col: dotted.path: message`, one line each.
Maps are shipped in this package (`fcr.yaml`, `fcr-classic.yaml`); a path to a `.yaml` file
loads a user's own map instead: only a regular file, at most `MAX_BYTES` read.

The file itself is read strictly by `assistant.portals.mapfile`; a shipped map is merged with the
person's repairs of it (`assistant.portals.overrides`) here.
"""

from __future__ import annotations

from pathlib import Path

from assistant.hosts import host_of
from assistant.inputfile import InputFileError, read_regular_file
from assistant.portals.known import DEFAULT_PORTAL  # (defined where validate reads it)
from assistant.portals.mapfile import MAX_BYTES, one_problem
from assistant.portals.model import PortalMap
from assistant.portals.overrides import effective
from assistant.portals.shipped import available_portals, load_shipped, parse_portal

__all__ = ["DEFAULT_PORTAL", "available_portals", "load_portal", "load_shipped", "parse_portal"]


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
