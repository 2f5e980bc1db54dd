"""The request guard's decisions, one rule at a time, and the exact sentence each refusal puts
before the person. Pure: the guard is shown requests as `GuardedContext` shows it them."""

from __future__ import annotations

from urllib.parse import urlencode

from assistant.browser.request_content import Expected, Fingerprint
from assistant.browser.request_guard import (
    EMAIL_AND_CODE,
    REPAIR,
    Click,
    Declared,
    RequestGuard,
    Seen,
)

HOST = "www.freecallerregistry.com"
BASE = f"https://{HOST}"
FP = Fingerprint(
    numbers=frozenset({"6195550100", "6195550101"}),
    company="Lakeside Unified School District",
    email="it@lakeside.example.org",
)
FORM = "application/x-www-form-urlencoded"
REGISTRATION = {
    "enterprise_company_name": "Lakeside Unified School District",
    "enterprise_contact_email": "it@lakeside.example.org",
    "enterprise_phone_0": "6195550100",
    "enterprise_phone_1": "6195550101",
}
REVIEWED = [Expected(k, v) for k, v in REGISTRATION.items()]
SEND_CODE = Click('"Send verification code"', 1, frozenset({"contact email"}))


def guard(**kwargs: object) -> RequestGuard:
    return RequestGuard.for_hosts([HOST], FP, **kwargs)  # type: ignore[arg-type]


def post(path: str, fields: dict[str, str] | None = None, **kwargs: object) -> Seen:
    body = urlencode(fields or {}).encode()
    return Seen("POST", f"{BASE}{path}", body, FORM, **kwargs)  # type: ignore[arg-type]


def get(url: str) -> Seen:
    return Seen("GET", url if "://" in url else f"{BASE}{url}")


def said(what: str) -> str:
    return f"{what}: the portal has changed; nothing was sent. {REPAIR}."


def test_plain_loads_of_the_portal_leave_and_writes_by_the_page_itself_stop_the_run() -> None:
    g = guard()
    assert g.decide(get("/fcr/static/wizard.js")).allow
    assert g.violation is None
    assert not g.decide(post("/fcr/api/draft", {"x": "1"})).allow
    assert g.violation == said(
        "the page tried to send a POST request to /fcr/api/draft by itself, with no button pressed"
    )
    assert g.blocked_writes == [f"POST {HOST}/fcr/api/draft"]


def test_a_get_that_carries_the_registration_is_refused_like_a_write() -> None:
    g = guard()
    assert not g.decide(
        get("/fcr/pixel.gif?n=619-555-0100&c=Lakeside+Unified+School+District")
    ).allow
    assert g.violation == said(
        "the page tried to send the registration (its numbers and the company name) to "
        "/fcr/pixel.gif by itself, with no button pressed"
    )


def test_every_write_method_is_a_write_and_only_the_safe_ones_are_not() -> None:
    for method in ("PUT", "PATCH", "DELETE", "POST", "PROPFIND"):
        g = guard()
        assert not g.decide(Seen(method, f"{BASE}/x")).allow, method
        assert g.violation is not None
    for method in ("GET", "HEAD", "OPTIONS"):
        g = guard()
        assert g.decide(Seen(method, f"{BASE}/x")).allow, method
        assert g.violation is None


def test_another_host_is_refused_and_only_what_carries_or_writes_stops_the_run() -> None:
    g = guard()
    assert not g.decide(get("http://127.0.0.2:8000/track.gif")).allow
    assert g.violation is None
    assert g.blocked_hosts == ["127.0.0.2"]
    assert not g.decide(get("http://127.0.0.2:8000/t?e=it%40lakeside.example.org")).allow
    assert g.violation == said(
        "the page tried to send the contact email to 127.0.0.2:8000/t, which is not a host of "
        "this portal"
    )


def test_hosts_compare_as_hosts_do() -> None:
    g = RequestGuard.for_hosts(["WWW.FreeCallerRegistry.com."], FP)
    assert g.decide(get("https://www.freecallerregistry.com./fcr/")).allow
    assert g.decide(get("https://www.freecallerregistry.com:443/fcr/")).allow
    assert not g.decide(get("https://freecallerregistry.com/fcr/")).allow


def test_a_click_may_send_what_the_map_declares_and_no_more() -> None:
    g = guard()
    g.clicking(SEND_CODE)
    assert g.decide(post("/fcr/api/send-code", {"email": FP.email})).allow
    assert not g.decide(post("/fcr/api/send-code", {"email": FP.email})).allow
    g.clicking(None)
    assert g.violation == said(
        'clicking "Send verification code" tried to send POST /fcr/api/send-code; the map '
        "declares 1 request for that click"
    )


