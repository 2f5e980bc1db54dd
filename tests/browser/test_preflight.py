"""`assistant check`'s survey: drift between the live replica and the map, nothing typed."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from replicas import Replicas

from assistant.browser import guarded_context, loading
from assistant.browser.drift import StepReport, survey
from assistant.browser.step_state import Timeouts
from assistant.portals import load_portal

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser


def _survey(
    browser: Browser,
    replica: Replicas,
    layout: str,
    faults: tuple[str, ...],
    variants: tuple[str, ...] = (),
) -> list[StepReport]:
    portal_map = load_portal("fcr" if layout == "wizard" else "fcr-classic")
    portal = replica(layout, faults, variants=variants)
    guard = guarded_context.GuardedContext(browser, ["127.0.0.1"])
    try:
        loading.load_page(guard.page, portal.url)
        reports = survey(guard.page, portal_map, Timeouts(step_ms=8_000), guard)
    finally:
        guard.close()
    assert portal.outbox() == []  # no code was sent, nothing was typed
    assert portal.submit_attempts() == 0
    return reports


def _found(reports: list[StepReport]) -> dict[str, str]:
    return {f"{r.name}: {f.field}": f.anchor or f.status for r in reports for f in r.fields}


@pytest.mark.parametrize(
    "variants",
    [
        (),
        ("renamed-ids", "captions", "submit-endpoint", "late-feedback", "display-names"),
        ("no-optional",),
    ],
    ids=["replica", "renamed-and-recaptioned", "no-optional"],
)
def test_check_finds_every_element_of_the_wizard_and_says_by_which_anchor(
    browser: Browser, replica: Replicas, variants: tuple[str, ...]
) -> None:
    reports = _survey(browser, replica, "wizard", (), variants)
    assert all(not r.drift for r in reports), [f for r in reports for f in r.drift]
    found = _found(reports)
    renamed = "renamed-ids" in variants
    absent = "no-optional" in variants
    assert found["email: contact email"] == "type=email"
    assert found["email: button /send.*code/"] == "button /send.*code/"
    assert found["business: calls per month"] == "a select of ranges"
    assert found["business: company name"] == "#enterprise_company_name"
    assert found["business: service provider"] == (
        "absent"
        if absent
        else "label /service provider|carrier/ (anchor 2 of 2)"
        if renamed
        else "#enterprise_service_provider"
    )
    assert found["numbers: display names"] == (
        "#enterprise_displayName_0" if "display-names" in variants else "absent"
    )
    assert found["review: submit button"] == "#submitButton"
    # The code box sits in the page already, hidden until a code is sent: found all the same.
    assert found["code: verification code"] == "autocomplete=one-time-code"
    assert found["code: verify button"] == "button /verify/"


def test_a_matching_portal_shows_no_drift_and_lists_live_options(
    browser: Browser, replica: Replicas
) -> None:
    reports = _survey(browser, replica, "classic", ())
    assert [r.name for r in reports] == ["acknowledgement", "form"]
    assert all(not r.drift for r in reports)
    category = next(f for r in reports for f in r.fields if f.field == "category")
    assert category.options[:3] == ("Attorney / Law", "Collections", "Education")


def test_renamed_label_missing_and_doubled_fields_are_drift(
    browser: Browser, replica: Replicas
) -> None:
    reports = _survey(browser, replica, "wizard", ("renamed-label", "missing-field"))
    drift = [(f.field, f.status, f.detail) for r in reports for f in r.drift]
    assert drift == [
        (
            "company name",
            "label",
            'label reads "Organization name", the map expects "Company name"',
        ),
        ("city", "missing", "not found (tried #enterprise_company_address_city: none)"),
    ]
    doubled = _survey(browser, replica, "wizard", ("duplicate-field",))
    assert [(f.field, f.status) for r in doubled for f in r.drift] == [("company name", "doubled")]
