"""The replica portal over plain HTTP: what it accepts, refuses, records and keeps on disk,
and the faults that show at the HTTP level."""

from __future__ import annotations

import json
import os
import re
import stat
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from assistant.replica import FAULTS, Replica

Start = Callable[..., Replica]
EMAIL = "ops@acme.example"


def fetch(
    portal: Replica, path: str, data: dict[str, Any] | None = None, *, timeout: float = 10
) -> tuple[int, str]:
    """(status, body) of a GET, or of a form POST when `data` is given; errors are answers too."""
    body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
    request = urllib.request.Request(portal.origin + path, data=body)  # noqa: S310 - loopback http
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def send_code(portal: Replica, email: str = EMAIL) -> str:
    status, _ = fetch(portal, "/fcr/api/send-code", {"email": email})
    assert status == 200
    return portal.latest_code(email)


def valid_fields(portal: Replica, **changes: Any) -> dict[str, Any]:
    """A complete, acceptable submission for the portal's layout, with a fresh code."""
    fields: dict[str, Any] = {
        "enterprise_phone_0": "6025550101",
        "enterprise_company_name": "Acme Calls LLC",
        "enterprise_company_address_line_1": "1 Main St",
        "enterprise_company_address_line_2": "",
        "enterprise_company_address_city": "Tampa",
        "enterprise_company_url": "https://acme.example",
        "enterprise_contact_name": "Ann Ops",
        "enterprise_contact_phone": "6025550100",
        "enterprise_contact_email": EMAIL,
        "enterprise_company_address_zip": "33601",
        "enterprise_service_provider": "Twilio",
        "captcha": send_code(portal),
        "enableCheckbox": "on",
    }
    if portal.layout == "classic":
        fields |= {
            "enterprise_displayName_0": "ACME",
            "enterprise_category": "financial_services",
            "enterprise_company_address_state": "FL",
            "call_count": "3000",
            "additional_feedback": "",
        }
    else:
        fields |= {
            "enterprise_category": "7",  # "Financial Services" in the wizard's numbering
            "enterprise_company_address_state": "Florida",
            "enterprise_calls_per_month": "1,001 - 10,000",
        }
    fields.update(changes)
    return {k: v for k, v in fields.items() if v is not None}


FEEDBACK = re.compile(r'class="feedback-id">(FCRFE\d{17})<')


@pytest.mark.parametrize("layout", ["wizard", "classic"])
def test_a_valid_submission_is_recorded_field_by_field(replica: Start, layout: str) -> None:
    portal = replica(layout)
    fields = valid_fields(portal)
    status, page = fetch(portal, "/fcr/submit", fields)
    assert status == 200
    match = FEEDBACK.search(page)
    assert match, page
    assert "Thank you. Your Feedback ID is" in page
    [record] = portal.submissions()
    assert record["feedback_id"] == match.group(1)
    assert record["layout"] == layout
    assert record["fields"] == fields
    assert portal.submit_attempts() == 1
    assert portal.requests()[-1] == ("POST", "/fcr/submit")


def test_the_feedback_id_is_fcrfe_then_utc_date_time_and_milliseconds(replica: Start) -> None:
    portal = replica("classic")
    before = datetime.now(UTC)
    fetch(portal, "/fcr/submit", valid_fields(portal))
    [record] = portal.submissions()
    feedback_id = record["feedback_id"]
    assert len(feedback_id) == 22
    assert re.fullmatch(r"FCRFE\d{17}", feedback_id)
    stamp = datetime.strptime(feedback_id[5:19], "%m%d%Y%H%M%S").replace(tzinfo=UTC)
    assert abs((stamp - before).total_seconds()) < 5
    received = datetime.fromisoformat(record["received_at"].replace("Z", "+00:00"))
    assert feedback_id == "FCRFE" + received.strftime("%m%d%Y%H%M%S") + feedback_id[19:]
    assert int(feedback_id[19:]) == received.microsecond // 1000


def test_duplicates_are_accepted_silently_with_new_feedback_ids(replica: Start) -> None:
    portal = replica("classic")
    fields = valid_fields(portal)
    first = fetch(portal, "/fcr/submit", fields)
    second = fetch(portal, "/fcr/submit", fields)
    assert first[0] == second[0] == 200
    ids = [r["feedback_id"] for r in portal.submissions()]
    assert len(ids) == 2
    assert ids[0] != ids[1]
    assert "already" not in second[1].lower()


