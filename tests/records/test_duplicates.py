"""The duplicate guard: what blocks a number, what --resubmit lifts, and the exact messages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from journalrows import FCR, FCR_HOST, FID, FakeClock, at, new_attempt, submit

from assistant.errors import DuplicateSubmission, ExitCode
from assistant.records import duplicates
from assistant.records.journal import Journal, State


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(at("2026-10-01 14:03"))


@pytest.fixture
def journal(tmp_path: Path, clock: FakeClock) -> Iterator[Journal]:
    with Journal.open(tmp_path / "data", clock=clock) as j:
        yield j


FID2 = "FCRFE10012026140300456"


TRF_HOST = "reportarobocall.com"  # another registry is at another host


def unknown(journal: Journal, *numbers: str, portal: str = "fcr", host: str = FCR_HOST) -> int:
    attempt_id = journal.begin(new_attempt(*numbers, portal=portal, host=host))
    journal.intent(attempt_id, confirmed_by="alice", review_values={})
    journal.unknown(attempt_id, "timeout")
    return attempt_id


def test_nothing_known_passes(journal: Journal) -> None:
    assert duplicates.check(journal, FCR, ["+16195550100"], now=at("2026-10-02 00:00")) == []


def test_a_recent_submission_blocks_naming_its_due_date(journal: Journal) -> None:
    submit(journal, "+16195550100", "+16195550101")
    with pytest.raises(DuplicateSubmission) as caught:
        duplicates.check(journal, FCR, ["+16195550199", "+16195550100"], now=at("2026-12-01 00:00"))
    assert str(caught.value) == (
        f"+16195550100 was submitted to fcr on 2026-10-01 as {FID}; due again on 2026-12-30"
    )
    assert "--resubmit" not in str(caught.value)
    assert caught.value.exit_code is ExitCode.DUPLICATE


def test_the_window_is_90_days_by_default_and_configurable(journal: Journal) -> None:
    submit(journal, "+16195550100")
    day_89 = at("2026-12-29 14:03")
    day_91 = at("2026-12-31 14:03")
    assert len(duplicates.findings(journal, FCR, ["+16195550100"], now=day_89)) == 1
    assert duplicates.findings(journal, FCR, ["+16195550100"], now=day_91) == []
    assert duplicates.findings(journal, FCR, ["+16195550100"], window_days=30, now=day_89) == []


def test_other_portals_and_declined_or_failed_attempts_do_not_block(journal: Journal) -> None:
    submit(journal, "+16195550100", portal="trf", host=TRF_HOST)
    journal.declined(journal.begin(new_attempt("+16195550101")))
    journal.failed(journal.begin(new_attempt("+16195550102")), "x")
    unknown(journal, "+16195550103", portal="trf", host=TRF_HOST)
    numbers = ["+16195550100", "+16195550101", "+16195550102", "+16195550103"]
    assert duplicates.check(journal, FCR, numbers, now=at("2026-10-02 00:00")) == []


def test_resubmit_returns_recent_submissions_for_the_review(journal: Journal) -> None:
    submit(journal, "+16195550100")
    found = duplicates.check(
        journal, FCR, ["+16195550100", "+16195550101"], resubmit=True, now=at("2026-10-05 00:00")
    )
    assert found == [
        duplicates.Finding(
            number="+16195550100",
            registry="fcr",
            state=State.SUBMITTED,
            attempt_id=1,
            date="2026-10-01",
            feedback_id=FID,
            due="2026-12-30",
        )
    ]
    assert f"RESUBMITTING: {found[0].summary()}" == (
        f"RESUBMITTING: +16195550100 was submitted to fcr on 2026-10-01 (attempt 1, "
        f"Feedback ID {FID})"
    )


@pytest.mark.parametrize("resubmit", [False, True])
def test_unknown_outcomes_block_even_with_resubmit_and_at_any_age(
    journal: Journal, resubmit: bool
) -> None:
    attempt_id = unknown(journal, "+16195550100")
    with pytest.raises(DuplicateSubmission) as caught:
        duplicates.check(
            journal, FCR, ["+16195550100"], resubmit=resubmit, now=at("2028-01-01 00:00")
        )
    assert str(caught.value) == (
        f"+16195550100 has an unknown outcome (attempt {attempt_id}, sent to fcr on "
        f"2026-10-01): settle it with 'assistant settle {attempt_id} --submitted FEEDBACK_ID' "
        f"or 'assistant settle {attempt_id} --not-submitted'"
    )


def test_a_crash_left_intent_blocks_like_unknown(journal: Journal) -> None:
    attempt_id = journal.begin(new_attempt("+16195550100"))
    journal.intent(attempt_id, confirmed_by="alice", review_values={})
    [found] = duplicates.findings(journal, FCR, ["+16195550100"])
    assert (found.state, found.unsettled, found.attempt_id) == (State.INTENT, True, attempt_id)


def test_blocked_numbers_are_grouped_one_line_per_earlier_submission(
    journal: Journal, clock: FakeClock
) -> None:
    thirty = [f"+161955501{i:02d}" for i in range(30)]
    submit(journal, *thirty[:20])
    submit(journal, *thirty[20:], fid=FID2)
    clock.advance(days=1)
    attempt_id = unknown(journal, "+16195550201", "+16195550200")
    with pytest.raises(DuplicateSubmission) as caught:
        duplicates.check(
            journal,
            FCR,
            [*thirty, "+16195550200", "+16195550201", "+16195550202"],
            now=at("2026-10-03 00:00"),
        )
    settle = (
        f"settle it with 'assistant settle {attempt_id} --submitted FEEDBACK_ID' "
        f"or 'assistant settle {attempt_id} --not-submitted'"
    )
    assert str(caught.value).splitlines() == [
        f"20 numbers were submitted to fcr on 2026-10-01 as {FID}; due again on 2026-12-30",
        f"10 numbers were submitted to fcr on 2026-10-01 as {FID2}; due again on 2026-12-30",
        "+16195550200 and +16195550201 have an unknown outcome (attempt 3, sent to fcr on "
        f"2026-10-02): {settle}",
    ]


def test_settling_unblocks(journal: Journal) -> None:
    attempt_id = unknown(journal, "+16195550100")
    journal.settle(attempt_id, None, settled_by="bob")
    assert duplicates.check(journal, FCR, ["+16195550100"], now=at("2026-10-02 00:00")) == []
    other = unknown(journal, "+16195550101")
    journal.settle(other, FID, settled_by="bob")
    with pytest.raises(DuplicateSubmission, match="due again on 2026-12-30"):
        duplicates.check(journal, FCR, ["+16195550101"], now=at("2026-10-02 00:00"))


def test_unknown_notice(journal: Journal) -> None:
    assert duplicates.unknown_notice([]) == ""
    first = unknown(journal, "+16195550100")
    crashed = journal.begin(new_attempt(*(f"+161955501{i:02d}" for i in range(5)), part=2, parts=3))
    journal.intent(crashed, confirmed_by="bob", review_values={})
    assert duplicates.unknown_notice(journal.unsettled()) == "\n".join(
        [
            "2 submissions have an unknown outcome; their numbers will not be sent again "
            "until you settle them:",
            "  attempt 1: Acme Dental (1 of 1) to fcr, confirmed 2026-10-01 14:03:00 UTC by "
            "alice: +16195550100",
            "    check the contact mailbox or the portal, then run 'assistant settle 1 "
            "--submitted FEEDBACK_ID' or 'assistant settle 1 --not-submitted'",
            "  attempt 2: Acme Dental (2 of 3) to fcr, confirmed 2026-10-01 14:03:00 UTC by "
            "bob: +16195550100, +16195550101, +16195550102 and 2 more",
            "    check the contact mailbox or the portal, then run 'assistant settle 2 "
            "--submitted FEEDBACK_ID' or 'assistant settle 2 --not-submitted'",
        ]
    )
    journal.settle(first, None, settled_by="x")
    assert duplicates.unknown_notice(journal.unsettled()).splitlines()[0] == (
        "1 submission has an unknown outcome; their numbers will not be sent again "
        "until you settle them:"
    )
