"""The option lists a portal showed last, remembered per map and host, dated.

`assistant check` and a fill that reads a step's selects remember the options they saw
(`remember`); `validate`, `plan`, `fill` and `batch` compare a profile's values with them
before any emailed code is spent (`recall`, then `unseen`). Only fields whose options were
seen are checked; the message says when the list is old (`OLD_DAYS`).

One file per map in the private data folder, `options/<map>.json` (`0600`, in `0700`
folders, never written or read through a symbolic link):

    {"version": 1, "map": "fcr",
     "hosts": {"www.freecallerregistry.com":
               {"category": {"seen": "2026-11-29T10:04:05+00:00",
                             "options": [["7", "Healthcare"], ...]}}}}

Lists are kept by host: what a replica (`--url`) showed never stands for the real portal.
The file is a memory, not a record: one that cannot be parsed is ignored (and replaced by
the next `remember`), and two runs remembering at once may lose one's update.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant import paths
from assistant.errors import Problem
from assistant.hosts import host_of
from assistant.log import get_logger
from assistant.portals.formats import Option, format_value, match_option, suggest
from assistant.portals.known import Known, listed_count, not_known
from assistant.portals.model import FieldAction, KnownOptions, PortalMap
from assistant.spelling import either
from assistant.terminal_text import excerpt

if TYPE_CHECKING:
    from assistant.profiles import LoadedProfile
    from assistant.profiles.model import Profile

log = get_logger(__name__)

FOLDER = "options"
VERSION = 1
OLD_DAYS = 30  # a list seen longer ago than this is said to be old, and refuses nothing


@dataclass(frozen=True, slots=True)
class Seen:
    """The options one select showed (as (value, label) pairs) and when."""

    options: tuple[Option, ...]
    at: datetime

    def age_days(self, now: datetime) -> int:
        """Whole days since the list was seen."""
        return max(0, (now - self.at).days)


@dataclass(frozen=True, slots=True)
class Unseen:
    """A profile value that is not among the options its select showed last."""

    path: str  # the profile's dotted path, e.g. "calling.category"
    field: str  # the map's name of the field, e.g. "category"
    message: str  # `"Helth Care" is not among the 16 categories fcr showed on …`
    old: bool  # the list is older than OLD_DAYS: a hint, not a reason to refuse
    known: bool = False  # the list is the map's `known_options` (the facts), not a page's


def file_for(folder: Path, portal: str) -> Path:
    """The file remembering map `portal`'s options, in the data folder `folder`."""
    name = re.sub(r"[^a-z0-9]+", "-", portal.lower()).strip("-") or "map"
    return folder / FOLDER / f"{name}.json"


def remember(
    folder: Path,
    portal: str,
    host: str,
    lists: Mapping[str, Sequence[Option]],
    now: datetime | None = None,
) -> None:
    """Remember the options of each select in `lists` (by field name), as map `portal`
    showed them at `host` now; other fields and hosts keep what was remembered before.
    `folder` is the data folder (already checked private by `paths.data_dir`)."""
    if not lists:
        return
    path = file_for(folder, portal)
    paths.private_dir(path.parent)
    data = _read(path) or {}
    if data.get("version") != VERSION or not isinstance(data.get("hosts"), dict):
        data = {"version": VERSION, "map": portal, "hosts": {}}
    fields = data["hosts"].setdefault(host, {})
    if not isinstance(fields, dict):
        fields = data["hosts"][host] = {}
    at = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    for field, options in lists.items():
        fields[field] = {"seen": at, "options": [[value, label] for value, label in options]}
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
    paths.write_private(path, text.encode("utf-8"))
    log.info("Remembered the options of %s (%s at %s).", ", ".join(lists), portal, host)


def recall(folder: Path, portal: str, host: str) -> dict[str, Seen]:
    """The option lists map `portal` showed last at `host`, by field name ({} when none).

    Reads nothing through a symbolic link (`UnsafeDataDir`); never creates anything."""
    path = file_for(folder, portal)
    if not path.parent.exists() and not path.parent.is_symlink():
        return {}
    paths.private_dir(path.parent)  # refuses a link, or a folder open to others
    data = _read(path)
    if data is None:
        return {}
    hosts = data.get("hosts") if data.get("version") == VERSION else None
    fields = hosts.get(host) if isinstance(hosts, dict) else None
    found: dict[str, Seen] = {}
    for field, entry in (fields if isinstance(fields, dict) else {}).items():
        try:
            options = tuple((str(v), str(label)) for v, label in entry["options"])
            at = datetime.fromisoformat(entry["seen"])
        except (KeyError, TypeError, ValueError):
            continue  # one damaged entry costs only its own check
        found[str(field)] = Seen(options, at if at.tzinfo else at.replace(tzinfo=UTC))
    return found


