"""`assistant plan` of a profile that takes several submissions (issue 19 item 8): the business
fields once, in the first submission, then each later submission's numbers only, and only when
nothing else in it differs."""

from __future__ import annotations

from pathlib import Path

from person import Person

from assistant.cli.plan import render_plan
from assistant.portals import load_portal
from assistant.portals.plan import PlannedField, build_plan
from assistant.profiles import load_profile

ROOT = Path(__file__).resolve().parents[2]
COUNTY = ROOT / "profiles" / "county-weather.yaml"  # 45 numbers: 20, 20 and 5


def test_a_later_submission_shows_only_its_numbers() -> None:
    with Person("plan", str(COUNTY), size=(50, 100)) as person:
        assert person.wait() == 0
        screen = person.before
    assert screen.count("company name ") == 1
    assert screen.count("step business") == 1
    later = screen.split("\nSubmission 2 of 3", 1)[1].splitlines()
    numbers = [f"    number {i:<11} type{' ' * 21}20855501{i + 19:02d}" for i in range(1, 21)]
    assert [line.split("  [")[0] for line in later[:22]] == [
        " (20 numbers): every step as in submission 1, with these numbers",
        "  step numbers",
        *numbers,
    ]
    assert later[22:25] == [
        "",
        "Submission 3 of 3 (5 numbers): every step as in submission 1, with these numbers",
        "  step numbers",
    ]
    assert later[25].startswith("    number 1           type                     2085550140  [")
    assert later[30:] == [
        "",
        '"if there": the portal may not have that field; the review says when it has not.',
        "The page element of each value: assistant plan --json",
    ]
    assert len(screen.splitlines()) == 85  # was 137, every business field three times


def test_a_later_submission_that_differs_in_more_than_its_numbers_is_shown_whole() -> None:
    plan = build_plan(load_profile(COUNTY).profile, load_portal("fcr"))
    second = plan.submissions[1]
    steps = list(second.steps)
    business = next(i for i, step in enumerate(steps) if step.name == "business")
    actions = list(steps[business].actions)
    first_field = next(i for i, a in enumerate(actions) if isinstance(a, PlannedField))
    assert isinstance(actions[first_field], PlannedField)
    actions[first_field] = actions[first_field].model_copy(update={"value": "Another Name"})
    steps[business] = steps[business].model_copy(update={"actions": tuple(actions)})
    changed = second.model_copy(update={"steps": tuple(steps)})
    text = render_plan(
        plan.model_copy(update={"submissions": (plan.submissions[0], changed, plan.submissions[2])})
    )
    assert text.count("step business") == 2  # the first, and the one that differs
    assert "Another Name" in text
    assert "Submission 2 of 3 (20 numbers)\n  step email" in text
    assert "Submission 3 of 3 (5 numbers): every step as in submission 1, with these" in text
