"""The plan is pure: profile × map -> submissions of at most 20 numbers, values formatted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.errors import ProfileError
from assistant.portals import load_portal
from assistant.portals.formats import (
    did_you_mean,
    format_value,
    match_option,
    parse_range,
    same_value,
)
from assistant.portals.plan import PlannedField, PlannedRows, build_plan, chunk_numbers
from assistant.profiles.model import (
    Address,
    Calling,
    Company,
    Contact,
    PhoneNumber,
    Profile,
)
from assistant.replica.catalog import CATEGORIES, STATES

ROOT = Path(__file__).resolve().parents[2]


def make_profile(count: int = 3, **calling: object) -> Profile:
    """A profile with `count` numbers (+1 619 555 01xx), built directly from the model."""
    values: dict[str, object] = {
        "category": "Education",
        "monthly_calls": 12000,
        "service_provider": "Bandwidth",
        "notes": None,
    }
    values.update(calling)
    return Profile(
        label="Lakeside",
        company=Company(
            name="Lakeside USD",
            website="https://lakeside.example.org",
            address=Address(line1="100 Main St", city="Lakeside", state="CA", zip="92040"),
        ),
        contact=Contact(name="Dana Reyes", phone="+16195550142", email="it@lakeside.example.org"),
        calling=Calling.model_validate(values),
        display_name="LAKESIDE USD",
        numbers=tuple(
            PhoneNumber(number=f"+1619555{i:04d}", display_name="NURSE" if i == 1 else None)
            for i in range(count)
        ),
    )


def _fields(plan_submission: object) -> dict[str, PlannedField]:
    return {
        a.field: a
        for step in plan_submission.steps  # type: ignore[attr-defined]
        for a in step.actions
        if isinstance(a, PlannedField)
    }


def test_45_numbers_become_submissions_of_20_20_and_5_in_order() -> None:
    profile = make_profile(45)
    plan = build_plan(profile, load_portal("fcr"))
    assert [len(s.numbers) for s in plan.submissions] == [20, 20, 5]
    assert [s.title for s in plan.submissions] == [
        "Submission 1 of 3 (20 numbers)",
        "Submission 2 of 3 (20 numbers)",
        "Submission 3 of 3 (5 numbers)",
    ]
    sent = [n for s in plan.submissions for n in s.numbers]
    assert sent == [n.number for n in profile.numbers]
    rows = [a for step in plan.submissions[2].steps for a in step.actions]
    numbers = next(a for a in rows if isinstance(a, PlannedRows))
    assert [r.number for r in numbers.rows] == [f"619555{i:04d}" for i in range(40, 45)]
    assert chunk_numbers(profile.numbers[:20], 20) == [profile.numbers[:20]]


def test_wizard_values_carry_the_wizard_formats() -> None:
    fields = _fields(build_plan(make_profile(), load_portal("fcr")).submissions[0])
    assert fields["state"].value == "California"
    assert (fields["state"].write, fields["state"].match) == ("select", "label")
    assert fields["contact phone"].value == "6195550142"
    assert fields["contact phone"].profile_value == "+16195550142"
    assert (fields["category"].value, fields["category"].match) == ("Education", "label")
    assert (fields["calls per month"].value, fields["calls per month"].match) == ("12000", "range")
    assert fields["address line 2"].value == ""  # optional and empty in this profile
    assert fields["terms accepted"].write == "checkbox"


def test_classic_values_carry_the_classic_formats_and_display_names() -> None:
    submission = build_plan(make_profile(), load_portal("fcr-classic")).submissions[0]
    fields = _fields(submission)
    assert (fields["state"].value, fields["state"].match) == ("CA", "value")
    assert fields["calls per month"].value == "12000"
    assert fields["calls per month"].write == "text"
    assert fields["category"].match == "value_or_label"
    rows = next(a for s in submission.steps for a in s.actions if isinstance(a, PlannedRows))
    assert [(r.number, r.display_name) for r in rows.rows] == [
        ("6195550000", "LAKESIDE USD"),
        ("6195550001", "NURSE"),
        ("6195550002", "LAKESIDE USD"),
    ]


def test_a_value_the_map_needs_but_the_profile_lacks_is_named() -> None:
    portal = load_portal("fcr-classic")
    text = (ROOT / "assistant/portals/fcr-classic.yaml").read_text(encoding="utf-8")
    strict = text.replace("value: calling.notes\n        optional: true", "value: calling.notes")
    from assistant.portals import parse_portal

    with pytest.raises(ProfileError) as caught:
        build_plan(make_profile(), parse_portal(strict.encode(), "strict.yaml"))
    assert str(caught.value) == (
        "Lakeside:1:1: calling.notes: the portal map fcr-classic needs a value"
    )
    assert build_plan(make_profile(), portal).submissions  # optional there: fine


@pytest.mark.parametrize(
    ("raw", "fmt", "expected"),
    [
        ("CA", "state_code", "CA"),
        ("CA", "state_name", "California"),
        ("VI", "state_name", "U.S. Virgin Islands"),
        ("+16195550142", "phone_digits", "6195550142"),
        ("+16195550142", "phone_dashed", "619-555-0142"),
        ("+16195550142", "phone_e164", "+16195550142"),
        ("12000", "count", "12000"),
    ],
)
def test_formats(raw: str, fmt: str, expected: str) -> None:
    assert format_value(raw, fmt) == expected  # type: ignore[arg-type]


RANGES = [("", "Select a range")] + [
    (r, r)
    for r in (
        "1 - 100",
        "101 - 1,000",
        "1,001 - 10,000",
        "10,001 - 100,000",
        "100,001 - 1,000,000",
        "More than 1,000,000",
    )
]


@pytest.mark.parametrize(
    ("calls", "label"),
    [
        (1, "1 - 100"),
        (100, "1 - 100"),
        (101, "101 - 1,000"),
        (12000, "10,001 - 100,000"),
        (1_000_000, "100,001 - 1,000,000"),
        (1_000_001, "More than 1,000,000"),
    ],
)
def test_monthly_calls_pick_the_range_that_contains_them(calls: int, label: str) -> None:
    assert match_option(RANGES, str(calls), "range") == (label, label)


def test_range_labels_parse() -> None:
    assert parse_range("1,001 - 10,000") == (1001, 10000)
    assert parse_range("Select a range") is None
    assert parse_range("Under 50") == (0, 49)


def test_categories_match_by_label_or_value_ignoring_case_and_punctuation() -> None:
    wizard = [("", "Select"), ("12", "Attorney / Law"), ("9", "Education")]
    classic = [("attorney_law", "Attorney / Law"), ("emergency_notifications", "Emergency N.")]
    assert match_option(wizard, "education", "label") == ("9", "Education")
    assert match_option(wizard, "attorney/law", "label") == ("12", "Attorney / Law")
    assert match_option(wizard, "9", "label") is None  # by label only
    assert match_option(classic, "Emergency Notifications", "value_or_label") == classic[1]
    assert match_option(classic, "Emergency Notifications", "label") is None
    assert match_option(wizard, "Schools / Education", "label") is None  # never a guess


def test_spaces_case_and_punctuation_never_decide_but_two_matches_are_no_match() -> None:
    options = [("7", "Healthcare"), ("3", "Non-Profit / Charity"), ("9", "Education")]
    assert match_option(options, "Health Care", "label") == ("7", "Healthcare")
    assert match_option(options, "HEALTH-CARE", "label") == ("7", "Healthcare")
    assert match_option(options, "nonprofit charity", "label") == ("3", "Non-Profit / Charity")
    both = [("1", "Health Care"), ("2", "Healthcare")]
    assert match_option(both, "healthcare", "label") is None  # two options: never a guess


def test_did_you_mean_names_the_nearest_option_only_for_a_plausible_typo() -> None:
    labels = [(str(i), c) for i, c in enumerate(CATEGORIES, start=1)]
    states = [(code, name) for code, name in STATES]
    assert did_you_mean(labels, "Helth Care", "label") == "did you mean Healthcare?"
    assert did_you_mean(labels, "Telemarketting", "label") == "did you mean Telemarketing?"
    assert did_you_mean(states, "Kansus", "label") == "did you mean Kansas?"
    assert did_you_mean(states, "Missisipi", "label") == "did you mean Mississippi?"
    assert did_you_mean(states, "Iwoa", "label") == "did you mean Iowa?"  # letters swapped
    # Too far to be a typo: nothing is suggested rather than something unrelated.
    for far in ("Hospital", "Finance", "Rental", "Health", "Law", "", "!!"):
        assert did_you_mean(labels, far, "label") == "", far
    # Equally near: both are named, in the page's order.
    assert did_you_mean([("a", "Retail"), ("b", "Detail")], "Xetail", "label") == (
        "did you mean Retail or Detail?"
    )
    # By value, the value to write; by value or label, the label.
    classic = [("attorney_law", "Attorney / Law"), ("telemarketing", "Telemarketing")]
    assert did_you_mean(classic, "atorney_law", "value") == "did you mean attorney_law?"
    assert did_you_mean(classic, "atorney_law", "value_or_label") == (
        "did you mean Attorney / Law?"
    )
    assert did_you_mean(RANGES, "12000", "range") == ""


def test_read_back_comparison_per_format() -> None:
    assert same_value("6195550142", "619-555-0142", "phone_digits")
    assert same_value("6195550142", "(619) 555-0142", "phone_digits")
    assert not same_value("6195550142", "", "phone_digits")
    assert not same_value("6195550142", "619-555-014", "phone_digits")
    assert same_value("12000", "12,000", "count")
    assert not same_value("Lakeside", "lakeside", "text")


def test_plan_command_prints_the_plan_without_importing_playwright(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from assistant.cli import main\n"
        "try:\n"
        "    main(['plan', 'profiles/county-weather.yaml', '--json'])\n"
        "except SystemExit as e:\n"
        "    assert e.code in (0, None), e.code\n"
        "assert 'playwright' not in sys.modules, 'playwright was imported'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [len(s["numbers"]) for s in data["submissions"]] == [20, 20, 5]
    assert "[masked]" in result.stdout  # contact details are masked outside the review
    assert "alerts-admin@canyoncounty.example.org" not in result.stdout
    assert "2085550199" not in result.stdout