def remembered(data_dir: Path | None, portal: str, host: str) -> dict[str, Seen]:
    """`recall` from the data folder (`--data-dir`, else the default one); {} when that
    folder does not exist (it is not created for this)."""
    folder = paths.data_dir_path(data_dir)
    if not folder.exists() and not folder.is_symlink():
        return {}
    return recall(paths.data_dir(data_dir), portal, host)


def _read(path: Path) -> dict[str, Any] | None:
    """The file's JSON object, or None when it is missing or cannot be parsed."""
    paths.refuse_link_or_special(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as handle:
        raw = handle.read()
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        log.warning("%s could not be read as remembered options; it is ignored.", path)
        return None
    return data if isinstance(data, dict) else None


def unseen(
    portal: PortalMap,
    profile: Profile,
    lists: Mapping[str, Seen],
    *,
    host: str = "",
    now: datetime | None = None,
    known: bool = False,
) -> list[Unseen]:
    """Each select of `portal` whose profile value is not among the options it showed last
    (only fields in `lists` are checked), with a message naming the nearest option when one
    is a plausible typo. `host`: where the lists were seen, named when not the map's own.
    With `known`, a field no page showed is checked against the options the map knows from
    the facts (`known_options`, compared by `assistant.portals.known`; `Unseen.known`)."""
    from assistant.portals.plan import profile_value

    now = now or datetime.now(UTC)
    where = portal.name if not host or host == portal.real_host else f"{portal.name} at {host}"
    found: list[Unseen] = []
    for step in portal.steps:
        for action in step.actions:
            if not isinstance(action, FieldAction) or action.write != "select":
                continue
            seen = lists.get(action.field)
            raw = profile_value(profile, action.value) if action.value else None
            if not raw or not raw.strip():
                continue
            wanted = format_value(raw, action.format)
            facts = action.known_options if known and seen is None else None
            if facts is not None:
                if not facts.ranges and action.format == "text":  # (ranges: for the record)
                    miss = _not_known(action, facts, wanted, portal.name)
                    found += [miss] if miss is not None else []
                continue
            if seen is None or match_option(seen.options, wanted, action.match) is not None:
                continue
            found.append(_unseen(action, wanted, seen, where, now))
    return found


def _not_known(action: FieldAction, facts: KnownOptions, wanted: str, portal: str) -> Unseen | None:
    """A value not among the options the map knows from the facts (no page's list yet)."""
    item = Known(
        action.field, action.value or "", tuple(o for o, _ in facts.options), facts.partial
    )
    text = not_known(item, wanted, portal)
    if text is None:
        return None
    return Unseen(action.value or "", action.field, text, old=False, known=True)


def _unseen(action: FieldAction, wanted: str, seen: Seen, where: str, now: datetime) -> Unseen:
    listed = listed_count(len(seen.options), action.field)
    if action.match == "range":
        text = f"{excerpt(wanted)} is in none of the {listed} {where} showed"
    else:
        text = f'"{excerpt(wanted)}" is not among the {listed} {where} showed'
    text += f" on {seen.at:%Y-%m-%d}"
    age = seen.age_days(now)
    old = age > OLD_DAYS
    if old:
        text += f" ({age} days ago; `assistant check` reads the portal's options again)"
    near = suggest(seen.options, wanted, action.match)
    if near:
        text += f"; did you mean {either(near)}?"
    return Unseen(action.value or "", action.field, text, old)


def warnings(
    loaded: LoadedProfile,
    portal: PortalMap,
    lists: Mapping[str, Seen],
    *,
    host: str = "",
    now: datetime | None = None,
    known: bool = False,
) -> list[Problem]:
    """`unseen` as warnings pointing at where the profile wrote each value
    (`profile.yaml:12:13: warning: calling.category: "Helth Care" is not among …`); with
    `known`, the options the map knows from the facts stand for those no page showed."""
    found = unseen(portal, loaded.profile, lists, host=host, now=now, known=known)
    return [problem(loaded, item) for item in found]


def problem(loaded: LoadedProfile, item: Unseen, severity: str = "warning") -> Problem:
    """`item` as a problem at the place the profile wrote its value."""
    file, line, column = loaded.places.get(item.path, (str(loaded.path), 1, 1))
    return Problem(file, line, column, item.path, item.message, severity)


def host_for(portal: PortalMap, url: str | None) -> str:
    """The host whose lists apply: the `--url`'s, else the map's own."""
    return host_of(url) if url else portal.real_host
