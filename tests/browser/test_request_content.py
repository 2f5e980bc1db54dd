"""What a request carries of a submission: reading it as a server would, recognising the
numbers in every common spelling, the company name, the email and the code, and comparing the
submit request with what was reviewed. Pure: no browser."""

from __future__ import annotations

import json

import pytest

from assistant.browser.request_content import (
    Body,
    Expected,
    Fingerprint,
    compare,
    describe,
    kinds,
    national,
    phone_numbers,
    read,
)

FP = Fingerprint(
    numbers=frozenset({"6195550100", "6195550101"}),
    company="Lakeside Unified School District",
    email="it@lakeside.example.org",
    codes=frozenset({"48213"}),
)
FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize(
    "spelling",
    [
        "6195550100",
        "+16195550100",
        "16195550100",
        "619-555-0100",
        "619.555.0100",
        "619 555 0100",
        "(619) 555-0100",
        "(619)555-0100",
        "+1 (619) 555-0100",
        "1-619-555-0100",
        "+1 619 555 0100",
    ],
)
def test_a_number_is_recognised_in_every_common_spelling(spelling: str) -> None:
    assert national(spelling) == "6195550100"
    assert phone_numbers(f"phones={spelling}&x=1") == {"6195550100"}
    assert kinds(FP, read(Body(f"https://h/p?n={spelling}"))) == {"numbers"}


@pytest.mark.parametrize(
    "text",
    [
        "a6195550100b",  # inside a token
        "96195550100",  # part of a longer run of digits
        "61955501001",
        "1733580000",  # a Unix time: no area code starts with 1
        "0195550100",
        "token=x8372619450y",
        "619555010",  # nine digits
    ],
)
def test_digits_that_are_not_a_number_on_their_own_are_not_taken_for_one(text: str) -> None:
    assert phone_numbers(text) == set()


def test_a_form_posted_body_is_read_field_by_field() -> None:
    body = (
        b"enterprise_phone_0=619-555-0100&name=Lakeside+Unified+School+District"
        b"&e=it%40lakeside.example.org"
    )
    found = read(Body("https://h/fcr/submit", body, FORM))
    assert found.values == (
        "619-555-0100",
        "Lakeside Unified School District",
        "it@lakeside.example.org",
    )
    assert kinds(FP, found) == {"numbers", "company name", "contact email"}


def test_json_is_read_at_any_depth_with_its_escapes() -> None:
    body = json.dumps({"a": [{"b": {"phone": "+1 619 555 0101"}}], "c": "IT@LAKESIDE.example.org"})
    found = read(Body("https://h/api", body.encode(), "application/json; charset=utf-8"))
    assert "+1 619 555 0101" in found.values
    assert kinds(FP, found) == {"numbers", "contact email"}
    escaped = b'{"n": "\\u0036195550100"}'  # "6195550100" with its first digit escaped
    assert kinds(FP, read(Body("https://h/api", escaped, "application/json"))) == {"numbers"}


def test_multipart_parts_are_read_and_a_file_is_named() -> None:
    boundary = "XyZ"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="phone"\r\n\r\n6195550100\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="up"; filename="n.xlsx"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n\x00\x01\r\n--{boundary}--\r\n"
    ).encode()
    found = read(Body("https://h/p", body, f"multipart/form-data; boundary={boundary}"))
    assert "6195550100" in found.values
    assert "n.xlsx" in found.values
    assert kinds(FP, found) == {"numbers"}


@pytest.mark.parametrize(
    ("url", "body", "kind"),
    [
        # In the path, encoded twice.
        ("https://h/t/it%2540lakeside.example.org", None, ""),
        # Plain text the page made up, and a content type that lies.
        ("https://h/t", b"mail it@lakeside.example.org please", "text/plain"),
        ("https://h/t", b'{"m": "it@lakeside.example.org"}', "text/plain"),
        ("https://h/t", b"m=it%40lakeside.example.org", "application/octet-stream"),
    ],
)
def test_what_a_page_hides_in_the_url_or_an_odd_body_is_still_read(
    url: str, body: bytes | None, kind: str
) -> None:
    assert kinds(FP, read(Body(url, body, kind))) == {"contact email"}


def test_the_company_name_counts_as_a_whole_ignoring_case_and_spaces() -> None:
    assert kinds(FP, read(Body("https://h/x?c=lakeside%20%20UNIFIED school+district"))) == {
        "company name"
    }
    short = Fingerprint(frozenset(), "Acme", "")
    assert kinds(short, read(Body("https://h/static/acme-logo.png"))) == {"company name"}
    assert kinds(short, read(Body("https://h/static/acmesite.png"))) == frozenset()
    assert kinds(Fingerprint(frozenset(), "AB", ""), read(Body("https://h/ab"))) == frozenset()


def test_the_code_counts_only_as_a_token_of_its_own() -> None:
    assert kinds(FP, read(Body("https://h/v", b'{"code": "48213"}', "application/json"))) == {
        "verification code"
    }
    assert kinds(FP, read(Body("https://h/v?t=a48213b&z=148213"))) == frozenset()


