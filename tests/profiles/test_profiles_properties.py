"""Properties of the phone and ZIP normalisers (Hypothesis; FUZZ_EXAMPLES sets the budget)."""

from __future__ import annotations

import os
import re

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.profiles import phones
from assistant.profiles.phones import US_TERRITORIES, PhoneError, _us_patterns, normalise_phone
from assistant.profiles.values import normalise_zip

PROPERTIES = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "200")), deadline=None)

area = st.from_regex(r"\A[2-9][0-9]{2}\Z")
exchange = st.from_regex(r"\A[2-9][0-9]{2}\Z")
line = st.from_regex(r"\A[0-9]{4}\Z")
NOTATIONS = [
    "({a}) {e}-{l}",
    "{a}-{e}-{l}",
    "{a}.{e}.{l}",
    "{a} {e} {l}",
    "{a}{e}{l}",
    "+1{a}{e}{l}",
    "+1 {a} {e} {l}",
    "+1 ({a}) {e}-{l}",
    "1-{a}-{e}-{l}",
    "1 ({a}) {e} {l}",
    "  {a}-{e}-{l}  ",
    "+1-{a}-{e}-{l}",
    "1{a}{e}{l}",
    "+1.{a}.{e}.{l}",
    "tel:+1-{a}-{e}-{l}",
]


REASONS = re.compile(
    r"is empty|is not a phone number|is not a 10-digit US number|is not a valid US phone number"
    r"|is not a US number \((country code \+\d+|it is a number of region [A-Z]{2})\)"
    r"|has an extension; list the number that places the calls, without it"
)


def reference(text: str) -> str | None:
    """The answer the rules give, computed the slow way with phonenumbers alone."""
    try:
        parsed = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        return None
    digits = str(parsed.national_number)
    if parsed.country_code != 1 or parsed.extension or len(digits) != 10:
        return None
    region = phonenumbers.region_code_for_number(parsed)
    if phonenumbers.is_valid_number_for_region(parsed, "US") or region in US_TERRITORIES:
        return f"+1{digits}"
    fictional = (
        region is None
        and digits[3:8] == "55501"
        and digits[0] in "23456789"
        and digits[1] != "9"
        and digits[1:3] != "11"
        and digits[:3] != "555"
    )
    return f"+1{digits}" if fictional else None


def normalised(text: str) -> str | None:
    try:
        return normalise_phone(text)
    except PhoneError:
        return None


@PROPERTIES
@given(area, exchange, line, st.sampled_from(NOTATIONS))
def test_every_notation_gives_the_answer_of_the_slow_path(
    a: str, e: str, ln: str, notation: str
) -> None:
    text = notation.format(a=a, e=e, l=ln)
    assert normalised(text) == reference(text)


@PROPERTIES
@given(area, exchange, line)
def test_all_notations_of_one_number_agree(a: str, e: str, ln: str) -> None:
    answers = {normalised(n.format(a=a, e=e, l=ln)) for n in NOTATIONS}
    assert len(answers) == 1


@PROPERTIES
@given(area, st.integers(min_value=0, max_value=99), st.sampled_from(NOTATIONS))
def test_fictional_555_01xx_numbers_follow_the_documented_rule(
    a: str, last: int, notation: str
) -> None:
    text = notation.format(a=a, e="555", l=f"01{last:02d}")
    assert normalised(text) == reference(text)
    if a[1] != "9" and a[1:] != "11" and a != "555":
        region = phonenumbers.region_code_for_number(phonenumbers.parse(text, "US"))
        if region in (None, "US", *US_TERRITORIES):
            assert normalised(text) == f"+1{a}55501{last:02d}"


@PROPERTIES
@given(st.text(max_size=40))
def test_any_text_is_either_e164_or_a_phone_error(text: str) -> None:
    try:
        result, reason = normalise_phone(text), ""
    except PhoneError as error:
        result, reason = "", str(error)
    if reason:
        assert REASONS.fullmatch(reason), reason  # a fixed reason: the text is never echoed
    else:
        assert result.startswith("+1")
        assert len(result) == 12
        assert result[1:].isdigit()


