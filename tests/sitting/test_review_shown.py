"""What a review shows (issue 19): PRACTICE and the host; what is new against the submission of
the same profile already confirmed, one line for the rest, `all` for every row; and what it
means when the portal takes no caller names. Presentation only: the values compared and sent
are the review's `values`, whole, either way."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from clirun import PROFILE, ROOT
from ptyperson import PtyPerson

from assistant.browser.step_state import ReadBack
from assistant.errors import NotConfirmed
from assistant.portals import load_portal
from assistant.portals.plan import build_plan
from assistant.profiles import load_profile
from assistant.records.journal.models import Destination
from assistant.sitting.gates import Review, confirm_submit, prompt, render_review
from assistant.sitting.reviewed import (
    CALLER_NAMES,
    Confirmations,
    Confirmed,
    caller_names_note,
    fold,
    foldable,
)

PRACTICE = Destination("fcr", "127.0.0.1:8765", real=False)
REAL = Destination("fcr", "www.freecallerregistry.com", real=True)
FIELDS = frozenset(
    {("business", "company name"), ("business", "state"), ("business", "contact phone")}
)


def _business(phone: str = "555-555-0100", state_sent: str = "CA") -> tuple[ReadBack, ...]:
    return (
        ReadBack("business", "company name", "#n", "Lakeside", "Lakeside", "Lakeside", True),
        ReadBack(
            "business",
            "state",
            "#s",
            "CA",
            "California",
            "California",
            True,
            kind="select",
            sent=state_sent,
        ),
        ReadBack("business", "contact phone", "#p", "(555) 555-0100", "5555550100", phone, True),
    )


def _numbers(*digits: str) -> tuple[ReadBack, ...]:
    rows: list[ReadBack] = []
    for i, d in enumerate(digits, start=1):
        rows.append(ReadBack("numbers", f"number {i}", f"#p{i}", f"+1{d}", d, d, True))
        rows.append(
            ReadBack(
                "numbers", f"display name {i}", f"#d{i}", "LAKESIDE", "LAKESIDE", "LAKESIDE", True
            )
        )
    return tuple(rows)


FIRST = Confirmed(1, _business() + _numbers("6195550100", "6195550101"))


def _review(
    values: tuple[ReadBack, ...], earlier: Confirmed | None = FIRST, **more: object
) -> Review:
    return Review(
        title="Submission 2 of 2 (1 number)",
        portal="fcr",
        values=values,
        screenshot=Path("/private/run/s2-review.png"),
        label="Lakeside USD",
        destination=PRACTICE,
        fold=fold(values, earlier, FIELDS),
        **more,  # type: ignore[arg-type]
    )


@pytest.fixture
def people() -> Iterator[list[PtyPerson]]:
    made: list[PtyPerson] = []
    yield made
    for person in made:
        person.close()


def _plain(screen: str) -> str:
    """The screen without its colours."""
    return re.sub(r"\x1b\[[0-9;]*m", "", screen)


def _person(people: list[PtyPerson], *lines: str) -> PtyPerson:
    person = PtyPerson(*lines, size=(50, 160))
    people.append(person)
    return person


# -- practice or real, said on the review and the prompt --------------------------------------


def test_a_practice_review_says_practice_and_the_host_in_its_title_and_its_prompt(
    people: list[PtyPerson],
) -> None:
    review = _review(_business() + _numbers("6195550102"), earlier=None)
    person = _person(people, "submit")
    render_review(review, person.terminal)
    confirm_submit(person.terminal, review)
    screen = _plain(person.screen())
    assert screen.startswith(
        "PRACTICE at 127.0.0.1:8765, not the real portal: Submission 2 of 2 (1 number) — "
        "please review\n"
    )
    assert screen.endswith(
        'PRACTICE at 127.0.0.1:8765 (not the real portal). Type "submit" to send Lakeside USD, '
        "submission 2 of 2 (1 number), anything else to stop: submit\n"
    )


def test_a_real_review_names_its_host_in_the_title_and_never_says_practice(
    people: list[PtyPerson],
) -> None:
    review = replace(_review(_business() + _numbers("6195550102"), earlier=None), destination=REAL)
    person = _person(people, "submit")
    render_review(review, person.terminal)
    confirm_submit(person.terminal, review)
    screen = _plain(person.screen())
    assert screen.startswith(
        "Submission 2 of 2 (1 number) at www.freecallerregistry.com — please review\n"
    )
    assert screen.endswith(
        'Type "submit" to send Lakeside USD, submission 2 of 2 (1 number), anything else to '
        "stop: submit\n"
    )
    assert "PRACTICE" not in screen


def test_the_practice_host_is_the_journals_one_definition() -> None:
    # A host no registry is known at, driven instead of the map's own: practice, as `history`
    # says "(practice)"; the real host, or a journal row without a host, is not.
    assert PRACTICE.practice == "127.0.0.1:8765"
    assert PRACTICE.describe().endswith("(practice)")
    assert REAL.practice == ""
    assert Destination("fcr", "", real=False).practice == ""


# -- what is new: one line for what the page holds as in the submission confirmed ------------


def test_rows_held_exactly_as_in_the_confirmed_submission_fold_and_the_numbers_never_do() -> None:
    values = _business() + _numbers("6195550102")
    folded = fold(values, FIRST, FIELDS)
    assert folded is not None
    assert folded.against == 1
    assert sorted(folded.folded) == [0, 1, 2]  # the three business fields
    assert folded.changed == frozenset()
    assert folded.said == ()
    # "display name 1" reads exactly as in submission 1, but it is a caller name: never folded.
    assert values[4].field == "display name 1"
    assert values[4] == FIRST.values[4]
    assert fold(values, None, FIELDS) is None  # nothing confirmed yet: the review is whole


def test_a_select_showing_the_same_label_but_sending_another_value_is_never_folded() -> None:
    # Hostile: the page keeps the label "California" but the option now sends "NV".
    values = _business(state_sent="NV") + _numbers("6195550102")
    folded = fold(values, FIRST, FIELDS)
    assert folded is not None
    assert sorted(folded.folded) == [0, 2]
    assert folded.changed == frozenset({1})
    assert folded.said == ('state: "California", sent as "CA" then, as "NV" now',)


def test_a_value_the_page_changed_but_the_profile_still_matches_is_shown_and_said() -> None:
    values = _business(phone="(555) 555-0100") + _numbers("6195550102")
    folded = fold(values, FIRST, FIELDS)
    assert folded is not None
    assert 2 not in folded.folded
    assert folded.changed == frozenset({2})
    assert folded.said == ('contact phone: "555-555-0100" then, "(555) 555-0100" now',)


def test_a_field_read_then_and_gone_now_is_said_and_a_difference_is_never_folded() -> None:
    gone = fold(_business()[:2] + _numbers("6195550102"), FIRST, FIELDS)
    assert gone is not None
    assert gone.said == ('contact phone: "555-555-0100" then, not on this page now',)
    # A value that differs from the profile is never folded, even when it differed as then.
    wrong = replace(_business()[0], shown="Lakesid", equal=False)
    earlier = Confirmed(1, (wrong,))
    same = fold((wrong,), earlier, FIELDS)
    assert same is not None
    assert same.folded == frozenset()
    assert same.changed == frozenset()


def test_the_first_submission_confirmed_of_a_profile_is_the_one_compared_with() -> None:
    confirmations = Confirmations()
    key = ("/p/lakeside.yaml", "Lakeside USD")
    assert confirmations.first(key) is None
    confirmations.confirm(key, 1, FIRST.values)
    confirmations.confirm(key, 2, _business(phone="x"))
    assert confirmations.first(key) == FIRST
    assert confirmations.first(("/p/other.yaml", "Lakeside USD")) is None


def test_a_folded_review_shows_the_new_rows_and_one_line_then_all_shows_every_row(
    people: list[PtyPerson],
) -> None:
    review = _review(_business() + _numbers("6195550102"))
    person = _person(people, "all", "submit")
    render_review(review, person.terminal)
    confirm_submit(person.terminal, review)  # `all`, then `submit`: confirmed
    screen = _plain(person.screen())
    asked = (
        'PRACTICE at 127.0.0.1:8765 (not the real portal). Type "submit" to send Lakeside USD, '
        'submission 2 of 2 (1 number), "all" to see every row, anything else to stop: '
    )
    folded, whole, after = screen.split(asked)
    assert "3 fields as in submission 1, read back from this page: ✓ " in folded
    assert '(type "all" to see every row)' in folded
    for hidden in ("company name", "Lakeside", "contact phone", "California"):
        assert hidden not in folded
    assert "6195550102" in folded
    assert "display name 1" in folded
    # `all`: the whole table, every row, no line folding them; then the question again.
    assert whole.startswith("all\nPRACTICE at 127.0.0.1:8765, not the real portal: Submission 2")
    for row in ("company name", "Lakeside", "contact phone", "555-555-0100", "California"):
        assert row in whole
    assert "as in submission 1" not in whole
    assert after == "submit\n"


def test_a_row_not_as_then_is_in_the_table_marked_and_said_under_it(
    people: list[PtyPerson],
) -> None:
    review = _review(_business(state_sent="NV") + _numbers("6195550102"))
    person = _person(people, "no")
    render_review(review, person.terminal)
    with pytest.raises(NotConfirmed):
        confirm_submit(person.terminal, review)
    screen = _plain(person.screen())
    state_row = next(line for line in screen.splitlines() if " state " in line)
    assert "California" in state_row
    assert "✓*" in state_row
    assert "2 fields as in submission 1, read back from this page: ✓" in screen
    assert '* Not as in submission 1: state: "California", sent as "CA" then, as "NV" now' in screen


def test_all_is_only_an_answer_where_rows_are_folded(people: list[PtyPerson]) -> None:
    review = _review(_business() + _numbers("6195550102"), earlier=None)
    assert '"all"' not in prompt(review)
    person = _person(people, "all")
    render_review(review, person.terminal)
    with pytest.raises(NotConfirmed, match='You typed "all", not "submit"; nothing was submitted'):
        confirm_submit(person.terminal, review)


def test_what_was_typed_before_the_whole_table_showed_is_thrown_away(
    people: list[PtyPerson],
) -> None:
    review = _review(_business() + _numbers("6195550102"))
    # `submit` typed right after `all`, before the whole table was shown: not an answer to it.
    person = _person(people, "all\nsubmit", "no")
    render_review(review, person.terminal)
    with pytest.raises(NotConfirmed):
        confirm_submit(person.terminal, review)
    screen = _plain(person.screen())
    assert "(What was typed before this review was shown has been ignored.)" in screen


# -- caller names on a portal that takes none --------------------------------------------------


def test_caller_names_on_a_page_without_their_fields_are_one_line_saying_what_it_means(
    people: list[PtyPerson],
) -> None:
    loaded = load_profile(ROOT / PROFILE)
    submission = build_plan(loaded.profile, load_portal("fcr")).submissions[0]
    absent = ReadBack(
        "numbers",
        CALLER_NAMES,
        "#d",
        "LAKESIDE USD, LAKESIDE NURSE",
        "",
        "not on this portal",
        True,
        absent=True,
    )
    note = caller_names_note(loaded.profile, submission, [absent])
    assert note == (
        "This portal takes no caller names; the display names of these numbers (LAKESIDE USD, "
        "LAKESIDE NURSE) are not sent with this submission, and nothing else changes. Where "
        'caller names are registered instead: the README, "Caller names".'
    )
    # Where the page has the fields (no absent row), nothing is said.
    assert caller_names_note(loaded.profile, submission, []) == ""
    review = replace(_review((*_business(), absent), earlier=None), caller_names=note)
    person = _person(people, "no")
    render_review(review, person.terminal)
    with pytest.raises(NotConfirmed):
        confirm_submit(person.terminal, review)
    screen = _plain(person.screen())
    assert "This portal takes no caller names;" in screen
    assert "not on this portal" not in screen  # the row it explains is not shown as well


def test_a_map_without_caller_name_fields_says_so_too() -> None:
    loaded = load_profile(ROOT / PROFILE)
    portal = load_portal("fcr")
    rows = [a for s in portal.steps for a in s.actions if getattr(a, "display_name", None)]
    assert rows
    bare = portal.model_copy(
        update={
            "steps": tuple(
                s.model_copy(
                    update={
                        "actions": tuple(
                            a.model_copy(update={"display_name": None}) if a in rows else a
                            for a in s.actions
                        )
                    }
                )
                for s in portal.steps
            )
        }
    )
    submission = build_plan(loaded.profile, bare).submissions[0]
    assert caller_names_note(loaded.profile, submission, []).startswith(
        "This portal takes no caller names;"
    )
    assert foldable(submission) >= {("business", "company name")}


def test_only_the_business_fields_of_a_plan_fold_never_its_numbers_or_caller_names() -> None:
    loaded = load_profile(ROOT / PROFILE)
    # The classic layout: numbers, caller names and business fields all on one step, "form".
    submission = build_plan(loaded.profile, load_portal("fcr-classic")).submissions[0]
    business = [
        "ZIP code",
        "address line 1",
        "address line 2",
        "calls per month",
        "category",
        "city",
        "company name",
        "contact email",
        "contact name",
        "contact phone",
        "notes",
        "service provider",
        "state",
        "terms accepted",
        "website",
    ]
    assert foldable(submission) == frozenset(("form", name) for name in business)
    same = (
        ReadBack("form", "company name", "#n", "Lakeside", "Lakeside", "Lakeside", True),
        ReadBack("form", "number 1", "#p0", "+16195550100", "6195550100", "6195550100", True),
        ReadBack("form", "display name 1", "#d0", "LAKESIDE", "LAKESIDE", "LAKESIDE", True),
    )
    folded = fold(same, Confirmed(1, same), foldable(submission))
    assert folded is not None
    assert folded.folded == frozenset({0})
