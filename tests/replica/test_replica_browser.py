"""The replica portal in real Chromium: both layouts end to end, and every fault that shows in
the page. Steps are plain Playwright calls written here, not the assistant's filler."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect
from replicas import Replicas

from assistant.replica import Replica

pytestmark = pytest.mark.browser

EMAIL = "ops@acme.example"
SHOTS = Path("/tmp/replica-shots")

BUSINESS = {
    "enterprise_company_name": "Acme Calls LLC",
    "enterprise_company_address_line_1": "1 Main St",
    "enterprise_company_address_line_2": "Suite 200",
    "enterprise_company_address_city": "Phoenix",
    "enterprise_company_address_zip": "85001",
    "enterprise_company_url": "https://acme.example",
    "enterprise_contact_name": "Ann Ops",
    "enterprise_contact_phone": "6025550100",
    "enterprise_service_provider": "Onvoy, Twilio",
}


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def open_ready(page: Page, portal: Replica) -> None:
    """Load the start page and wait for its form (the page sets no "ready" marker: the real
    portal has none either); the page's script wires the form up as it inserts it."""
    page.goto(portal.url)
    expect(page.locator("#registration-form, #acknowledgement").first).to_be_attached(
        timeout=10_000
    )


def wizard_to_business(page: Page, portal: Replica, *, shots: bool = False) -> None:
    open_ready(page, portal)
    if shots:
        shot(page, "wizard-1-email")
    page.fill("#enterprise_contact_email", EMAIL)
    page.get_by_role("button", name="Send verification code").click()
    expect(page.locator("#captcha")).to_be_visible()
    page.fill("#captcha", portal.latest_code(EMAIL))
    if shots:
        shot(page, "wizard-2-code")
    page.get_by_role("button", name="Verify and continue").click()
    expect(page.locator("#enterprise_company_name")).to_be_visible()


def classic_to_form(page: Page, portal: Replica) -> None:
    open_ready(page, portal)
    page.click("#nextButton")
    expect(page.locator("#enterprise_company_name")).to_be_visible()


def fill_business(page: Page) -> None:
    for field_id, value in BUSINESS.items():
        page.fill(f"#{field_id}", value)


def test_wizard_full_registration(page: Page, replica: Replicas) -> None:
    portal = replica("wizard")
    wizard_to_business(page, portal, shots=True)
    expect(page.locator("#nextButton2")).to_be_hidden()
    fill_business(page)
    page.select_option("#enterprise_company_address_state", label="Arizona")
    page.select_option("#enterprise_category", label="Telemarketing")
    page.select_option("#enterprise_calls_per_month", label="1,001 - 10,000")
    shot(page, "wizard-3-business")
    page.get_by_role("button", name="Continue to next step").click()
    expect(page.locator("#enterprise_phone_0")).to_be_visible()
    expect(page.locator("#enterprise_phone_1")).to_have_count(0)
    page.fill("#enterprise_phone_0", "6025550101")
    page.fill("#enterprise_phone_1", "6025550102")
    expect(page.locator("#enterprise_phone_2")).to_have_value("")
    shot(page, "wizard-4-numbers")
    page.get_by_role("button", name="Continue to final step").click()
    summary = page.locator("#review-summary")
    expect(summary).to_contain_text("Acme Calls LLC")
    expect(summary).to_contain_text("Telemarketing")
    expect(summary).to_contain_text("6025550101, 6025550102")
    expect(page.locator("#submitButton")).to_be_disabled()
    page.check("#enableCheckbox")
    shot(page, "wizard-5-review")
    page.get_by_role("button", name="Submit Your Registration").click()
    feedback = page.locator(".feedback-id")
    expect(feedback).to_have_text(portal.submissions()[0]["feedback_id"])
    expect(page.locator("p.thanks")).to_contain_text("Thank you. Your Feedback ID is FCRFE")
    shot(page, "wizard-6-confirmation")

    [record] = portal.submissions()
    fields = record["fields"]
    for field_id, value in BUSINESS.items():
        assert fields[field_id] == value, field_id
    assert fields["enterprise_contact_email"] == EMAIL
    assert fields["enterprise_company_address_state"] == "Arizona"
    assert fields["enterprise_category"] == "1"  # "Telemarketing" in the wizard's numbering
    assert fields["enterprise_calls_per_month"] == "1,001 - 10,000"
    assert fields["enterprise_phone_0"] == "6025550101"
    assert fields["enterprise_phone_1"] == "6025550102"
    assert fields["enterprise_phone_2"] == ""
    assert fields["enableCheckbox"] == "on"
    assert fields["captcha"] == portal.latest_code(EMAIL)
    assert "enterprise_displayName_0" not in fields
    assert portal.submit_attempts() == 1