def test_how_a_person_is_told_what_a_request_carried() -> None:
    assert describe(["numbers"]) == "the registration (its numbers)"
    assert describe(["company name", "numbers"]) == (
        "the registration (its numbers and the company name)"
    )
    assert describe(["contact email"]) == "the contact email"
    assert describe(["verification code", "contact email", "numbers"]) == (
        "the registration (its numbers), the contact email and the verification code"
    )
    assert describe([]) == "nothing of the registration"


REVIEWED = [
    Expected("company name", "Lakeside Unified School District"),
    Expected("contact phone", "6195550142"),
    Expected("number 1", "6195550100"),
    Expected("number 2", "6195550101"),
    Expected("category", "7"),
]


def form(**fields: str) -> Body:
    from urllib.parse import urlencode

    return Body("https://h/fcr/submit", urlencode(fields).encode(), FORM)


def test_a_submit_request_carrying_what_was_reviewed_passes() -> None:
    found = read(
        form(
            enterprise_company_name="Lakeside Unified School District",
            enterprise_contact_phone="619-555-0142",  # any spelling of a number
            enterprise_phone_0="(619) 555-0100",
            enterprise_phone_1="6195550101",
            enterprise_category="7",
            verification_token="a8372619450bd",
        )
    )
    assert not compare(REVIEWED, found)


def test_a_changed_value_a_missing_number_and_an_unreviewed_number_are_each_named() -> None:
    found = read(
        form(
            enterprise_company_name="Lakeside Unified School District Holdings",
            enterprise_contact_phone="6195550142",
            enterprise_phone_0="6195550199",
            enterprise_phone_1="6195550101",
            enterprise_category="7",
        )
    )
    mismatch = compare(REVIEWED, found)
    assert mismatch.describe() == (
        'it lacks company name "Lakeside Unified School District"; number 1 "6195550100"; it '
        "carries 6195550199, which you did not review"
    )


def test_a_body_without_fields_is_searched_for_whole_values() -> None:
    text = Body(
        "https://h/fcr/submit",
        b"Lakeside Unified School District / 6195550142 / 6195550100 / 6195550101 / 7",
        "text/plain",
    )
    assert not compare(REVIEWED, read(text))
    changed = Body("https://h/fcr/submit", b"Lakeside Unified School Districts 7", "text/plain")
    assert [e.field for e in compare(REVIEWED, read(changed)).missing] == [
        "company name",
        "contact phone",
        "number 1",
        "number 2",
    ]


def test_base64_in_a_url_or_a_body_is_read_too() -> None:
    import base64

    hidden = base64.urlsafe_b64encode(b"p=6195550100&c=Lakeside Unified School District").decode()
    assert kinds(FP, read(Body(f"https://h/x/b64?d={hidden}"))) == {"numbers", "company name"}
    body = json.dumps({"email": FP.email, "d": base64.b64encode(b"6195550101").decode()})
    found = read(Body("https://h/api/send-code", body.encode(), "application/json"))
    assert kinds(FP, found) == {"numbers", "contact email"}


def test_headers_and_cookies_are_read_for_the_registration_and_the_code() -> None:
    headers = (("cookie", "reg=6195550100"), ("x-reg", "Lakeside Unified School District"))
    assert kinds(FP, read(Body("https://h/img", headers=headers))) == {"numbers", "company name"}
    code = (("cookie", "c=48213"),)
    assert kinds(FP, read(Body("https://h/img", headers=code))) == {"verification code"}
    # A portal's own cookie holding the email is its business: the email is read elsewhere.
    mail = (("cookie", "who=it%40lakeside.example.org"),)
    assert kinds(FP, read(Body("https://h/img", headers=mail))) == frozenset()


def test_two_values_are_never_read_as_one_number() -> None:
    assert phone_numbers(read(Body("https://h/x?a=619&b=5550100")).text) == set()


def test_a_value_spaced_out_is_still_a_number() -> None:
    found = read(form(p="6 1 9 5 5 5 0 1 9 9"))
    assert compare([], found).unreviewed == ("6195550199",)


def test_a_reviewed_value_must_be_under_its_own_name_once() -> None:
    keyed = [Expected("company name", "Lakeside Unified School District", "name")]
    assert not compare(keyed, read(form(name="Lakeside Unified School District")))
    moved = read(form(name="Evil Corp", copy="Lakeside Unified School District"))
    assert [e.field for e in compare(keyed, moved).missing] == ["company name"]
    twice = Body(
        "https://h/fcr/submit",
        b"name=Lakeside+Unified+School+District&name=Evil+Corp",
        FORM,
    )
    assert [e.field for e in compare(keyed, read(twice)).missing] == ["company name"]


def test_a_body_longer_than_what_is_read_is_never_taken_as_checked() -> None:
    from assistant.browser.request_content import MAX_BODY

    body = b"name=Lakeside+Unified+School+District&pad=" + b"x" * MAX_BODY
    mismatch = compare(REVIEWED[:1], read(Body("https://h/fcr/submit", body, FORM)))
    assert mismatch.describe() == f"it is longer than the {MAX_BODY} bytes that can be checked"
