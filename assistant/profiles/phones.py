"""US phone numbers: any common notation in, E.164 out, or a reason why not.

Accepted: numbers `phonenumbers` calls valid for the US or a US territory (Puerto Rico, the
US Virgin Islands, Guam, the Northern Mariana Islands, American Samoa), written in any notation
it understands (`(619) 555-0142`, `619.555.0142`, `+1 619 555 0142`, `1-800-FLOWERS` …).

Also accepted: NXX-555-0100 … NXX-555-0199. NANPA reserves 555-0100..0199 in every area code
for fiction, which makes them the right numbers for examples and tests. `phonenumbers`
(9.0.x) happens to call them valid in assigned area codes, but its metadata changes with each
release and has called them invalid before, so they are accepted by rule: the area code must
be well formed (first digit 2-9, not an N11 service code, not 555, second digit not 9,
which NANPA keeps for expansion). A number that is valid for another NANP country (Canada,
Jamaica …) is refused as not a US number, even in the fictional range.

Speed: validating 10,000 numbers must stay well above 20,000/s. `phonenumbers.parse` costs
~26 µs and its validity check ~11 µs, so the usual notations are recognised by one regular
expression, and US validity is checked against `phonenumbers`' own US patterns compiled into
one expression (the same test `is_valid_number_for_region(n, "US")` makes, type by type; a
property test keeps the two in agreement). Anything else takes the full parse.

Start-up: importing `phonenumbers` takes longer than checking a whole profile, so the US
patterns are read from its metadata file (`phonenumbers/data/region_US.py`) without importing
the package, and the package is imported only for a notation or a number the fast path does
not settle. Should that file ever take another shape, the patterns come from the imported
package as before (a test checks that both readings agree).
"""

from __future__ import annotations

import ast
import re
from functools import cache, lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

US_TERRITORIES = ("PR", "VI", "GU", "MP", "AS")

# (619) 555-0142, 619-555-0142, 619.555.0142, 619 555 0142, 6195550142, with an optional
# leading 1 or +1. Anything else goes to phonenumbers' full parser.
_COMMON = re.compile(
    r"(?:\+?1[ .-]?)?(?:\(([2-9]\d\d)\)|([2-9]\d\d))[ .-]?([2-9]\d\d)[ .-]?(\d{4})",
    re.ASCII,
)
_FICTIONAL = re.compile(r"[2-9][0-8]\d5550[1]\d\d", re.ASCII)
_E164 = re.compile(r"\+1[2-9]\d\d[2-9]\d{6}", re.ASCII)


class PhoneError(ValueError):
    """The text is not a US phone number; `str()` says why without repeating the number."""


@lru_cache(maxsize=65536)
def normalise_phone(text: str) -> str:
    """The E.164 form (`+16195550142`) of a US number written in any common notation.

    Raises `PhoneError` (a `ValueError`) whose message says what is wrong but never repeats
    the number, so callers decide whether showing it is appropriate.
    """
    stripped = text.strip()
    if not stripped:
        raise PhoneError("is empty")
    match = _COMMON.fullmatch(stripped)
    if match is not None:
        area = match.group(1) or match.group(2)
        digits = f"{area}{match.group(3)}{match.group(4)}"
    else:
        digits = _slow_digits(stripped)
    _check_us(digits)
    return f"+1{digits}"


def is_e164_us(text: str) -> bool:
    """True when `text` already has the shape `normalise_phone` returns."""
    return _E164.fullmatch(text) is not None


def _slow_digits(text: str) -> str:
    """The ten national digits of `text` through phonenumbers' full parser."""
    import phonenumbers
    from phonenumbers import NumberParseException

    try:
        parsed = phonenumbers.parse(text, "US")
    except NumberParseException:
        raise PhoneError("is not a phone number") from None
    if parsed.country_code != 1:
        raise PhoneError(f"is not a US number (country code +{parsed.country_code})")
    if parsed.extension:
        raise PhoneError("has an extension; list the number that places the calls, without it")
    digits = str(parsed.national_number)
    if len(digits) != 10:
        raise PhoneError("is not a 10-digit US number")
    return digits