@PROPERTIES
@given(st.from_regex(r"\A[0-9]{10}\Z"))
def test_the_compiled_us_patterns_agree_with_phonenumbers(digits: str) -> None:
    general, types = _us_patterns()
    fast = bool(general.fullmatch(digits) and types.fullmatch(digits))
    number = phonenumbers.PhoneNumber(country_code=1, national_number=int(digits))
    assert fast == phonenumbers.is_valid_number_for_region(number, "US")


def test_the_us_metadata_read_without_importing_phonenumbers_is_what_the_package_holds() -> None:
    """`validate` reads phonenumbers' region file as literals (importing the package costs
    more than checking a profile): the reading must be exactly the metadata the package loads."""
    from_source = phones.us_descriptions_from_source()
    assert from_source is not None
    assert from_source == phones.us_descriptions_from_package()
    assert from_source["fixed_line"] is not None


@pytest.mark.parametrize(
    "source",
    [
        "PHONE_METADATA_US = load_metadata('US')\n",
        "M = PhoneMetadata(id='US', fixed_line=PhoneNumberDesc(national_number_pattern=p()))\n",
        "M = PhoneMetadata(id='US', mobile=Desc(national_number_pattern='2\\\\d{9}'))\n",
        "M = PhoneMetadata(id='US', general_desc=PhoneNumberDesc(national_number_pattern=1))\n",
        "A = PhoneMetadata(id='US')\nB = PhoneMetadata(id='CA')\n",
        "PhoneMetadata(id='US',\n",
    ],
)
def test_a_region_file_of_another_shape_is_not_guessed_at(source: str) -> None:
    assert phones.descriptions_in(source) is None


def test_without_a_readable_region_file_the_patterns_come_from_the_package(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expected = _us_patterns()
    monkeypatch.setattr(phones, "us_descriptions_from_source", lambda: None)
    _us_patterns.cache_clear()
    try:
        assert _us_patterns() == expected
    finally:
        _us_patterns.cache_clear()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(619) 555-0142", "+16195550142"),
        ("+1 619 555 0142", "+16195550142"),
        ("1-800-FLOWERS", "+18003569377"),
        ("(787) 555-0100", "+17875550100"),
    ],
)
def test_examples_of_accepted_numbers(text: str, expected: str) -> None:
    assert normalise_phone(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("+4712345678", "is not a US number (country code +47)"),
        ("(416) 555-0100", "is not a US number (it is a number of region CA)"),
        ("(211) 555-0100", "is not a valid US phone number"),
        ("555-555-0100", "is not a valid US phone number"),
        ("garbage", "is not a phone number"),
        ("", "is empty"),
    ],
)
def test_examples_of_refused_numbers(text: str, reason: str) -> None:
    with pytest.raises(PhoneError) as caught:
        normalise_phone(text)
    assert str(caught.value) == reason


@PROPERTIES
@given(st.from_regex(r"\A[0-9]{5}(-[0-9]{4})?\Z"), st.sampled_from(["", " ", "\t"]))
def test_a_zip_is_kept_exactly_as_written(zip_code: str, pad: str) -> None:
    assert normalise_zip(f"{pad}{zip_code}{pad}") == zip_code


@PROPERTIES
@given(st.from_regex(r"\A[0-9]{9}\Z"))
def test_nine_bare_digits_get_their_dash(digits: str) -> None:
    assert normalise_zip(digits) == f"{digits[:5]}-{digits[5:]}"


@PROPERTIES
@given(st.text(max_size=15))
def test_anything_else_is_not_a_zip(text: str) -> None:
    try:
        result, reason = normalise_zip(text), ""
    except ValueError as error:
        result, reason = "", str(error)
    if reason:
        assert reason.endswith("is not a ZIP code; write 12345 or 12345-6789")
    else:
        assert result.isascii()
        assert len(result) in (5, 10)
        assert result.replace("-", "").isdigit()
        assert result == text.strip() or result.replace("-", "") == text.strip()
