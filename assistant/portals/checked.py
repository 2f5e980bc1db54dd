"""What the last `assistant check` found drifted, per map and host, so that `fill` and `batch`
stop before an emailed code is spent on a portal known to fail (issue 19 item 4).

`check` records every element it found not as the map says (`record`), replacing what the
previous check of that map and host recorded: a check that finds no drift clears it. With
each element it keeps the repair of yours that was in force for it then (None: none). A run
is stopped (`refusal`) by an element whose repair in force now is still the one it had when
the check found it drifted: no repair for it since, and the check saw the one it had fail.
A repair made or changed since (`assistant learn`, or by hand) lets the run go on; the next
`check` says whether it holds.

One file per map in the private data folder, `checks/<map>.json` (`0600`, in `0700`
folders, never written or read through a symbolic link), like `assistant.portals.seen`:

    {"version": 1, "map": "fcr-classic",
     "hosts": {"www.freecallerregistry.com":
               {"checked": "2026-12-07T10:04:05+00:00",
                "drift": [{"step": "form", "element": "city", "detail": "not found",
                           "repair": null}]}}}

A file that cannot be parsed is ignored (and replaced by the next `check`).
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant import paths
from assistant.portals.model import PortalMap
from assistant.portals.overrides import EffectiveMap
from assistant.portals.repairs import repair_command
from assistant.portals.seen import _read, file_for
from assistant.terminal_text import excerpt

FOLDER = "checks"
VERSION = 1


@dataclass(frozen=True, slots=True)
class Drifted:
    """One element the check found not as the map says, and the repair in force for it then."""

    step: str
    element: str
    detail: str = ""
    repair: dict[str, Any] | None = None

    @property
    def where(self) -> str:
        """ "business step, city"."""
        return f"{self.step} step, {self.element}"


def _file(folder: Path, portal: str) -> Path:
    return folder / FOLDER / file_for(folder, portal).name  # (named as the options' file)


def repair_of(portal: PortalMap, step: str, element: str) -> dict[str, Any] | None:
    """The repair of yours in force for one element of `portal` (as JSON data), or None."""
    if not isinstance(portal, EffectiveMap):
        return None
    for repair in portal.repairs:
        if (repair.step, repair.element) == (step, element):
            return repair.override.model_dump(mode="json")
    return None


def record(
    folder: Path,
    portal: PortalMap,
    host: str,
    drifted: Sequence[tuple[str, str, str]],
    now: datetime | None = None,
) -> None:
    """Record what a check of `portal` at `host` found drifted ((step, element, detail) each;
    none: the check found none), with the repair in force for each, replacing the previous
    check's record for that host. `folder` is the data folder (checked private)."""
    path = _file(folder, portal.name)
    paths.private_dir(path.parent)
    data = _read(path) or {}
    if data.get("version") != VERSION or not isinstance(data.get("hosts"), dict):
        data = {"version": VERSION, "map": portal.name, "hosts": {}}
    data["hosts"][host] = {
        "checked": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
        "drift": [
            {
                "step": step,
                "element": element,
                "detail": detail,
                "repair": repair_of(portal, step, element),
            }
            for step, element, detail in drifted
        ],
    }
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
    paths.write_private(path, text.encode("utf-8"))


def recall(folder: Path, portal: str, host: str) -> tuple[datetime, list[Drifted]] | None:
    """When the last check of map `portal` at `host` ran and what it found drifted; None when
    none was recorded (or its record cannot be read). Creates nothing."""
    path = _file(folder, portal)
    if not path.parent.exists() and not path.parent.is_symlink():
        return None
    paths.private_dir(path.parent)  # refuses a link, or a folder open to others
    data = _read(path)
    hosts = data.get("hosts") if data and data.get("version") == VERSION else None
    entry = hosts.get(host) if isinstance(hosts, dict) else None
    try:
        at = datetime.fromisoformat(entry["checked"])  # type: ignore[index]
        found = [
            Drifted(str(d["step"]), str(d["element"]), str(d.get("detail", "")), d.get("repair"))
            for d in entry["drift"]  # type: ignore[index]
        ]
    except (KeyError, TypeError, ValueError):
        return None
    return (at if at.tzinfo else at.replace(tzinfo=UTC)), found


def unrepaired(data_dir: Path | None, portal: PortalMap, host: str) -> list[Drifted]:
    """The elements the last check of `portal` at `host` found drifted whose repair in force
    is still the one they had then (see the module docstring); [] when no check was recorded
    (the data folder is not created for this)."""
    folder = paths.data_dir_path(data_dir)
    if not folder.exists() and not folder.is_symlink():
        return []
    last = recall(paths.data_dir(data_dir), portal.name, host)
    if last is None:
        return []
    _, drifted = last
    return [d for d in drifted if repair_of(portal, d.step, d.element) == d.repair]


def refusal(
    data_dir: Path | None, portal: PortalMap, named: str, url: str | None, profile: str
) -> str | None:
    """Why a run of `portal` (given as `--portal named`, at `url`, else its own host) must not
    start: the elements the last check found drifted with no repair since, and the command
    that repairs them; None when there are none."""
    host = portal.real_host if not url else _host(url)
    found = unrepaired(data_dir, portal, host)
    if not found:
        return None
    last = recall(paths.data_dir(data_dir), portal.name, host)
    when = f" on {last[0]:%Y-%m-%d}" if last else ""
    listed = "; ".join(
        f"{d.where}{f': {excerpt(d.detail, 200)}' if d.detail else ''}" for d in found
    )
    check = f"assistant check --portal {shlex.quote(named)}"
    if url:
        check += f" --url {shlex.quote(url)}"
    command = repair_command(portal, url, profile)
    if command is not None:
        command += "".join(f" --element {shlex.quote(f'{d.step}: {d.element}')}" for d in found)
        fix = f"repair the map with `{command}`"
    else:
        fix = f"edit your map file {portal.name} so that these match the portal"
    many = len(found) > 1
    return (
        f"The last `assistant check`{when} found {'these elements' if many else 'this element'} "
        f"of the map {portal.name} at {host} not as the map says, with no repair of yours "
        f"since: {listed}. A fill would spend an emailed code and fail there, so nothing was "
        f"opened or sent. To go on, {fix}, or, if the portal is as the map says again, run "
        f"`{check}`."
    )


def _host(url: str) -> str:
    from assistant.hosts import host_of

    return host_of(url)