def test_classic_full_registration(page: Page, replica: Replicas, tmp_path: Path) -> None:
    portal = replica("classic")
    open_ready(page, portal)
    shot(page, "classic-1-acknowledgement")
    page.click("#nextButton")
    page.fill("#enterprise_phone_0", "6025550101")
    page.fill("#enterprise_displayName_0", "ACME SUPPORT")
    page.click("#add-number-command")
    page.fill("#enterprise_phone_1", "6025550102")
    page.fill("#enterprise_displayName_1", "ACME SALES")
    sheet = tmp_path / "numbers.xlsx"
    sheet.write_bytes(b"PK\x03\x04 not really a workbook")
    page.set_input_files("#enterpriseFile", sheet)
    page.select_option("#enterprise_category", label="Attorney / Law")
    fill_business(page)
    page.fill("#enterprise_contact_email", EMAIL)
    page.select_option("#enterprise_company_address_state", label="Florida")
    page.fill("#call_count", "60000")
    page.fill("#additional_feedback", "Calls are appointment reminders.")
    page.click("#send-verification-code")
    expect(page.locator("#code-status")).to_have_text(f"A 5-digit code was sent to {EMAIL}.")
    page.fill("#captcha", portal.latest_code(EMAIL))
    page.check("#enableCheckbox")
    shot(page, "classic-2-form")
    page.click("#submitButton")
    expect(page.locator(".feedback-id")).to_have_text(portal.submissions()[0]["feedback_id"])
    shot(page, "classic-3-confirmation")

    fields = portal.submissions()[0]["fields"]
    for field_id, value in BUSINESS.items():
        assert fields[field_id] == value, field_id
    assert fields["enterprise_category"] == "attorney_law"
    assert fields["enterprise_company_address_state"] == "FL"
    assert fields["enterprise_phone_1"] == "6025550102"
    assert fields["enterprise_displayName_0"] == "ACME SUPPORT"
    assert fields["enterprise_displayName_1"] == "ACME SALES"
    assert fields["enterpriseFile"] == "numbers.xlsx"
    assert fields["call_count"] == "60000"
    assert fields["additional_feedback"] == "Calls are appointment reminders."
    assert fields["enableCheckbox"] == "on"


def test_wizard_wrong_code_shows_an_error_and_stays(page: Page, replica: Replicas) -> None:
    portal = replica("wizard")
    open_ready(page, portal)
    page.fill("#enterprise_contact_email", EMAIL)
    page.click("#send-verification-code")
    expect(page.locator("#captcha")).to_be_visible()
    code = portal.latest_code(EMAIL)
    page.fill("#captcha", f"{(int(code) + 1) % 100_000:05d}")
    page.click("#verify-code")
    error = page.get_by_role("alert").filter(has_text="verification code")
    expect(error).to_have_text(
        "The verification code is not correct. Check the email and try again."
    )
    expect(page.locator("#captcha")).to_be_visible()
    expect(page.locator("#enterprise_company_name")).to_be_hidden()
    assert code not in page.content()  # the code is mailed, never shown