def _check_us(digits: str) -> None:
    """Raise `PhoneError` unless the ten digits are a US (or US territory) number."""
    general, types = _us_patterns()
    if general.fullmatch(digits) and types.fullmatch(digits):
        return
    import phonenumbers

    number = phonenumbers.PhoneNumber(country_code=1, national_number=int(digits))
    if phonenumbers.is_valid_number_for_region(number, "US"):
        return  # never reached while the patterns agree; kept so metadata quirks stay safe
    region = phonenumbers.region_code_for_number(number)
    if region in US_TERRITORIES:
        return
    if region is not None:
        raise PhoneError(f"is not a US number (it is a number of region {region})")
    if _FICTIONAL.fullmatch(digits) and digits[1:3] != "11" and digits[:3] != "555":
        return
    raise PhoneError("is not a valid US phone number")


# The descriptions `_us_patterns` reads: the general one, then every number type.
_TYPES = (
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
    "fixed_line",
    "mobile",
)
# name -> (national_number_pattern, possible_length), None where the metadata has no such type.
Descriptions = dict[str, tuple[str | None, tuple[int, ...]] | None]


@cache
def _us_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """phonenumbers' US patterns for 10-digit numbers: the general one, and any number type."""
    never = re.compile("(?!)")
    descs = us_descriptions_from_source() or us_descriptions_from_package()
    if descs is None:
        return never, never
    parts = [
        pattern
        for pattern, lengths in (descs[name] or (None, ()) for name in _TYPES)
        if pattern and (not lengths or 10 in lengths)
    ]
    general = (descs["general_desc"] or (None, ()))[0]
    if not general or not parts:
        return never, never
    return re.compile(general), re.compile("|".join(f"(?:{part})" for part in parts))


def us_descriptions_from_package() -> Descriptions | None:
    """The US number descriptions as the imported `phonenumbers` holds them."""
    import phonenumbers

    meta = phonenumbers.PhoneMetadata.metadata_for_region("US")
    if meta is None:
        return None
    descs: Descriptions = {}
    for name in ("general_desc", *_TYPES):
        desc = getattr(meta, name)
        descs[name] = (
            None if desc is None else (desc.national_number_pattern, tuple(desc.possible_length))
        )
    return descs


def us_descriptions_from_source() -> Descriptions | None:
    """The US number descriptions read from phonenumbers' generated `data/region_US.py`
    without importing the package; None when the file is not found or not of the expected
    shape (see `descriptions_in`)."""
    try:
        spec = find_spec("phonenumbers")
        folders = list(spec.submodule_search_locations or ()) if spec is not None else []
        source = (Path(folders[0]) / "data" / "region_US.py").read_text(encoding="utf-8")
    except (OSError, ValueError, IndexError):
        return None
    return descriptions_in(source)


def descriptions_in(source: str) -> Descriptions | None:
    """The descriptions in the source of a phonenumbers region file: its one
    `PhoneMetadata(...)` call whose descriptions are `PhoneNumberDesc(...)` calls of literals.
    None for anything else: the caller then asks the imported package."""
    try:
        calls = [
            node
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and _called(node) == "PhoneMetadata"
        ]
        if len(calls) != 1:
            return None
        given = {kw.arg: kw.value for kw in calls[0].keywords if kw.arg is not None}
        descs: Descriptions = {}
        for name in ("general_desc", *_TYPES):
            node = given.get(name)
            if node is None or (isinstance(node, ast.Constant) and node.value is None):
                descs[name] = None
                continue
            if not isinstance(node, ast.Call) or _called(node) != "PhoneNumberDesc" or node.args:
                return None
            fields: dict[str, Any] = {
                kw.arg: ast.literal_eval(kw.value) for kw in node.keywords if kw.arg is not None
            }
            pattern = fields.get("national_number_pattern")
            lengths = fields.get("possible_length") or ()
            if not (pattern is None or isinstance(pattern, str)):
                return None
            descs[name] = (pattern, tuple(int(n) for n in lengths))
    except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
        return None
    return descs


def _called(call: ast.Call) -> str | None:
    """The name a call calls (`PhoneMetadata` in `PhoneMetadata(...)`), if a plain name."""
    return call.func.id if isinstance(call.func, ast.Name) else None