def test_feedback_ids_stay_unique_when_submissions_arrive_together(replica: Start) -> None:
    portal = replica("wizard")
    records = [portal.accepted.record("wizard", {}) for _ in range(50)]
    assert len({r["feedback_id"] for r in records}) == 50


@pytest.mark.parametrize("layout", ["wizard", "classic"])
def test_a_refused_submission_shows_every_error_and_records_nothing(
    replica: Start, layout: str
) -> None:
    portal = replica(layout)
    status, page = fetch(portal, "/fcr/submit", {"enterprise_company_name": "Acme"})
    assert status == 422
    assert "Your registration was not submitted" in page
    for message in (
        "Address line 1 is required.",
        "City is required.",
        "Contact email is required.",
        "Call category is required.",
        "Enter at least one phone number.",
        "You must accept the terms and conditions.",
    ):
        assert message in page
    assert "Company name is required." not in page
    assert 'value="Acme"' in page  # what was typed is shown again
    assert portal.submissions() == []
    assert portal.submit_attempts() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"enterprise_contact_email": "not-an-email"}, "Enter a valid email address."),
        ({"enterprise_phone_1": "602555010"}, "Phone number 2 must be a 10-digit number."),
        ({"enterprise_contact_phone": "555-0100"}, "Contact phone must be a 10-digit number."),
        ({"enableCheckbox": None}, "You must accept the terms and conditions."),
        ({"captcha": None}, "Enter the 5-digit verification code sent to your email."),
        ({"enterprise_company_address_zip": "3360"}, "ZIP code must be 5 digits (or ZIP+4)."),
        ({"enterprise_company_url": "acme"}, "Company website must be a full URL"),
        ({"enterprise_category": "telemarketing"}, "Call category: choose one of the listed"),
    ],
)
def test_each_invalid_value_is_refused_with_its_message(
    replica: Start, changes: dict[str, Any], message: str
) -> None:
    portal = replica("wizard")
    status, page = fetch(portal, "/fcr/submit", valid_fields(portal, **changes))
    assert status == 422
    assert message in page
    assert portal.submissions() == []


def test_a_wrong_code_is_refused(replica: Start) -> None:
    portal = replica("classic")
    fields = valid_fields(portal)
    fields["captcha"] = f"{(int(fields['captcha']) + 1) % 100_000:05d}"
    status, page = fetch(portal, "/fcr/submit", fields)
    assert status == 422
    assert "The verification code is not correct." in page
    assert portal.submissions() == []


def test_a_code_expires(replica: Start) -> None:
    portal = replica("classic", code_ttl=0.2)
    fields = valid_fields(portal)
    time.sleep(0.4)  # let the code age past its (shortened) lifetime
    status, page = fetch(portal, "/fcr/submit", fields)
    assert status == 422
    assert "The verification code has expired. Send a new code and try again." in page
    assert portal.submissions() == []
    status, answer = fetch(
        portal, "/fcr/api/verify-code", {"email": EMAIL, "code": fields["captcha"]}
    )
    assert status == 400
    assert json.loads(answer)["reason"] == "expired"


def test_a_wizard_token_carries_the_verification_past_expiry(replica: Start) -> None:
    portal = replica("wizard", code_ttl=0.3)
    fields = valid_fields(portal)
    status, answer = fetch(
        portal, "/fcr/api/verify-code", {"email": EMAIL, "code": fields["captcha"]}
    )
    assert status == 200
    token = json.loads(answer)["token"]
    time.sleep(0.5)  # the code expires while the person fills the later steps
    assert fetch(portal, "/fcr/submit", {**fields, "verification_token": token})[0] == 200
    other = {**fields, "verification_token": token, "enterprise_contact_email": "x@y.example"}
    assert fetch(portal, "/fcr/submit", other)[0] == 422
    assert len(portal.submissions()) == 1


def test_twenty_numbers_are_accepted_and_twenty_one_refused(replica: Start) -> None:
    portal = replica("classic")
    twenty = {f"enterprise_phone_{i}": f"60255501{i:02d}" for i in range(20)}
    assert fetch(portal, "/fcr/submit", valid_fields(portal, **twenty))[0] == 200
    twenty_one = {**twenty, "enterprise_phone_20": "6025550199"}
    status, page = fetch(portal, "/fcr/submit", valid_fields(portal, **twenty_one))
    assert status == 422
    assert "At most 20 phone numbers can be registered per submission." in page
    assert len(portal.submissions()) == 1


