"""The profile's `dispute:` section (issue 18, item 1): what the dispute forms (`--portal trf`,
`vsf`) ask about the label a business's calls were shown with, validated like the rest of the
profile, and a plan for a dispute form refused, with the section named, when it is missing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from clirun import run_assistant

from assistant.errors import ExitCode, ProfileError
from assistant.portals import load_portal
from assistant.portals.plan import PlannedField, build_plan
from assistant.profiles import load_profile
from assistant.profiles.model import Dispute

PROFILE = """\
label: Harbor alerts
company:
  name: Harbor Clinic
  website: https://harbor.example.org
  address:
    line1: 1 Dock St
    line2: Suite 4
    city: San Diego
    state: California
    zip: "92101"
contact:
  name: Robin Hale
  phone: (619) 555-0199
  email: ops@harbor.example.org
calling:
  category: Healthcare
  monthly_calls: 500
  service_provider: Bandwidth
numbers:
  - (619) 555-0100
  - (619) 555-0101
"""
DISPUTE = """\
dispute:
  label: Spam Likely
  shown_by: Verizon
  seen_on: 2026-11-30
  sample_numbers:
    - 619.555.0101
"""


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def _write(text: str) -> Path:
    path = Path("p.yaml")
    path.write_text(text, encoding="utf-8")
    return path


def _problems(text: str) -> list[str]:
    with pytest.raises(ProfileError) as caught:
        load_profile(_write(text))
    return str(caught.value).splitlines()


def test_a_dispute_section_is_kept_with_its_sample_numbers_in_e164() -> None:
    profile = load_profile(_write(PROFILE + DISPUTE)).profile
    assert profile.dispute == Dispute(
        label="Spam Likely",
        shown_by="Verizon",
        seen_on="2026-11-30",
        sample_numbers=("+16195550101",),
    )
    assert load_profile(_write(PROFILE)).profile.dispute is None


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("  seen_on: 2026-11-30", "  seen_on: 30/11/2026", [
            "p.yaml:25:12: dispute.seen_on: '30/11/2026' is not a date; write the day it was "
            "seen as YYYY-MM-DD, e.g. 2026-11-30",
        ]),
        ("  seen_on: 2026-11-30", "  seen_on: 2026-02-30", [
            "p.yaml:25:12: dispute.seen_on: '2026-02-30' is not a date; write the day it was "
            "seen as YYYY-MM-DD, e.g. 2026-11-30",
        ]),
        ("  shown_by: Verizon\n", "", [
            "p.yaml:23:3: dispute.shown_by: required key is missing",
        ]),
        ("  label: Spam Likely", "  lable: Spam Likely", [
            "p.yaml:23:3: dispute.label: required key is missing",
            "p.yaml:23:3: dispute.lable: unknown key 'lable'; did you mean 'label'?",
        ]),
        ("    - 619.555.0101", "    - (619) 555-0142", [
            "p.yaml:27:7: dispute.sample_numbers.0: '(619) 555-0142' is not one of this "
            "profile's numbers; a sample is a number of yours that was shown with the label "
            "(list it under numbers: too)",
        ]),
        ("    - 619.555.0101", "    - 555-0101", [
            "p.yaml:27:7: dispute.sample_numbers.0: '555-0101' is not a 10-digit US number",
        ]),
        ("  sample_numbers:\n    - 619.555.0101\n", "  sample_numbers: []\n", [
            "p.yaml:26:19: dispute.sample_numbers: list at least one number",
        ]),
        ("  label: Spam Likely", "  label: '  '", [
            "p.yaml:23:10: dispute.label: is empty; write a value",
        ]),
    ],
)  # fmt: skip
def test_a_bad_dispute_section_names_place_path_and_reason(
    old: str, new: str, expected: list[str]
) -> None:
    text = PROFILE + DISPUTE
    assert old in text
    assert _problems(text.replace(old, new)) == expected


def test_a_day_after_today_is_refused() -> None:
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%d")
    assert _problems(PROFILE + DISPUTE.replace("2026-11-30", tomorrow)) == [
        f"p.yaml:25:12: dispute.seen_on: {tomorrow} is in the future; write the day the label "
        "was seen",
    ]


@pytest.mark.parametrize(
    ("portal", "title"),
    [("trf", "TNS robocall feedback form"), ("vsf", "Verizon voice spam feedback form")],
)
def test_a_dispute_form_without_the_section_is_refused_naming_it(portal: str, title: str) -> None:
    loaded = load_profile(_write(PROFILE))
    with pytest.raises(ProfileError) as caught:
        build_plan(loaded.profile, load_portal(portal), where="p.yaml")
    assert str(caught.value) == (
        f"p.yaml:1:1: dispute: {title} (--portal {portal}) is a dispute form, and this profile "
        "has no dispute: section; add one with the label your calls were shown with (label), "
        "the carrier or app that showed it (shown_by) and the day it was seen (seen_on, "
        'YYYY-MM-DD): see "The dispute section" in docs/profiles.md'
    )
    # The registration forms never ask for it.
    assert build_plan(loaded.profile, load_portal("fcr")).submissions


def test_a_dispute_form_writes_the_dispute_and_the_address_on_one_line() -> None:
    loaded = load_profile(_write(PROFILE + DISPUTE))
    [submission] = build_plan(loaded.profile, load_portal("trf")).submissions
    written = {
        a.field: a.value for step in submission.steps for a in step.actions
        if isinstance(a, PlannedField)
    }  # fmt: skip
    assert written["address"] == "1 Dock St, Suite 4, San Diego, CA 92101"
    assert written["label seen"] == "Spam Likely"
    assert written["shown by"] == "Verizon"
    assert written["date seen"] == "2026-11-30"
    assert written["sample numbers"] == "+16195550101"


def test_plan_names_the_profile_file_when_the_section_is_missing() -> None:
    path = _write(PROFILE)
    shown = run_assistant("plan", str(path), "--portal", "trf", "--data-dir", "data")
    assert shown.returncode == ExitCode.INVALID
    assert shown.stderr.startswith(
        "Error: p.yaml:1:1: dispute: TNS robocall feedback form (--portal trf) is a dispute "
        "form, and this profile has no dispute: section;"
    ), shown.stderr
