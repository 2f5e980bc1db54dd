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
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumber

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


def mask_phone(text: str) -> str:
    """`text` with most of the number hidden, so an error about a personal phone can still
    say which value it means: `+1 503-555-0150` -> `+1 503-***-**50`.

    Kept: every character that is not a letter or digit, a leading country code 1, the area
    code (the first three national digits) when the text has at least ten, and the last two.
    Every other letter or digit becomes `*` (letters too: `1-800-FLOWERS` spells digits).
    """
    places = [i for i, char in enumerate(text) if char.isalnum()]
    keep = set(places[-2:]) if len(places) > 4 else set()
    national = places
    if len(places) >= 11 and text[places[0]] == "1":
        keep.add(places[0])
        national = places[1:]
    if len(national) >= 10:
        keep.update(national[:3])
    return "".join(char if i in keep or not char.isalnum() else "*" for i, char in enumerate(text))


def is_e164_us(text: str) -> bool:
    """True when `text` already has the shape `normalise_phone` returns."""
    return _E164.fullmatch(text) is not None


def _slow_digits(text: str) -> str:
    """The ten national digits of `text` through phonenumbers' full parser."""
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
    number = PhoneNumber(country_code=1, national_number=int(digits))
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


@cache
def _us_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """phonenumbers' US patterns for 10-digit numbers: the general one, and any number type."""
    never = re.compile("(?!)")
    meta = phonenumbers.PhoneMetadata.metadata_for_region("US")
    if meta is None:
        return never, never
    descs = (
        meta.premium_rate,
        meta.toll_free,
        meta.shared_cost,
        meta.voip,
        meta.personal_number,
        meta.pager,
        meta.uan,
        meta.voicemail,
        meta.fixed_line,
        meta.mobile,
    )
    parts = [
        desc.national_number_pattern
        for desc in descs
        if desc is not None
        and desc.national_number_pattern
        and (not desc.possible_length or 10 in desc.possible_length)
    ]
    general = meta.general_desc.national_number_pattern if meta.general_desc else None
    if not general or not parts:
        return never, never
    return re.compile(general), re.compile("|".join(f"(?:{part})" for part in parts))
