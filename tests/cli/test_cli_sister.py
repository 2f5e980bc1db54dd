"""Issue 18, item 1, in a browser: `assistant fill PROFILE --portal trf|vsf` at a terminal fills
the replica's TNS robocall feedback form and Verizon voice spam feedback form through to their
confirmation with the shipped maps; and, in process (one Chromium), so do the maps on variants
of the replica they were not fitted to (other captions, ids, submit endpoint, a late
confirmation, no optional fields)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from batchrun import EMAIL, drive, profile_text
from ptyperson import PtyPerson
from replicas import Replicas

from assistant.browser.step_state import Timeouts
from assistant.errors import ExitCode
from assistant.portals import load_portal
from assistant.portals.plan import build_plan
from assistant.profiles import load_profile
from assistant.records.journal import Journal
from assistant.records.journal.recorder import JournalRecorder
from assistant.sitting.code_sources import OutboxCodeSource
from assistant.sitting.session import FillOptions, Session

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

DISPUTE = (
    "dispute:\n"
    "  label: Spam Likely\n"
    "  shown_by: Verizon Call Filter\n"
    "  seen_on: 2026-11-30\n"
    "  sample_numbers: [(619) 555-0101]\n"
)
NUMBERS = ["(619) 555-0100", "(619) 555-0101", "(619) 555-0102"]
# What the form receives from the profile (the replica's own field names).
RECEIVED = {
    "enterprise_phone_0": "6195550100",
    "enterprise_phone_1": "6195550101",
    "enterprise_phone_2": "6195550102",
    "enterprise_company_name": "Harbor Clinic 1",
    "enterprise_company_address": "1 Dock St, San Diego, CA 92101",
    "enterprise_contact_name": "Robin Hale",
    "enterprise_contact_phone": "6195550199",
    "enterprise_contact_email": EMAIL,
    "enterprise_category": "healthcare",
    "call_count": "500",
    "enterprise_service_provider": "Bandwidth",
    "dispute_label": "Spam Likely",
    "dispute_source": "Verizon Call Filter",
    "dispute_date": "2026-11-30",
    "dispute_samples": "+16195550101",
    "enableCheckbox": "on",
}
VARIED = ("captions", "renamed-ids", "submit-endpoint", "late-feedback")


def _profile(tmp_path: Path) -> Path:
    profile = tmp_path / "harbor-1.yaml"
    profile.write_text(profile_text(1, NUMBERS) + DISPUTE, encoding="utf-8")
    return profile


def _received(sent: dict[str, object], form: str) -> dict[str, object]:
    """What the form received, empty values and the typed code left out."""
    assert sent["layout"] == form
    assert re.fullmatch(rf"{form.upper()}FE\d{{17}}", str(sent["feedback_id"]))
    fields = sent["fields"]
    assert isinstance(fields, dict)
    return {k: v for k, v in fields.items() if v and k != "captcha"}


@pytest.mark.parametrize("form", ["trf", "vsf"])
def test_fill_sends_a_dispute_form_through_to_its_feedback_id(
    replica: Replicas, tmp_path: Path, form: str
) -> None:
    portal = replica()
    data = tmp_path / "data"
    options = ["--url", portal.url_for(form), "--headless", "--data-dir", str(data)]
    run = drive(
        ["fill", str(_profile(tmp_path)), "--portal", form, *options],
        portal,
    )
    assert run.exitstatus == ExitCode.OK, run.output
    [sent] = portal.submissions()
    assert _received(sent, form) == RECEIVED
    assert f"Submitted 1 of 1. Feedback ID: {sent['feedback_id']}" in run.output
    with Journal.open(data) as journal:
        [attempt] = journal.history()
    assert (attempt.portal, attempt.registry, attempt.feedback_id) == (
        form,
        form,
        sent["feedback_id"],
    )
    assert attempt.numbers == ("+16195550100", "+16195550101", "+16195550102")


@pytest.mark.parametrize(
    ("form", "variants"),
    [("trf", VARIED), ("vsf", VARIED), ("trf", ("no-optional",)), ("vsf", ("no-optional",))],
)
def test_the_maps_survive_replicas_they_were_not_fitted_to(
    browser: Browser, replica: Replicas, tmp_path: Path, form: str, variants: tuple[str, ...]
) -> None:
    portal = replica(variants=variants)
    profile = load_profile(_profile(tmp_path)).profile
    portal_map = load_portal(form)
    person = PtyPerson("submit")
    with Journal.open(tmp_path / "data") as journal:
        session = Session(
            browser,
            FillOptions(
                portal=portal_map,
                url=portal.url_for(form),
                data_dir=tmp_path / "data",
                timeouts=Timeouts(step_ms=10_000, action_ms=8_000),
            ),
            person.terminal,
            OutboxCodeSource(portal),
            run_dir=tmp_path,
            recorder=JournalRecorder(journal),
        )
        try:
            [submission] = build_plan(profile, portal_map, portal.url_for(form)).submissions
            outcome = session.run_submission(profile, submission)
            screen = person.screen(expect="Feedback ID")
        finally:
            person.close()
    [sent] = portal.submissions()
    assert (outcome.state, outcome.feedback_id) == ("submitted", sent["feedback_id"])
    if "no-optional" in variants:  # no questions about the label, no terms to accept
        unasked = ("dispute_", "enableCheckbox")
        assert _received(sent, form) == {
            k: v for k, v in RECEIVED.items() if not k.startswith(unasked)
        }
        for field in ("label seen", "shown by", "date seen", "sample numbers", "terms accepted"):
            assert re.search(rf"│ {field} +│ .* │ not on this portal +│ – │", screen), field
    else:
        assert _received(sent, form) == RECEIVED