def test_a_continue_button_that_registers_is_refused_even_within_its_count() -> None:
    g = guard()
    g.clicking(Click('"Continue to final step"', 5))  # writes declared, carrying nothing
    assert not g.decide(post("/fcr/api/submit", REGISTRATION)).allow
    assert g.violation == said(
        'clicking "Continue to final step" tried to send the registration (its numbers and the '
        "company name) and the contact email to /fcr/api/submit"
    )


def test_a_continue_button_declares_no_write_by_default() -> None:
    g = guard()
    g.clicking(Click('"Continue to next step"'))
    assert g.decide(get("/fcr/static/next.js")).allow
    assert not g.decide(post("/fcr/api/check", {"ok": "1"})).allow
    assert g.violation == said(
        'clicking "Continue to next step" tried to send POST /fcr/api/check; the map declares '
        "no request for that click"
    )


def test_the_code_goes_out_only_with_the_click_declared_for_it() -> None:
    g = guard()
    g.knows_code("48213")
    g.clicking(Click("the verify button", 1, EMAIL_AND_CODE))
    assert g.decide(post("/fcr/api/verify-code", {"email": FP.email, "code": "48213"})).allow
    g.clicking(None)
    assert g.violation is None
    assert not g.decide(get("/fcr/x?code=48213")).allow
    assert g.violation == said(
        "the page tried to send the verification code to /fcr/x by itself, with no button pressed"
    )


def test_a_declared_request_leaves_with_what_it_may_carry_and_nothing_more() -> None:
    draft = Declared("draft", "POST", f"{BASE}/fcr/api/draft", frozenset({"contact email"}))
    g = guard(declared=(draft,))
    assert g.decide(post("/fcr/api/draft", {"e": FP.email})).allow
    assert not g.decide(post("/fcr/api/draft", {"p": "6195550100"})).allow
    assert g.violation == said(
        "the page's draft request tried to send the registration (its numbers) to /fcr/api/draft"
    )


def test_the_submit_leaves_once_and_only_as_reviewed() -> None:
    g = guard()
    g.submitting(REVIEWED)
    assert g.decide(post("/fcr/submit", REGISTRATION)).allow
    assert g.released is not None
    assert g.released.describe() == f"POST {HOST}/fcr/submit carrying 2 numbers"
    assert g.released.numbers == ("6195550100", "6195550101")
    assert not g.decide(post("/fcr/submit", REGISTRATION)).allow  # never a second time
    assert g.decide(get("/fcr/done")).allow  # the answer's page loads
    g.submitting(None)
    assert g.after_submit == [f"POST {HOST}/fcr/submit"]
    assert g.violation is None


def test_a_submit_request_that_differs_from_the_review_is_stopped() -> None:
    g = guard()
    g.submitting(REVIEWED)
    changed = {**REGISTRATION, "enterprise_phone_1": "6195550199"}
    assert not g.decide(post("/fcr/submit", changed)).allow
    assert g.released is None
    assert g.refused_submit == (
        f"the submit request (POST {HOST}/fcr/submit) does not carry what you reviewed: it "
        'lacks enterprise_phone_1 "6195550101"; it carries 6195550199, which you did not review'
    )
    # The page trying again with the right values gets nothing out either.
    assert not g.decide(post("/fcr/submit", REGISTRATION)).allow


def test_a_map_that_names_its_submit_request_gets_only_that_one() -> None:
    named = Declared("submit", "POST", "**/fcr/submit")
    g = guard(submit_request=named)
    assert not g.decide(post("/fcr/submit", REGISTRATION)).allow  # not before the confirmation
    g = guard(submit_request=named)
    g.submitting(REVIEWED)
    assert not g.decide(post("/fcr/other", REGISTRATION)).allow
    assert g.decide(post("/fcr/submit", REGISTRATION)).allow


def test_popups_get_nothing_out() -> None:
    g = guard()
    assert not g.decide(Seen("GET", f"{BASE}/fcr/popup.html", own_page=False)).allow
    assert g.violation is None
    assert not g.decide(post("/fcr/x", REGISTRATION, own_page=False)).allow
    assert g.violation is not None
    assert g.violation.startswith("a popup of the page tried to send the registration")


def test_after_the_decision_nothing_leaves() -> None:
    g = guard()
    g.submitting(REVIEWED)
    g.shut()
    assert not g.is_submitting
    assert not g.decide(get("/fcr/")).allow
    assert not g.decide(post("/fcr/submit", REGISTRATION)).allow
    assert g.late == [f"GET {HOST}/fcr/", f"POST {HOST}/fcr/submit"]


def test_a_decision_that_failed_stops_the_run() -> None:
    g = guard()
    g.could_not_judge("POST", f"{BASE}/fcr/submit", ValueError("bad"))
    assert g.violation == said(
        "the request guard could not judge POST /fcr/submit (ValueError), and refused it"
    )
