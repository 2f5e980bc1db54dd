"""From a profile file to a resolved `Profile`: extends, secrets, number files, duplicates.

`load_profile` reads one file (and the defaults it `extends:` and the number files it lists),
checks everything, and either returns a `LoadedProfile` or raises one `ProfileError` holding
every problem found, in file order, warnings included. Nothing else escapes.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import Problem, ProfileError
from assistant.inputfile import InputFileError, check_regular, resolved
from assistant.profiles import values
from assistant.profiles.document import ProfileDocument, validate_document
from assistant.profiles.model import (
    Address,
    Calling,
    Company,
    Contact,
    Dispute,
    PhoneNumber,
    Profile,
)
from assistant.profiles.numberfiles import Columns, read_number_file
from assistant.profiles.phones import normalise_phone
from assistant.profiles.yamlstrict import Entry, Mapping, Node, Scalar, Sequence, read_yaml
from assistant.terminal_text import excerpt

MAX_EXTENDS = 8


@dataclass
class LoadedProfile:
    """A valid profile, where it came from, a hash of every file it read, and its warnings."""

    path: Path
    profile: Profile
    sha256: str
    warnings: list[Problem] = field(default_factory=list)
    listed_by: dict[str, str] = field(default_factory=dict)  # number file -> "p.yaml:22"
    # Where each value was written: "calling.category" -> ("p.yaml", 12, 13).
    places: dict[str, tuple[str, int, int]] = field(default_factory=dict)


@dataclass(slots=True)
class _Listed:
    """A number found while resolving, with where it was written."""

    number: str
    display_name: str | None
    origin: str
    place: Problem  # file, line, column and path of the listing (message unused)
    listed_by: str = ""  # for a number file's row: where the profile lists the file


def load_profile(path: Path) -> LoadedProfile:
    """Load and check the profile at `path`; raise `ProfileError` with every problem found.

    The result's numbers are in list order with number files expanded in place, each in
    E.164 with its display name (its own, else the profile's `display_name`) and its origin
    (`file:line:col` or `file.csv row N`).
    """
    return _Load(path).run()


def label_for(path: Path) -> str:
    """The default label of a profile: its file name without `.yaml` / `.yml`."""
    name = path.name
    for suffix in (".yaml", ".yml"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


class _Load:
    """The state of loading one profile: problems, warnings, files read, their hash."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.display = str(path)
        self.problems: list[Problem] = []
        self.files: dict[str, int] = {}
        self.bases: list[Path] = []
        self.listed_by: dict[str, str] = {}  # number file -> where it is first listed
        self.unreadable = False  # a file of the chain could not be read: stop after the tree
        self.hasher = hashlib.sha256()

    def run(self) -> LoadedProfile:
        root = self._tree(self.path, self.display, (resolved(self.path),))
        if self.unreadable:
            self._fail()
        document, problems = validate_document(root)
        self.problems.extend(problems)
        listed = self._numbers(root)
        self._samples(root, {item.number for item in listed})
        self._display_name_warnings(root)
        if document is None or any(p.severity == "error" for p in self.problems):
            self._fail()
        assert document is not None
        warnings = self._sorted(self.problems)
        profile = self._profile(document, listed)
        return LoadedProfile(
            self.path,
            profile,
            self.hasher.hexdigest(),
            warnings,
            dict(self.listed_by),
            _places(root, ""),
        )

    def _fail(self) -> None:
        raise ProfileError(self._sorted(self.problems))

    def _sorted(self, problems: list[Problem]) -> list[Problem]:
        order = self.files
        return sorted(problems, key=lambda p: (order.get(p.file, len(order)), p.line, p.column))

    def _read(self, display: str, data: bytes) -> None:
        self.files.setdefault(display, len(self.files))
        self.hasher.update(len(data).to_bytes(8, "big"))
        self.hasher.update(data)

    # -- the node tree, with extends merged in -------------------------------------------

    def _tree(self, path: Path, display: str, chain: tuple[Path, ...]) -> Mapping:
        self.files.setdefault(display, len(self.files))
        try:
            root, data = read_yaml(path, display)
        except ProfileError as error:
            self.problems.extend(error.problems)
            self.unreadable = True
            return Mapping(display, 1, 1)
        self._read(display, data)
        self._drop_secrets(root, "")
        entry = root.entries.pop("extends", None)
        if entry is None:
            return root
        base = self._base(entry, path, display, chain)
        if base is None:
            self.unreadable = True  # without its defaults the profile would only show noise
            return root
        return _merge(base, root)

    def _base(
        self, entry: Entry, path: Path, display: str, chain: tuple[Path, ...]
    ) -> Mapping | None:
        node = entry.value
        if not isinstance(node, Scalar) or not (node.value or "").strip():
            self._problem(
                node, "extends", "should be the path of a profile file, relative to this one"
            )
            return None
        relative = (node.value or "").strip()
        base_path = path.parent / relative
        base_display = os.path.normpath(os.path.join(os.path.dirname(display), relative))
        real = resolved(base_path)
        if real in chain:
            names = [*(str(p) for p in chain), str(real)]
            start = names.index(str(real))
            cycle = " -> ".join(os.path.relpath(n) for n in names[start:])
            self._problem(node, "extends", f"extends itself in a cycle: {cycle}")
            return None
        if len(chain) > MAX_EXTENDS:
            self._problem(node, "extends", f"more than {MAX_EXTENDS} levels of extends")
            return None
        try:
            check_regular(base_path, kind="profile")
        except InputFileError as error:
            reason = f"file not found: {base_display}" if error.missing else error.reason
            if not error.missing:
                reason = f"{base_display} {reason}"
            self._problem(node, "extends", reason)
            return None
        self.bases.append(real)
        return self._tree(base_path, base_display, (*chain, real))

    def _drop_secrets(self, node: Node, path: str) -> None:
        """Refuse (and drop) every key that looks like a secret, without showing its value."""
        if isinstance(node, Sequence):
            for index, item in enumerate(node.items):
                self._drop_secrets(item, f"{path}{index}.")
        elif isinstance(node, Mapping):
            for key in list(node.entries):
                entry = node.entries[key]
                if values.is_secret_key(key):
                    del node.entries[key]
                    self._problem(
                        entry.key,
                        f"{path}{key}",
                        f"'{excerpt(key)}' looks like a secret; profiles never hold secrets: "
                        "give it through the environment or the OS keyring",
                    )
                else:
                    self._drop_secrets(entry.value, f"{path}{key}.")

    def _problem(self, node: Node, path: str, message: str, severity: str = "error") -> None:
        self.problems.append(Problem(node.file, node.line, node.column, path, message, severity))

    # -- numbers ---------------------------------------------------------------------------

    def _numbers(self, root: Mapping) -> list[_Listed]:
        """Every listed number (inline and from files) that is valid; duplicates refused."""
        entry = root.entries.get("numbers")
        if entry is None or not isinstance(entry.value, Sequence):
            return []
        listed: list[_Listed] = []
        for index, item in enumerate(entry.value.items):
            path = f"numbers.{index}"
            if isinstance(item, Scalar) and item.value is not None:
                self._inline(listed, item, None, path)
            elif isinstance(item, Mapping) and "file" in item.entries:
                self._from_file(listed, item.entries["file"].value, f"{path}.file", _columns(item))
            elif isinstance(item, Mapping) and "number" in item.entries:
                name = item.entries.get("display_name")
                shown = name.value.value if name and isinstance(name.value, Scalar) else None
                self._inline(listed, item.entries["number"].value, shown, f"{path}.number")
        seen: dict[str, _Listed] = {}
        for number in listed:
            first = seen.setdefault(number.number, number)
            if first is not number:
                place = number.place
                self.problems.append(
                    Problem(
                        place.file,
                        place.line,
                        place.column,
                        place.path,
                        _listed_by(
                            f"{number.number} is listed twice: also at {first.origin}",
                            number.listed_by,
                        ),
                    )
                )
        return listed

    def _inline(self, listed: list[_Listed], node: Node, name: str | None, path: str) -> None:
        if not isinstance(node, Scalar) or node.value is None:
            return  # the document model reports it
        try:
            number = normalise_phone(node.value)
        except ValueError:
            return  # the document model reports it
        place = Problem(node.file, node.line, node.column, path, "")
        listed.append(_Listed(number, name.strip() if name else None, node.where, place))

    def _from_file(self, listed: list[_Listed], node: Node, path: str, columns: Columns) -> None:
        if not isinstance(node, Scalar) or not (node.value or "").strip():
            return  # the document model reports it
        relative = (node.value or "").strip()
        display = os.path.normpath(os.path.join(os.path.dirname(node.file), relative))
        result = read_number_file(Path(display), display, columns)
        self.files.setdefault(display, len(self.files))
        if result.data:
            self._read(display, result.data)
        # Name the listing in every problem of the file: among many profiles, the one to fix.
        by = f"{node.file}:{node.line}"
        self.listed_by.setdefault(display, by)
        self.problems.extend(
            Problem(p.file, p.line, p.column, p.path, _listed_by(p.message, by), p.severity)
            for p in result.problems
        )
        if not result.rows and not result.problems:
            self._problem(node, path, f"{display} lists no numbers")
        for row in result.rows:
            try:
                number = normalise_phone(row.number)
            except ValueError as error:
                self.problems.append(
                    Problem(
                        display,
                        row.row,
                        row.number_column,
                        "number",
                        _listed_by(f"'{excerpt(row.number.strip())}' {error}", by),
                    )
                )
                continue
            if values.long_display_name(row.display_name):
                self.problems.append(
                    Problem(
                        display,
                        row.row,
                        row.display_column,
                        "display_name",
                        _listed_by(_long_name(row.display_name or ""), by),
                        "warning",
                    )
                )
            place = Problem(display, row.row, row.number_column, "number", "")
            origin = f"{display} row {row.row}"
            listed.append(_Listed(number, row.display_name, origin, place, by))

    def _samples(self, root: Mapping, numbers: set[str]) -> None:
        """Refuse a dispute's sample number that is not one of the profile's numbers."""
        dispute = root.entries.get("dispute")
        if dispute is None or not isinstance(dispute.value, Mapping):
            return
        samples = dispute.value.entries.get("sample_numbers")
        if samples is None or not isinstance(samples.value, Sequence):
            return
        for index, item in enumerate(samples.value.items):
            if not isinstance(item, Scalar) or item.value is None:
                continue  # the document model reports it
            try:
                number = normalise_phone(item.value)
            except ValueError:
                continue  # the document model reports it
            if number not in numbers:
                self._problem(
                    item,
                    f"dispute.sample_numbers.{index}",
                    f"'{excerpt(item.value.strip())}' is not one of this profile's numbers; "
                    "a sample is a number of yours that was shown with the label (list it "
                    "under numbers: too)",
                )

    def _display_name_warnings(self, root: Mapping) -> None:
        """Warn about caller names longer than phones show (the top-level one and inline)."""
        candidates: list[tuple[Node, str]] = []
        top = root.entries.get("display_name")
        if top is not None:
            candidates.append((top.value, "display_name"))
        numbers = root.entries.get("numbers")
        if numbers is not None and isinstance(numbers.value, Sequence):
            for index, item in enumerate(numbers.value.items):
                if isinstance(item, Mapping) and "display_name" in item.entries:
                    candidates.append(
                        (item.entries["display_name"].value, f"numbers.{index}.display_name")
                    )
        for node, path in candidates:
            if isinstance(node, Scalar) and node.value is not None:
                name = node.value.strip()
                if values.long_display_name(name):
                    self._problem(node, path, _long_name(name), "warning")

    # -- the resolved profile -------------------------------------------------------------

    def _profile(self, document: ProfileDocument, listed: list[_Listed]) -> Profile:
        default_name = document.display_name
        address = document.company.address
        return Profile(
            label=document.label or label_for(self.path),
            company=Company(
                name=document.company.name,
                website=document.company.website,
                address=Address(
                    line1=address.line1,
                    line2=address.line2,
                    city=address.city,
                    state=address.state,
                    zip=address.zip,
                ),
            ),
            contact=Contact(
                name=document.contact.name,
                phone=document.contact.phone,
                email=document.contact.email,
            ),
            calling=Calling(
                category=document.calling.category,
                monthly_calls=document.calling.monthly_calls,
                service_provider=document.calling.service_provider,
                notes=document.calling.notes,
            ),
            display_name=default_name,
            numbers=tuple(
                PhoneNumber(
                    number=item.number,
                    display_name=item.display_name or default_name,
                    origin=item.origin,
                )
                for item in listed
            ),
            dispute=_dispute(document),
        )


def _dispute(document: ProfileDocument) -> Dispute | None:
    found = document.dispute
    if found is None:
        return None
    return Dispute(
        label=found.label,
        shown_by=found.shown_by,
        seen_on=found.seen_on,
        sample_numbers=tuple(found.sample_numbers or ()),
    )


def _places(node: Mapping, path: str) -> dict[str, tuple[str, int, int]]:
    """Where each value of a mapping (and of the mappings in it) was written, by dotted path,
    so that a later check of a value (e.g. against a portal's options) can point at it."""
    found: dict[str, tuple[str, int, int]] = {}
    for key, entry in node.entries.items():
        if isinstance(entry.value, Mapping):
            found.update(_places(entry.value, f"{path}{key}."))
        elif isinstance(entry.value, Scalar):
            value = entry.value
            found[f"{path}{key}"] = (value.file, value.line, value.column)
    return found


def _listed_by(message: str, listing: str) -> str:
    """`message`, naming where a profile lists the number file it is about (if it is)."""
    return f"{message} (listed by {listing})" if listing else message


def _long_name(name: str) -> str:
    return (
        f"display name '{excerpt(name)}' is {len(name)} characters; "
        f"phones show only the first {values.DISPLAY_NAME_LIMIT}"
    )


def _merge(base: Mapping, child: Mapping) -> Mapping:
    """`child` over `base`: mappings merge key by key, anything else (lists too) is replaced."""
    merged = Mapping(child.file, child.line, child.column)
    merged.entries = dict(base.entries)
    for key, entry in child.entries.items():
        old = merged.entries.get(key)
        if old is not None and isinstance(old.value, Mapping) and isinstance(entry.value, Mapping):
            merged.entries[key] = Entry(entry.key, _merge(old.value, entry.value))
        else:
            merged.entries[key] = entry
    return merged


def _columns(item: Mapping) -> Columns:
    """The headers and sheet a `{file: …}` item names (the document model checks their shape:
    anything but text is left out here)."""

    def text(node: Node | None) -> str | None:
        value = node.value if isinstance(node, Scalar) else None
        return value.strip() if isinstance(value, str) and value.strip() else None

    named = item.entries.get("columns")
    names = named.value if named is not None and isinstance(named.value, Mapping) else None
    sheet = item.entries.get("sheet")

    def header(key: str) -> str | None:
        entry = names.entries.get(key) if names is not None else None
        return text(entry.value) if entry is not None else None

    return Columns(header("number"), header("display_name"), text(sheet.value) if sheet else None)
