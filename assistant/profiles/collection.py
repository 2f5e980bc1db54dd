"""Many profiles at once: folders expanded, every file checked, numbers shared between profiles.

Folders are searched recursively for `*.yaml` / `*.yml`. A file found in a folder that another
profile of the same run `extends:` is a file of shared defaults (e.g. `profiles/org/…`), not a
registration: it is checked as part of each profile that extends it, and not on its own, since
it usually lacks `numbers:` and the rest. A file named explicitly is always checked on its own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import Problem, ProfileError, UsageError
from assistant.inputfile import resolved
from assistant.profiles.loader import LoadedProfile, _Load

_SUFFIXES = (".yaml", ".yml")
_PLACE = re.compile(r"(?P<file>.*):(?P<line>\d+):(?P<column>\d+)|(?P<sheet>.*) row (?P<row>\d+)")


@dataclass
class ProfileResult:
    """What checking one profile file gave: the profile (None if invalid) and its problems."""

    path: Path
    loaded: LoadedProfile | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """The problems that make the profile invalid (warnings excluded)."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def valid(self) -> bool:
        """True when the profile loaded and no error concerns it."""
        return self.loaded is not None and not self.errors


@dataclass
class Report:
    """The result of checking a set of profiles, in the order the files were found."""

    results: list[ProfileResult]

    @property
    def numbers(self) -> int:
        """How many numbers the valid profiles list in all."""
        return sum(len(r.loaded.profile.numbers) for r in self.results if r.loaded is not None)


def expand_paths(paths: Sequence[Path]) -> list[tuple[Path, bool]]:
    """Each profile file to check, and whether it was named explicitly (not found in a folder).

    Raises `UsageError` for a path that does not exist or a folder without profiles.
    """
    found: list[tuple[Path, bool]] = []
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            files = sorted(
                p
                for p in path.rglob("*")
                if p.suffix.lower() in _SUFFIXES
                and not p.is_dir()  # a FIFO or a broken link is listed, so its refusal shows
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not files:
                raise UsageError(f"{path}: no profiles (*.yaml, *.yml) in this folder")
            pairs = [(p, False) for p in files]
        elif path.exists() or path.is_symlink():  # a broken link: its loader says what it is
            pairs = [(path, True)]
        else:
            raise UsageError(f"{path}: no such file or folder")
        for file, explicit in pairs:
            real = resolved(file)
            if real not in seen:
                seen.add(real)
                found.append((file, explicit))
    return found


def check_profiles(paths: Sequence[Path]) -> Report:
    """Check every profile under `paths`; a number listed by two profiles is an error.

    The error is reported where the number is listed the second time, naming the first
    profile and place. Raises only `UsageError` (for paths), never `ProfileError`.
    """
    results: list[tuple[ProfileResult, bool]] = []
    bases: set[Path] = set()
    for path, explicit in expand_paths(paths):
        load = _Load(path)
        try:
            loaded = load.run()
            results.append((ProfileResult(path, loaded, list(loaded.warnings)), explicit))
        except ProfileError as error:
            results.append((ProfileResult(path, None, list(error.problems)), explicit))
        bases.update(load.bases)
    kept = [r for r, explicit in results if explicit or resolved(r.path) not in bases]
    _shared_numbers(kept)
    return Report(kept)


def load_profiles(paths: Sequence[Path]) -> tuple[list[LoadedProfile], list[Problem]]:
    """Every valid profile under `paths`, and every problem that is not a valid profile's warning.

    Problems are the errors (and warnings) of invalid files and the numbers shared by two
    profiles. Raises `UsageError` when a path does not exist.
    """
    report = check_profiles(paths)
    loaded = [r.loaded for r in report.results if r.loaded is not None]
    problems: list[Problem] = []
    for result in report.results:
        if result.loaded is None:
            problems.extend(result.problems)
        else:
            problems.extend(p for p in result.problems if p.severity == "error")
    return loaded, problems


def _shared_numbers(results: list[ProfileResult]) -> None:
    """Add an error where a number already listed by an earlier profile appears again."""
    first: dict[str, tuple[str, str]] = {}
    for result in results:
        if result.loaded is None:
            continue
        label = result.loaded.profile.label
        for number in result.loaded.profile.numbers:
            earlier = first.setdefault(number.number, (label, number.origin))
            if earlier[1] == number.origin:
                continue
            file, line, column = _place(number.origin)
            message = f"{number.number} is also listed by profile '{earlier[0]}' at {earlier[1]}"
            listing = result.loaded.listed_by.get(file)
            if listing is not None:  # a number file's row: say which profile lists the file
                message += f" (listed by {listing})"
            result.problems.append(Problem(file, line, column, "numbers", message))


def _place(origin: str) -> tuple[str, int, int]:
    """File, line and column of an origin (`file:line:col` or `file row N`)."""
    match = _PLACE.fullmatch(origin)
    if match is None:
        return origin, 1, 1
    if match.group("sheet") is not None:
        return match.group("sheet"), int(match.group("row")), 1
    return match.group("file"), int(match.group("line")), int(match.group("column"))
