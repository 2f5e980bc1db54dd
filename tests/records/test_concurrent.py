"""Issue 10, item 1: two runs at once never register the same numbers twice.

Two `assistant fill` runs holding the same numbers both reached the review; `submit` typed in
each, seconds apart: both exited 0 and the portal held two registrations, since the duplicate
guard ran only when a submission started. Now the guard runs again inside the journal's write
transaction that records the intent (`BEGIN IMMEDIATE`: two processes serialise on it), so the
second is refused (`ConcurrentSubmission`, exit 6), recorded as not sent, and never clicks. And
a second run of the same profile is told at its start that another run holds it (the run lock,
`assistant.records.runlock`), before any browser opens.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from batchrun import CODE_PROMPT, CONFIRM_PROMPT, profile_text
from clirun import run_assistant
from journalrows import FCR, FID, new_attempt, submit
from person import Person
from replicas import Replicas

from assistant.errors import ConcurrentSubmission, DuplicateSubmission, ExitCode, ProfileBusy
from assistant.records import duplicates, runlock
from assistant.records.journal import Journal, State
from assistant.records.journal.recorder import JournalRecorder
from assistant.records.recorder import Reviewed, SubmissionRecord
from assistant.replica import Replica

NUMBERS = ("+16195550100", "+16195550101")
FID2 = "FCRFE10012026140300999"


# -- the re-check inside the intent's transaction ------------------------------------------------


@pytest.fixture
def two(tmp_path: Path) -> Iterator[tuple[Journal, Journal]]:
    """Two connections to one journal, as two processes have."""
    with Journal.open(tmp_path / "data") as a, Journal.open(tmp_path / "data") as b:
        yield a, b


def _record(profile: str) -> SubmissionRecord:
    return SubmissionRecord(
        label=profile,
        profile_path=f"/profiles/{profile.lower().replace(' ', '-')}.yaml",
        profile_sha256="cd" * 32,
        portal="fcr",
        index=1,
        count=1,
        numbers=NUMBERS,
        run_dir=f"/runs/{profile}",
        registry="fcr",
        host="www.freecallerregistry.com",
    )


def _at_review(journal: Journal, profile: str, *, resubmit: bool = False) -> JournalRecorder:
    """A run of `profile` that passed the guard and shows its review."""
    recorder = JournalRecorder(journal, resubmit=resubmit)
    record = _record(profile)
    recorder.check(record)
    recorder.started(record)
    recorder.filled(record)
    return recorder


def test_of_two_runs_at_the_review_the_second_to_confirm_is_refused(
    two: tuple[Journal, Journal],
) -> None:
    a, b = two
    first, second = _at_review(a, "Harbor A"), _at_review(b, "Harbor B")
    first.intent(_record("Harbor A"), Reviewed((), ()))
    with pytest.raises(ConcurrentSubmission) as caught:
        second.intent(_record("Harbor B"), Reviewed((), ()))
    message = str(caught.value)
    assert isinstance(caught.value, DuplicateSubmission)
    assert caught.value.exit_code == ExitCode.DUPLICATE
    assert re.fullmatch(
        r"Not sent: \+16195550100, \+16195550101 were confirmed for fcr by attempt 1 "
        r"\(Harbor A, 1 of 1\) at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC by \S+, outcome not known "
        r"yet, while this submission waited at the review; nothing was clicked for it\. See "
        r"both with 'assistant history'\.",
        message,
    ), message
    # Nothing was written for the refused one: it is still at its review, for the session
    # to close as not sent.
    assert [(x.id, x.state) for x in b.history()] == [(2, State.FILLED), (1, State.INTENT)]


def test_the_refusal_names_the_feedback_id_once_the_other_was_submitted(
    two: tuple[Journal, Journal],
) -> None:
    a, b = two
    first, second = _at_review(a, "Harbor A"), _at_review(b, "Harbor B")
    first.intent(_record("Harbor A"), Reviewed((), ()))
    a.submitted(first.attempt_id(_record("Harbor A")), FID)
    with pytest.raises(ConcurrentSubmission) as caught:
        second.intent(_record("Harbor B"), Reviewed((), ()))
    assert str(caught.value) == (
        "Not sent: +16195550100, +16195550101 were submitted to fcr by attempt 1 (Harbor A, "
        f"1 of 1), Feedback ID {FID}, while this submission waited at the review; nothing "
        "was clicked for it. See both with 'assistant history'."
    )


def test_resubmit_lets_through_only_what_its_review_showed(
    two: tuple[Journal, Journal],
) -> None:
    a, b = two
    submit(a, *NUMBERS, fid=FID)  # long ago (the review of both says RESUBMITTING)
    first = _at_review(a, "Harbor A", resubmit=True)
    second = _at_review(b, "Harbor B", resubmit=True)
    first.intent(_record("Harbor A"), Reviewed((), ()))
    a.submitted(first.attempt_id(_record("Harbor A")), FID2)
    with pytest.raises(ConcurrentSubmission, match=f"Feedback ID {FID2}, while this"):
        second.intent(_record("Harbor B"), Reviewed((), ()))


def test_the_recheck_runs_while_the_write_lock_is_held(
    two: tuple[Journal, Journal], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside the transaction, not before it: no other process can commit an intent between
    the re-check and this one's."""
    a, b = two
    recorder = _at_review(b, "Harbor B")
    seen: list[str] = []
    original = duplicates.recheck

    def probing(*args: object, **kwargs: object) -> None:
        other = sqlite3.connect(a.path, timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")
            seen.append("another writer got in")
        except sqlite3.OperationalError as error:
            seen.append(str(error))
        finally:
            other.close()
        original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(duplicates, "recheck", probing)
    recorder.intent(_record("Harbor B"), Reviewed((), ()))
    assert seen == ["database is locked"]


def test_two_processes_racing_to_confirm_record_one_intent(tmp_path: Path) -> None:
    """Many rounds of two real processes confirming the same numbers at the same instant."""
    data = tmp_path / "data"
    script = (
        "import sys\n"
        "from assistant.errors import ConcurrentSubmission\n"
        "from assistant.records.journal import Journal\n"
        "from assistant.records.journal.recorder import JournalRecorder\n"
        "from assistant.records.recorder import Reviewed, SubmissionRecord\n"
        "record = SubmissionRecord(sys.argv[2], '/p/' + sys.argv[2], 'cd', 'fcr', 1, 1,\n"
        "    ('+16195550100', '+16195550101'), '/runs/' + sys.argv[2])\n"
        "with Journal.open(sys.argv[1]) as j:\n"
        "    r = JournalRecorder(j)\n"
        "    r.check(record); r.started(record); r.filled(record)\n"
        "    print('ready', flush=True)\n"
        "    sys.stdin.readline()\n"
        "    try:\n"
        "        r.intent(record, Reviewed((), ()))\n"
        "        print('intent', flush=True)\n"
        "    except ConcurrentSubmission:\n"
        "        print('refused', flush=True)\n"
    )
    for round_ in range(3):
        folder = data / str(round_)
        Journal.open(folder).close()  # created and migrated before the race
        runs = [
            subprocess.Popen(
                [sys.executable, "-c", script, str(folder), name],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            for name in ("Harbor A", "Harbor B")
        ]
        for run in runs:
            assert run.stdout is not None
            assert run.stdout.readline() == "ready\n"
        go = [threading.Thread(target=_go, args=(run,)) for run in runs]
        for thread in go:
            thread.start()
        for thread in go:
            thread.join()
        said = sorted(run.communicate(timeout=30)[0].strip() for run in runs)
        assert said == ["intent", "refused"], said
        with Journal.open(folder) as journal:
            assert sorted(a.state for a in journal.history()) == [State.FILLED, State.INTENT]


def _go(run: subprocess.Popen[str]) -> None:
    assert run.stdin is not None
    run.stdin.write("go\n")
    run.stdin.flush()


# -- the run lock --------------------------------------------------------------------------------


def test_a_second_hold_of_a_profile_is_refused_naming_the_first(tmp_path: Path) -> None:
    profile = tmp_path / "harbor.yaml"
    profile.write_text("x", encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from assistant.records import runlock\n"
            "with runlock.hold(Path(sys.argv[1]), [sys.argv[2]], 'fill') as me:\n"
            "    print(me.pid, me.started, flush=True); sys.stdin.readline()\n",
            str(data),
            str(profile),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        pid, started = holder.stdout.readline().split()
        assert runlock.holder(data, profile) == runlock.Holder(int(pid), started, "fill")
        spelled_otherwise = tmp_path / "." / "harbor.yaml"
        with (
            pytest.raises(ProfileBusy) as caught,
            runlock.hold(data, [spelled_otherwise], "batch"),
        ):
            pass
        when = started.replace("T", " ").replace("Z", " UTC")
        assert str(caught.value) == (
            f"{profile} is in use by another run (pid {pid}, `assistant fill`, started "
            f"{when}); nothing was opened. Finish or stop that run (Ctrl-C in its terminal), "
            "then run `assistant batch` again."
        )
        assert caught.value.exit_code == ExitCode.DUPLICATE
        lock = runlock.lock_path(data, profile)
        assert (lock.stat().st_mode & 0o777, lock.parent.stat().st_mode & 0o777) == (0o600, 0o700)
    finally:
        holder.kill()  # SIGKILL: no clean-up at all
        holder.wait()
    # The kernel released the lock with the process: nothing is ever stuck.
    assert runlock.holder(data, profile) is None
    with runlock.hold(data, [profile], "fill") as me:
        assert me.pid == os.getpid()
        assert runlock.holder(data, profile) == me


def test_settle_refuses_an_open_attempt_whose_run_is_still_going(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Journal.open(data) as journal:
        me = runlock.this_run()
        filled = journal.begin(new_attempt(*NUMBERS, owner=me.token))
    with runlock.hold(data, ["/profiles/acme-dental.yaml"], "fill") as held:
        refused = run_assistant("settle", str(filled), "--not-submitted", "--data-dir", str(data))
        when = held.started.replace("T", " ").replace("Z", " UTC")
        assert (refused.returncode, refused.stderr) == (
            ExitCode.USAGE,
            f"Error: attempt {filled} is filled in a run that is still going (pid {held.pid}, "
            f"`assistant fill`, started {when}); finish or stop that run, then settle what is "
            "left\n",
        )
    settled = run_assistant("settle", str(filled), "--not-submitted", "--data-dir", str(data))
    assert settled.returncode == 0, settled.stderr
    with Journal.open(data) as journal:
        assert journal.get(filled).state is State.FAILED


def test_guard_findings_ignore_open_attempts(tmp_path: Path) -> None:
    """Attempts started or at their review never block: only a confirmation does."""
    with Journal.open(tmp_path / "data") as journal:
        journal.start(new_attempt(*NUMBERS))
        journal.begin(new_attempt(*NUMBERS))
        assert duplicates.findings(journal, FCR, NUMBERS) == []


# -- through the real command --------------------------------------------------------------------


def _fill(profile: Path, portal: Replica, data: Path) -> Person:
    return Person.practice("fill", portal, data, profile=str(profile), size=(50, 220))


def _to_review(person: Person, portal: Replica, email: str) -> None:
    person.expect(CODE_PROMPT)
    person.type(portal.latest_code(email))
    person.expect(CONFIRM_PROMPT)


@pytest.mark.browser
def test_two_fills_at_once_register_the_numbers_once(tmp_path: Path, replica: Replicas) -> None:
    """Two `assistant fill` processes, two profiles listing the same numbers, both at their
    review, `submit` typed in both at once: one registration; the other exits 6, says why,
    and `history` shows it not sent. A third `fill` of a profile in use, started while both
    wait at their review, stops at once, naming the run that holds it."""
    folder = tmp_path / "profiles"
    folder.mkdir()
    emails = {"a": "ops-a@harbor.example.org", "b": "ops-b@harbor.example.org"}
    profiles = {}
    for key, email in emails.items():
        path = folder / f"harbor-{key}.yaml"
        text = profile_text(1, ["(619) 555-0100", "(619) 555-0101"])
        path.write_text(text.replace("ops@harbor.example.org", email), encoding="utf-8")
        profiles[key] = path
    data = tmp_path / "data"
    portal = replica()
    children = {key: _fill(path, portal, data) for key, path in profiles.items()}
    try:
        for key, child in children.items():
            _to_review(child, portal, emails[key])
        assert portal.submit_attempts() == 0
        # Meanwhile, a third run of a profile in use is stopped before it opens anything.
        loads = len(portal.requests())
        third = _fill(profiles["a"], portal, data)
        third.wait()
        assert len(portal.requests()) == loads
        for child in children.values():  # both confirm at the same moment
            child.type("submit")
        for child in children.values():
            child.wait()
    finally:
        for child in children.values():
            child.close()
    received = portal.submissions()
    attempts = portal.submit_attempts()
    shown = {key: child.screen for key, child in children.items()}
    status = {key: int(child.status or 0) for key, child in children.items()}
    assert sorted(status.values()) == [ExitCode.OK, ExitCode.DUPLICATE], shown
    [won] = [key for key, code in status.items() if code == ExitCode.OK]
    [lost] = [key for key, code in status.items() if code == ExitCode.DUPLICATE]
    assert (len(received), attempts) == (1, 1)
    assert received[0]["fields"]["enterprise_contact_email"] == emails[won]
    output = shown[lost]
    refusal = re.search(
        r"Not sent: \+16195550100, \+16195550101 were (?:submitted to fcr|confirmed for fcr) "
        r"by attempt (\d) \(Harbor 1, 1 of 1\).*?, while this submission waited at the "
        r"review; nothing was clicked for it\. See both with 'assistant history'\.",
        output,
        re.S,
    )
    assert refusal is not None, output
    row = r"│ 1\s+│ Harbor 1\s+│ 1 of 1\s+│ 2\s+│ refused\s+│ Not sent: "
    assert re.search(row, output), output
    assert (
        "0 submitted, 0 declined, 0 stopped, 0 failed, 0 unknown, 0 skipped, 1 refused." in output
    )
    assert "Feedback ID: FCRFE" not in output
    with Journal.open(data) as journal:
        rows = {a.id: a for a in journal.history()}
        other = int(refusal.group(1))
        [mine] = [a for a in rows.values() if a.id != other]
    assert rows[other].state is State.SUBMITTED
    assert mine.state is State.FAILED
    assert mine.reason.startswith("Not sent: +16195550100, +16195550101 were ")
    assert mine.confirmed_at is None  # no intent was ever recorded for it
    history = run_assistant("history", "--json", "--data-dir", str(data))
    assert history.returncode == 0, history.stderr
    assert "Not sent: +16195550100, +16195550101 were " in history.stdout
    # The third run: told at once that another run holds the profile, and by whom.
    assert third.status == ExitCode.DUPLICATE, third.screen
    said = third.screen
    assert re.fullmatch(
        rf"Error: {re.escape(str(profiles['a']))} is in use by another run \(pid "
        rf"{children['a'].pid}, `assistant fill`, started \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d "
        r"UTC\); nothing was opened\. Finish or stop that run \(Ctrl-C in its terminal\), then "
        r"run `assistant fill` again\.\n",
        said,
    ), said
    assert len(rows) == 2  # it left no attempt