def test_wizard_expired_code_says_so(page: Page, replica: Replicas) -> None:
    portal = replica("wizard", code_ttl=0.3)
    open_ready(page, portal)
    page.fill("#enterprise_contact_email", EMAIL)
    page.click("#send-verification-code")
    expect(page.locator("#captcha")).to_be_visible()
    page.fill("#captcha", portal.latest_code(EMAIL))
    time.sleep(0.5)  # let the shortened code lifetime pass
    page.click("#verify-code")
    expect(page.locator("#code-error")).to_have_text(
        "The verification code has expired. Send a new code and try again."
    )
    # The new code lives as long as a real one: on a loaded machine 0.3 s can pass between
    # reading it from the outbox and the click that sends it.
    portal.outbox_store.ttl = 600.0
    page.click("#resend-code")
    expect(page.locator("#code-error")).to_be_hidden()
    expect(page.locator("#resend-code")).to_be_enabled()  # the new mail has gone out
    page.fill("#captcha", portal.latest_code(EMAIL))
    page.click("#verify-code")
    expect(page.locator("#enterprise_company_name")).to_be_visible()


def test_wizard_number_rows_stop_at_twenty(page: Page, replica: Replicas) -> None:
    portal = replica("wizard")
    wizard_to_business(page, portal)
    fill_business(page)
    page.select_option("#enterprise_company_address_state", label="Arizona")
    page.select_option("#enterprise_category", label="Other")
    page.select_option("#enterprise_calls_per_month", label="1 - 100")
    page.click("#nextButton1")
    for i in range(20):
        page.fill(f"#enterprise_phone_{i}", f"60255501{i:02d}")
    expect(page.locator("#number-rows input")).to_have_count(20)
    expect(page.locator("#number-count")).to_have_text(
        "20 of 20 numbers entered. That is the limit."
    )


def test_classic_add_number_stops_at_twenty(page: Page, replica: Replicas) -> None:
    portal = replica("classic")
    classic_to_form(page, portal)
    for _ in range(19):
        page.click("#add-number-command")
    expect(page.locator("#enterprise_displayName_19")).to_be_visible()
    expect(page.locator("#add-number-command")).to_be_disabled()
    expect(page.locator("#enterprise_phone_20")).to_have_count(0)


def test_classic_refused_submission_shows_errors_in_the_page(page: Page, replica: Replicas) -> None:
    portal = replica("classic")
    classic_to_form(page, portal)
    page.fill("#enterprise_company_name", "Acme Calls LLC")
    page.fill("#enterprise_phone_0", "60255501")
    page.check("#enableCheckbox")
    page.click("#submitButton")
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Your registration was not submitted")
    expect(summary).to_contain_text("Phone number 1 must be a 10-digit number.")
    expect(page.locator("#enterprise_company_address_city-error")).to_have_text("City is required.")
    expect(page.locator("#enterprise_company_name")).to_have_value("Acme Calls LLC")
    expect(page.locator("#enterprise_phone_0")).to_have_value("60255501")
    shot(page, "classic-4-refused")
    assert portal.submissions() == []
    assert portal.submit_attempts() == 1


# -- faults that show in the page: each present when on, absent when off ---------------------


def _slow(page: Page, portal: Replica) -> bool:
    page.goto(portal.url, wait_until="domcontentloaded")
    early = page.locator("#enterprise_contact_email").count()
    began = time.monotonic()
    expect(page.locator("#enterprise_contact_email")).to_be_visible(timeout=10_000)
    waited = time.monotonic() - began
    return early == 0 and waited > 1.0


def _fill_and_settle(page: Page, value: str) -> str:
    page.fill("#enterprise_company_name", value)
    page.fill("#enterprise_company_address_line_1", "1 Main St")
    page.wait_for_timeout(600)  # the fault re-renders ~300 ms after an input, if it does
    return page.input_value("#enterprise_company_name")


def _rerender_count(page: Page, portal: Replica) -> int:
    wizard_to_business(page, portal)
    resets = 0
    for attempt in range(3):
        if _fill_and_settle(page, f"Acme {attempt}") == "":
            resets += 1
    return resets


def _masked_phone(page: Page, portal: Replica) -> bool:
    classic_to_form(page, portal)
    phone = page.locator("#enterprise_contact_phone")
    phone.fill("6025550100")
    filled = phone.input_value()
    phone.fill("")
    phone.press_sequentially("6025550100")
    typed = phone.input_value()
    assert typed in ("6025550100", "602-555-0100")
    return filled == "" and typed == "602-555-0100"