def test_select_values_differ_by_layout(replica: Start) -> None:
    classic = fetch(replica("classic"), "/fcr/")[1]
    assert '<option value="financial_services">Financial Services</option>' in classic
    assert '<option value="attorney_law">Attorney / Law</option>' in classic
    assert '<option value="FL">Florida</option>' in classic
    wizard = fetch(replica("wizard"), "/fcr/")[1]
    assert '<option value="Arizona">Arizona</option>' in wizard
    assert '<option value="">Select a state</option>' in wizard
    assert '<option value="7">Financial Services</option>' in wizard
    assert '<option value="1 - 100">1 - 100</option>' in wizard
    assert wizard.count("<option") == classic.count("<option") + 7  # ranges and a placeholder


def test_outbox_and_submissions_are_served_as_json(replica: Start) -> None:
    portal = replica("classic")
    code = send_code(portal)
    [mail] = json.loads(fetch(portal, "/__replica/outbox")[1])
    assert mail["to"] == EMAIL
    assert mail["code"] == code
    assert re.fullmatch(r"\d{5}", code)
    assert mail["subject"] == f"Free Caller Registry Verification Code: [{code}]"
    assert portal.outbox() == [mail]
    fetch(portal, "/fcr/submit", valid_fields(portal))
    assert json.loads(fetch(portal, "/__replica/submissions")[1]) == portal.submissions()


def test_latest_code_names_the_address_when_none_was_sent(replica: Start) -> None:
    portal = replica()
    with pytest.raises(KeyError, match=r"No verification code was sent to a@b\.example"):
        portal.latest_code("a@b.example")
    first = send_code(portal, "a@b.example")
    second = send_code(portal, "a@b.example")
    assert portal.latest_code("A@B.example") == second
    assert [m["code"] for m in portal.outbox()] == [first, second]


def test_data_dir_keeps_submissions_and_mail_durably(tmp_path: Path) -> None:
    with Replica("classic", data_dir=tmp_path) as portal:
        fields = valid_fields(portal)
        fetch(portal, "/fcr/submit", fields)
        recorded = portal.submissions()
    lines = (tmp_path / "submissions.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in lines] == recorded
    [mail] = [json.loads(x) for x in (tmp_path / "outbox.jsonl").read_text().splitlines()]
    assert mail["code"] == fields["captcha"]
    for name in ("submissions.jsonl", "outbox.jsonl"):
        assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == 0o600
    with Replica("classic", data_dir=tmp_path) as again:
        assert again.submissions() == recorded


def test_starting_and_stopping_takes_well_under_a_second() -> None:
    began = time.monotonic()
    with Replica() as portal:
        assert fetch(portal, "/fcr/")[0] == 200
    assert time.monotonic() - began < 1.0


def test_stop_cuts_a_hanging_submit_short(replica: Start) -> None:
    portal = replica("classic", faults=("submit-hang",), hang_seconds=30)
    fields = valid_fields(portal)
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        fetch(portal, "/fcr/submit", fields, timeout=0.5)
    began = time.monotonic()
    portal.stop()
    assert time.monotonic() - began < 1.0


def test_unknown_faults_and_layouts_are_refused_with_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="Unknown replica fault") as caught:
        Replica(faults=("slow", "sloww"))
    assert "sloww" in str(caught.value)
    for name in FAULTS:
        assert name in str(caught.value)
    with pytest.raises(ValueError, match="Valid: wizard, classic"):
        Replica(layout="modern")


def test_it_listens_on_loopback_only(replica: Start) -> None:
    portal = replica()
    assert portal.url == f"http://127.0.0.1:{portal.port}/fcr/"
    assert portal._server is not None
    assert portal._server.server_address[0] == "127.0.0.1"


# -- faults visible over HTTP: each present when on, absent when off -------------------------


def _first_load_fails(portal: Replica) -> bool:
    status, page = fetch(portal, "/fcr/")
    assert fetch(portal, "/fcr/")[0] == 200  # a reload always works
    if status == 502:
        assert "Please reload the page." in page
    return status == 502


def _503_twice(portal: Replica) -> bool:
    statuses = [fetch(portal, "/fcr/")[0] for _ in range(3)]
    assert statuses[-1] == 200
    assert fetch(portal, "/fcr/static/portal.css")[0] == 200  # only page loads are refused
    return statuses == [503, 503, 200]


