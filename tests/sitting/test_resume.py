"""`fill` resumes what a run left: the parts of a profile already sent are skipped, saying
when and as which Feedback ID, and only the rest reach the portal; an unknown outcome is never
taken for "not yet sent"."""

from __future__ import annotations

import io
import json
import re
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from batchrun import drive, profile_text
from journalrows import new_attempt, submit
from replicas import Replicas

from assistant.errors import ExitCode
from assistant.portals import load_portal
from assistant.profiles import load_profiles
from assistant.records.journal import Journal, State
from assistant.replica import Replica
from assistant.sitting.batch import Batch
from assistant.sitting.jobs import BatchOptions, plan_jobs
from assistant.sitting.session import FillOptions
from assistant.sitting.terminal import Terminal

# 22 numbers: the portal takes 20 at a time, so the profile is sent in two parts (20 and 2).
NUMBERS = [f"+1619555{i:04d}" for i in range(1100, 1122)]


def _sent(record: dict[str, Any]) -> list[str]:
    """The numbers a submission the replica accepted carried, as +1 and ten digits."""
    fields = record["fields"]
    return sorted(f"+1{v}" for k, v in fields.items() if k.startswith("enterprise_phone_") and v)


def _fill(profile: Path, portal: Replica, data: Path, *answers: str) -> Any:
    args = ["fill", str(profile), "--url", portal.url, "--headless", "--data-dir", str(data)]
    return drive(args, portal, answers=answers)


def test_an_interrupted_two_part_profile_is_finished_with_its_second_part_only(
    tmp_path: Path, replica: Replicas
) -> None:
    profile = tmp_path / "harbor.yaml"
    profile.write_text(profile_text(1, NUMBERS), encoding="utf-8")
    data = tmp_path / "data"
    portal = replica()

    first = _fill(profile, portal, data, "submit", "^C")  # part 1 sent, stopped at part 2's review
    assert first.exitstatus == ExitCode.NOT_CONFIRMED, first.output
    assert [_sent(r) for r in portal.submissions()] == [NUMBERS[:20]]
    fid = portal.submissions()[0]["feedback_id"]

    second = _fill(profile, portal, data)
    assert second.exitstatus == ExitCode.OK, second.output
    assert second.reviews == [("Harbor 1", "2")]  # one review: part 2's
    today = datetime.now(UTC).date()
    due = today + timedelta(days=90)
    assert (
        f"[1/2] Harbor 1 (1 of 2): skipped, already submitted on {today} as {fid}; "
        f"due again on {due}"
    ) in second.output
    assert "--resubmit" not in second.output
    received = portal.submissions()
    assert [_sent(r) for r in received] == [NUMBERS[:20], NUMBERS[20:]]
    assert portal.submit_attempts() == 2
    assert f"{received[1]['feedback_id']}, due again" not in second.output  # practice: never due
    with Journal.open(data) as journal:
        done = [
            (a.part, a.parts, a.numbers) for a in journal.history() if a.state is State.SUBMITTED
        ]
    assert done == [(2, 2, tuple(NUMBERS[20:])), (1, 2, tuple(NUMBERS[:20]))]

    third = _fill(profile, portal, data)  # nothing left: refused, naming both and their due date
    assert third.exitstatus == ExitCode.DUPLICATE, third.output
    assert third.reviews == []
    assert f"20 numbers were submitted to fcr on {today} as {fid}; due again on {due}" in (
        third.output
    )
    assert "--resubmit" not in third.output
    assert portal.submit_attempts() == 2


def test_a_part_some_of_whose_numbers_were_sent_sends_the_others_only(
    tmp_path: Path, replica: Replicas
) -> None:
    # The profile first listed 18 numbers (one part); two were added since: part 1 now holds
    # the 18 sent and 2 of the new ones, part 2 the last new one.
    data = tmp_path / "data"
    portal = replica()
    profile = tmp_path / "harbor.yaml"
    profile.write_text(profile_text(1, NUMBERS[:18]), encoding="utf-8")
    assert _fill(profile, portal, data).exitstatus == ExitCode.OK
    fid = portal.submissions()[0]["feedback_id"]
    profile.write_text(profile_text(1, NUMBERS[:21]), encoding="utf-8")

    again = _fill(profile, portal, data)
    assert again.exitstatus == ExitCode.OK, again.output
    assert again.reviews == [("Harbor 1", "1"), ("Harbor 1", "2")]
    today = datetime.now(UTC).date()
    assert (
        "Harbor 1 (submission 1 of 2): sending 2 numbers not yet sent; not again: 18 numbers "
        f"were submitted to fcr on {today} as {fid}; due again on {today + timedelta(days=90)}"
    ) in again.output
    assert [_sent(r) for r in portal.submissions()] == [
        NUMBERS[:18],
        NUMBERS[18:20],
        NUMBERS[20:21],
    ]