def _send_code_503(page: Page, portal: Replica) -> bool:
    open_ready(page, portal)
    page.fill("#enterprise_contact_email", EMAIL)
    page.click("#send-verification-code")
    error = page.locator("#email-error")
    # Wait for whichever answer comes: the code step, or the error on the email step.
    expect(page.locator("#captcha:visible, #email-error:visible")).to_have_count(1)
    failed = False
    if error.is_visible():
        expect(error).to_have_text(
            f"We could not send the code to {EMAIL} right now. Please try again."
        )
        failed = portal.outbox() == []
        page.click("#send-verification-code")
    expect(page.locator("#captcha")).to_be_visible()
    return failed


def _label(page: Page, portal: Replica) -> bool:
    open_ready(page, portal)
    text = page.locator("label[for=enterprise_company_name]").inner_text()
    assert text in ("Company name *", "Organization name *")
    return text.startswith("Organization name")


def _option(page: Page, portal: Replica) -> bool:
    open_ready(page, portal)
    labels = page.locator("#enterprise_category option").all_inner_texts()
    values = page.locator("#enterprise_category option").evaluate_all(
        "options => options.map(o => o.value)"
    )
    renamed = "Schools / Education" in labels and "Education" not in labels
    if portal.layout == "classic":
        assert ("schools_education" in values) is renamed
        assert ("education" in values) is not renamed
    return renamed


def _missing(page: Page, portal: Replica) -> bool:
    open_ready(page, portal)
    return page.locator("#enterprise_company_address_city").count() == 0


def _duplicate(page: Page, portal: Replica) -> bool:
    open_ready(page, portal)
    count = page.locator("#enterprise_company_name").count()
    if count == 2:
        with pytest.raises(PlaywrightError, match="strict mode violation"):
            page.locator("#enterprise_company_name").fill("x", timeout=2000)
    return count == 2


def _first_load(page: Page, portal: Replica) -> bool:
    response = page.goto(portal.url)
    assert response is not None
    if response.status == 502:
        expect(page.get_by_role("alert")).to_have_text(
            "The registry could not load this page. Please reload the page."
        )
        page.reload()
    expect(page.locator("#enterprise_contact_email")).to_be_visible()
    return response.status == 502


def _503(page: Page, portal: Replica) -> bool:
    statuses = []
    for _ in range(3):
        response = page.goto(portal.url)
        assert response is not None
        statuses.append(response.status)
        if response.status == 503:
            expect(page.locator("body")).to_contain_text("Please reload the page in a moment.")
    expect(page.locator("#registration-form, #acknowledgement").first).to_be_attached()
    return statuses == [503, 503, 200]


PAGE_PROBES: dict[str, tuple[str, Callable[[Page, Replica], bool]]] = {
    "slow": ("wizard", _slow),
    "rerender": ("wizard", lambda page, portal: _rerender_count(page, portal) == 1),
    "rerender-twice": ("wizard", lambda page, portal: _rerender_count(page, portal) == 2),
    "masked-phone": ("classic", _masked_phone),
    "send-code-503": ("wizard", _send_code_503),
    "renamed-label": ("wizard", _label),
    "renamed-option": ("classic", _option),
    "missing-field": ("wizard", _missing),
    "duplicate-field": ("classic", _duplicate),
    "first-load-fails": ("wizard", _first_load),
    "503-twice": ("classic", _503),
}


@pytest.mark.parametrize("on", [True, False], ids=["on", "off"])
@pytest.mark.parametrize("fault", list(PAGE_PROBES))
def test_page_fault_is_present_only_when_switched_on(
    page: Page, replica: Replicas, fault: str, on: bool
) -> None:
    layout, probe = PAGE_PROBES[fault]
    portal = replica(layout, faults=(fault,) if on else ())
    assert probe(page, portal) is on


def test_rerender_in_classic_clears_the_form_once(page: Page, replica: Replicas) -> None:
    portal = replica("classic", faults=("rerender",))
    classic_to_form(page, portal)
    assert _fill_and_settle(page, "Acme") == ""
    assert _fill_and_settle(page, "Acme") == "Acme"
    assert page.locator("body").get_attribute("data-rerenders") == "1"