def _send_code_503(portal: Replica) -> bool:
    status, answer = fetch(portal, "/fcr/api/send-code", {"email": EMAIL})
    assert fetch(portal, "/fcr/api/send-code", {"email": EMAIL})[0] == 200
    if status == 503:
        assert json.loads(answer)["error"] == (
            f"We could not send the code to {EMAIL} right now. Please try again."
        )
        assert len(portal.outbox()) == 1
    return status == 503


def _submit_500(portal: Replica) -> bool:
    status, page = fetch(portal, "/fcr/submit", valid_fields(portal))
    assert portal.submit_attempts() == 1
    if status == 500:
        assert "your registration was not saved" in page
        assert portal.submissions() == []
    return status == 500


def _submit_hang(portal: Replica) -> bool:
    try:
        fetch(portal, "/fcr/submit", valid_fields(portal), timeout=0.6)
        hung = False
    except (TimeoutError, urllib.error.URLError):
        hung = True
    assert len(portal.submissions()) == 1  # received and accepted either way
    return hung


HTTP_PROBES: dict[str, Callable[[Replica], bool]] = {
    "first-load-fails": _first_load_fails,
    "503-twice": _503_twice,
    "send-code-503": _send_code_503,
    "submit-500": _submit_500,
    "submit-hang": _submit_hang,
}


@pytest.mark.parametrize("on", [True, False], ids=["on", "off"])
@pytest.mark.parametrize("fault", list(HTTP_PROBES))
def test_http_fault_is_present_only_when_switched_on(replica: Start, fault: str, on: bool) -> None:
    portal = replica("classic", faults=(fault,) if on else (), hang_seconds=2)
    assert HTTP_PROBES[fault](portal) is on


# -- the sister forms (issue 18) -------------------------------------------------------------


def _sister_fields(portal: Replica, form: str, **changes: Any) -> dict[str, Any]:
    status, _ = fetch(portal, f"/{form}/api/send-code", {"email": EMAIL})
    assert status == 200
    fields: dict[str, Any] = {
        "enterprise_phone_0": "6025550101",
        "enterprise_company_name": "Acme Calls LLC",
        "enterprise_company_address": "1 Main St, Tampa, FL 33601",
        "enterprise_contact_name": "Ann Ops",
        "enterprise_contact_phone": "6025550100",
        "enterprise_contact_email": EMAIL,
        "enterprise_category": "other",
        "call_count": "3000",
        "enterprise_service_provider": "Twilio",
        "dispute_label": "Spam Likely",
        "dispute_source": "Verizon",
        "dispute_date": "2026-11-30",
        "captcha": portal.latest_code(EMAIL),
        "enableCheckbox": "on",
    }
    fields.update(changes)
    return {k: v for k, v in fields.items() if v is not None}


@pytest.mark.parametrize("form", ["trf", "vsf"])
def test_the_sister_forms_are_served_beside_the_fcr_with_the_ids_the_facts_give(
    form: str,
) -> None:
    with Replica() as portal:
        assert portal.url_for(form) == f"{portal.origin}/{form}/"
        status, page = fetch(portal, f"/{form}/")
        assert status == 200
        second = "claim_enterprise" if form == "trf" else "type-enterprise"
        for fid in ("type_enterprise", second, "nextButton", "enterprise_company_address"):
            assert f'id="{fid}"' in page, fid
        assert ('role="tablist"' in page) == (form == "vsf")
        # The FCR is still there, in its own layout.
        assert 'id="nextButton1"' in fetch(portal, "/fcr/")[1]


@pytest.mark.parametrize("form", ["trf", "vsf"])
def test_a_sister_form_refuses_what_it_lacks_and_confirms_with_its_own_id(form: str) -> None:
    with Replica() as portal:
        status, page = fetch(
            portal, f"/{form}/submit", _sister_fields(portal, form, dispute_label=None)
        )
        assert status == 422
        assert "The label shown is required." in page
        assert portal.submissions() == []
        status, page = fetch(portal, f"/{form}/submit", _sister_fields(portal, form))
        assert status == 200
        [record] = portal.submissions()
        assert record["layout"] == form
        assert re.fullmatch(rf"{form.upper()}FE\d{{17}}", record["feedback_id"])
        assert f'<strong class="feedback-id">{record["feedback_id"]}</strong>' in page