def test_an_unknown_outcome_is_not_taken_for_not_yet_sent(
    tmp_path: Path, replica: Replicas
) -> None:
    data = tmp_path / "data"
    portal = replica()
    profile = tmp_path / "harbor.yaml"
    profile.write_text(profile_text(1, NUMBERS), encoding="utf-8")
    first = _fill(profile, portal, data, "submit", "^C")
    assert first.exitstatus == ExitCode.NOT_CONFIRMED, first.output
    with Journal.open(data) as journal:
        sent = next(a for a in journal.history() if a.state is State.SUBMITTED)
    with closing(sqlite3.connect(data / "journal.sqlite3")) as db, db:  # as if no answer came
        db.execute(
            "UPDATE attempts SET state = 'unknown', feedback_id = NULL WHERE id = ?", (sent.id,)
        )

    again = _fill(profile, portal, data)
    assert again.exitstatus == ExitCode.DUPLICATE, again.output
    assert again.reviews == []
    assert f"have an unknown outcome (attempt {sent.id}" in again.output
    assert portal.submit_attempts() == 1


def test_a_real_registration_names_its_due_date_in_the_summary_and_the_receipt(
    tmp_path: Path, replica: Replicas
) -> None:
    # A map of one's own whose own host is the replica's: a run there is real, not practice.
    portal = replica()
    own = load_portal("fcr").model_dump(exclude={"registry"})
    own.update(name="mine", start_url=portal.url, allowed_hosts=["127.0.0.1"])
    mine = tmp_path / "mine.yaml"
    mine.write_text(json.dumps(own), encoding="utf-8")
    profile = tmp_path / "harbor.yaml"
    profile.write_text(profile_text(1, NUMBERS[:2]), encoding="utf-8")
    data = tmp_path / "data"
    args = ["fill", str(profile), "--portal", str(mine), "--headless", "--data-dir", str(data)]
    done = drive(args, portal)
    assert done.exitstatus == ExitCode.OK, done.output
    fid = portal.submissions()[0]["feedback_id"]
    due = datetime.now(UTC).date() + timedelta(days=90)
    assert re.search(
        rf"│ 1 +│ Harbor 1 +│ 1 of 1 +│ 2 +│ submitted +│ {fid}, due again {due} +│", done.output
    ), done.output
    with Journal.open(data) as journal:
        (attempt,) = journal.history()
    assert attempt.real_portal
    receipt = Path(attempt.receipt_path or "").read_text(encoding="utf-8")
    assert f"<tr><th>Due again</th><td>{due} (90 days after it was sent;" in receipt


def _batch(
    tmp_path: Path, journal: Journal, numbers: list[str], said: io.StringIO | None = None
) -> Batch:
    profile = tmp_path / "harbor.yaml"
    profile.write_text(profile_text(1, numbers), encoding="utf-8")
    loaded, problems = load_profiles([profile])
    assert problems == []
    fcr = load_portal("fcr")
    options = BatchOptions(fill=FillOptions(portal=fcr))  # the real FCR: journalrows' FCR
    terminal = Terminal(io.StringIO(), said or io.StringIO())
    return Batch(plan_jobs(loaded, fcr, None), options, journal, terminal)


def _parts(run: Batch) -> list[tuple[int, int, tuple[str, ...]]]:
    return [(s.index, s.count, s.numbers) for s in run.jobs[0].plan.submissions]


def test_resume_keeps_each_part_in_its_place_and_leaves_unknown_outcomes_whole(
    tmp_path: Path,
) -> None:
    with Journal.open(tmp_path / "data") as journal:
        submit(journal, *NUMBERS[:18])  # part 1 of 2 was 20 numbers: 18 of them sent
        said = io.StringIO()
        run = _batch(tmp_path, journal, NUMBERS, said)
        run.resume()
        assert _parts(run) == [(1, 2, tuple(NUMBERS[18:20])), (2, 2, tuple(NUMBERS[20:]))]
        assert said.getvalue().startswith(
            "Harbor 1 (submission 1 of 2): sending 2 numbers not yet sent; not again: 18 numbers "
            "were submitted to fcr on "
        )

        unknown = journal.begin(new_attempt(NUMBERS[21]))
        journal.intent(unknown, confirmed_by="alice", review_values={})
        journal.unknown(unknown, "timeout")
        later = _batch(tmp_path, journal, NUMBERS)
        later.resume()
        # Part 2 holds a number whose outcome nobody knows: left whole, for the guard to skip.
        assert _parts(later) == [(1, 2, tuple(NUMBERS[18:20])), (2, 2, tuple(NUMBERS[20:]))]
        skipped = later._skip(later.jobs[0], later.jobs[0].plan.submissions[1])
        assert skipped is not None
        assert skipped.blocked_by_unknown