def test_masked_phone_in_the_wizard_submits_the_dashed_form(page: Page, replica: Replicas) -> None:
    portal = replica("wizard", faults=("masked-phone",))
    wizard_to_business(page, portal)
    fill_business(page)
    expect(page.locator("#enterprise_contact_phone")).to_have_value("")
    page.locator("#enterprise_contact_phone").press_sequentially("6025550100")
    page.select_option("#enterprise_company_address_state", label="Arizona")
    page.select_option("#enterprise_category", label="Education")
    page.select_option("#enterprise_calls_per_month", label="More than 1,000,000")
    page.click("#nextButton1")
    page.fill("#enterprise_phone_0", "6025550101")
    page.click("#nextButton2")
    page.check("#enableCheckbox")
    page.click("#submitButton")
    expect(page.locator(".feedback-id")).to_be_visible()
    assert portal.submissions()[0]["fields"]["enterprise_contact_phone"] == "602-555-0100"


@pytest.mark.parametrize("on", [True, False], ids=["on", "off"])
def test_offsite_request_is_attempted_only_when_switched_on(
    page: Page, replica: Replicas, on: bool
) -> None:
    portal = replica("wizard", faults=("offsite-request",) if on else ())
    offsite: list[str] = []
    page.context.on(
        "request",
        lambda request: (
            offsite.append(request.url) if request.url.startswith("http://127.0.0.2:") else None
        ),
    )
    if on:
        with page.expect_popup() as popup:
            open_ready(page, portal)
        popup.value.wait_for_load_state()  # nothing listens there: it ends on an error page
        assert f"http://127.0.0.2:{portal.port}/popup.html" in offsite
    else:
        open_ready(page, portal)
    page.wait_for_load_state("load")  # the pixel is requested before the load event
    assert (f"http://127.0.0.2:{portal.port}/track.gif" in offsite) is on
    assert len(page.context.pages) == (2 if on else 1)


def test_submit_hang_records_the_post_although_the_click_times_out(
    page: Page, replica: Replicas
) -> None:
    portal = replica("classic", faults=("submit-hang",), hang_seconds=5)
    classic_to_form(page, portal)
    page.fill("#enterprise_phone_0", "6025550101")
    page.select_option("#enterprise_category", label="Other")
    fill_business(page)
    page.fill("#enterprise_contact_email", EMAIL)
    page.select_option("#enterprise_company_address_state", label="Arizona")
    page.fill("#call_count", "3000")
    page.click("#send-verification-code")
    expect(page.locator("#code-status")).to_be_visible()
    page.fill("#captcha", portal.latest_code(EMAIL))
    page.check("#enableCheckbox")
    with page.expect_request("**/fcr/submit"):
        page.click("#submitButton", no_wait_after=True)
    with pytest.raises(PlaywrightError, match="Timeout"):
        page.locator(".feedback-id").wait_for(timeout=1000)
    assert portal.submit_attempts() == 1
    assert len(portal.submissions()) == 1


def test_wizard_refused_by_the_server_reopens_at_the_business_step(
    page: Page, replica: Replicas
) -> None:
    portal = replica("wizard", faults=("missing-field",))
    wizard_to_business(page, portal)
    for field_id, value in BUSINESS.items():
        if field_id != "enterprise_company_address_city":
            page.fill(f"#{field_id}", value)
    page.select_option("#enterprise_company_address_state", label="Arizona")
    page.select_option("#enterprise_category", label="Retail")
    page.select_option("#enterprise_calls_per_month", label="1 - 100")
    page.click("#nextButton1")
    page.fill("#enterprise_phone_0", "6025550101")
    page.click("#nextButton2")
    page.check("#enableCheckbox")
    page.click("#submitButton")
    expect(page.locator("#error-summary")).to_contain_text("City is required.")
    expect(page.locator("#enterprise_company_name")).to_be_visible()
    expect(page.locator("#enterprise_company_name")).to_have_value("Acme Calls LLC")
    expect(page.locator("#enterprise_category option:checked")).to_have_text("Retail")
    assert portal.submissions() == []
