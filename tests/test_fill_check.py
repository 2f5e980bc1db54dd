"""`assistant check`'s survey: drift between the live replica and the map, nothing typed."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from assistant import browser as browser_module
from assistant.fill import Timeouts
from assistant.portals import load_portal
from assistant.replica import Replica
from assistant.survey import StepReport, survey

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser


def _survey(browser: Browser, layout: str, faults: tuple[str, ...]) -> list[StepReport]:
    portal_map = load_portal("fcr" if layout == "wizard" else "fcr-classic")
    with Replica(layout=layout, faults=faults) as portal:
        guard = browser_module.GuardedContext(
            browser, ["127.0.0.1"], browser_module.SubmitRule("POST", "**/fcr/submit")
        )
        try:
            browser_module.load_page(guard.page, portal.url)
            reports = survey(guard.page, portal_map, Timeouts(step_ms=8_000))
        finally:
            guard.close()
        assert portal.outbox() == []  # no code was sent, nothing was typed
    return reports


def test_a_matching_portal_shows_no_drift_and_lists_live_options(browser: Browser) -> None:
    reports = _survey(browser, "classic", ())
    assert [r.name for r in reports] == ["acknowledgement", "form"]
    assert all(not r.drift for r in reports)
    category = next(f for r in reports for f in r.fields if f.field == "category")
    assert category.options[:3] == ("Attorney / Law", "Collections", "Education")


def test_renamed_label_missing_and_doubled_fields_are_drift(browser: Browser) -> None:
    reports = _survey(browser, "wizard", ("renamed-label", "missing-field"))
    drift = [(f.field, f.status, f.detail) for r in reports for f in r.drift]
    assert drift == [
        (
            "company name",
            "label",
            'label reads "Organization name", the map expects "Company name"',
        ),
        ("city", "missing", "not found on the page"),
    ]
    doubled = _survey(browser, "wizard", ("duplicate-field",))
    assert [(f.field, f.status) for r in doubled for f in r.drift] == [("company name", "doubled")]
