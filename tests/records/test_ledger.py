"""Issue 10, item 7: the ledger is keyed by the registry a map declares and the host driven.

Numbers submitted with `--portal fcr` used to go out again with `--portal fcr-classic` without a
word (both maps register with one registry), and a practice run on the replica (`--url`) was
recorded as a real `fcr` registration, so the real run afterwards was refused. Now both maps
file under registry `fcr`; a run against another host is filed under that host, never blocks
a real run and never falls due; `history` shows the host; old journals are migrated.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest
from batchrun import drive, write_profiles
from clirun import run_assistant
from journalrows import FCR, FCR_HOST, FID, FakeClock, at, new_attempt, submit
from replicas import Replicas

from assistant.errors import DuplicateSubmission, ExitCode
from assistant.portals import load_portal, parse_portal
from assistant.portals.model import host_of
from assistant.profiles import load_profiles
from assistant.records import duplicates
from assistant.records.journal import Destination, Journal, State
from assistant.records.journal.recorder import JournalRecorder
from assistant.records.journal.schema import MIGRATIONS, SCHEMA_VERSION
from assistant.replica import Replica
from assistant.sitting.batch import Batch
from assistant.sitting.code_sources import OutboxCodeSource
from assistant.sitting.jobs import BatchOptions, plan_jobs
from assistant.sitting.session import FillOptions
from assistant.sitting.terminal import Terminal

REPLICA = Destination("fcr", "127.0.0.1:8765", real=False)


def _cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    return run_assistant(*args, "--data-dir", str(data), env=env)


# -- the maps and where a run goes -------------------------------------------------------------


def test_both_shipped_maps_declare_the_fcr_registry_and_a_copy_without_one_is_fcr_too() -> None:
    assert [load_portal(n).registry for n in ("fcr", "fcr-classic")] == ["fcr", "fcr"]
    assert load_portal("fcr").real_host == FCR_HOST
    text = load_portal("fcr").model_dump(exclude={"registry"})
    own = parse_portal(json.dumps({**text, "name": "mine"}).encode(), "mine.yaml")
    assert own.registry == "fcr"  # issue 17: by where it is, not by its name (it was "mine")


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://www.freecallerregistry.com/fcr/", "www.freecallerregistry.com"),
        ("https://WWW.FreeCallerRegistry.com:443/fcr/", "www.freecallerregistry.com"),
        ("http://127.0.0.1:8765/fcr/", "127.0.0.1:8765"),
        ("http://localhost/fcr/", "localhost"),
        ("http://[::1]:9000/fcr/", "[::1]:9000"),
    ],
)
def test_the_host_is_filed_with_its_port_unless_the_default(url: str, host: str) -> None:
    assert host_of(url) == host


def test_a_run_is_real_only_on_the_maps_own_host() -> None:
    for name in ("fcr", "fcr-classic"):
        portal = load_portal(name)
        assert FillOptions(portal=portal).destination == FCR
        assert (
            FillOptions(portal=portal, url="https://www.freecallerregistry.com/fcr/").destination
            == FCR
        )
        assert FillOptions(portal=portal, url="http://127.0.0.1:8765/fcr/").destination == REPLICA


# -- the guard -----------------------------------------------------------------------------------


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal.open(tmp_path / "data", clock=FakeClock(at("2026-10-01 14:03")))


def test_numbers_sent_through_one_map_are_refused_through_the_other(journal: Journal) -> None:
    with journal:
        submit(journal, "+16195550100", portal="fcr", registry="fcr")
        classic = FillOptions(portal=load_portal("fcr-classic")).destination
        with pytest.raises(DuplicateSubmission) as caught:
            duplicates.check(journal, classic, ["+16195550100"], now=at("2026-10-02 00:00"))
    assert str(caught.value) == (
        f"+16195550100 was submitted to fcr on 2026-10-01 as {FID}; due again on 2026-12-30"
    )


def test_a_practice_run_never_blocks_a_real_one_nor_the_other_way(journal: Journal) -> None:
    with journal:
        submit(journal, "+16195550100", host=REPLICA.host, real=False)
        unknown = journal.begin(new_attempt("+16195550101", host=REPLICA.host, real=False))
        journal.intent(unknown, confirmed_by="alice", review_values={})
        numbers = ["+16195550100", "+16195550101"]
        when = at("2026-10-02 00:00")
        assert duplicates.findings(journal, FCR, numbers, now=when) == []
        # On the same replica, the guard still works, so it can be practised there.
        assert [
            f.number for f in duplicates.findings(journal, REPLICA, numbers, now=when)
        ] == numbers
        other_replica = Destination("fcr", "127.0.0.1:9999", real=False)
        assert duplicates.findings(journal, other_replica, numbers, now=when) == []
        submit(journal, "+16195550102")  # real
        assert duplicates.findings(journal, REPLICA, ["+16195550102"], now=when) == []


def test_a_practice_run_does_not_stop_the_real_run_before_it_opens(tmp_path: Path) -> None:
    """The reproduction: after a practice `fill --url <replica>`, the real `fill` was refused
    (exit 6) at its start; now its preflight passes and nothing is skipped."""
    [path] = write_profiles(tmp_path / "profiles", count=1)
    loaded, problems = load_profiles([path])
    assert problems == []
    portal = load_portal("fcr")
    with Journal.open(tmp_path / "data") as journal:
        practised = journal.begin(
            new_attempt("+16195550100", "+16195550101", host="127.0.0.1:8765", real=False)
        )
        journal.intent(practised, confirmed_by="alice", review_values={})
        journal.submitted(practised, FID)
        real = Batch(
            plan_jobs(loaded, portal, None),
            BatchOptions(fill=FillOptions(portal=portal), stop_on_duplicate=True),
            journal,
            Terminal(io.StringIO(), io.StringIO()),
        )
        real.preflight()
        assert real._skip(real.jobs[0], real.jobs[0].plan.submissions[0]) is None
        again = Batch(
            plan_jobs(loaded, portal, "http://127.0.0.1:8765/fcr/"),
            BatchOptions(fill=FillOptions(portal=portal, url="http://127.0.0.1:8765/fcr/")),
            journal,
            Terminal(io.StringIO(), io.StringIO()),
        )
        with pytest.raises(DuplicateSubmission):
            again.preflight()


# -- due -----------------------------------------------------------------------------------------


def test_due_counts_real_registrations_only_unless_told(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Journal.open(data, clock=FakeClock(at("2026-10-01 14:03"))) as journal:
        submit(journal, "+16195550100")
        submit(journal, "+16195550101", host="127.0.0.1:8765", real=False, label="Practice")
        assert [d.number for d in journal.due(now=at("2027-01-15 00:00"))] == ["+16195550100"]
        both = journal.due(now=at("2027-01-15 00:00"), include_practice=True)
        assert [(d.number, d.host, d.real_portal) for d in both] == [
            ("+16195550100", FCR_HOST, True),
            ("+16195550101", "127.0.0.1:8765", False),
        ]
    real = _cli(data, "due", "--as-of", "2027-01-15")
    assert real.returncode == 0, real.stderr
    assert real.stdout == (
        "1 number last registered more than 90 days ago:\n"
        f"  +16195550100  fcr  2026-10-01 (106 days ago, Feedback ID {FID})  Acme Dental  "
        "/profiles/acme-dental.yaml\n"
    )
    everything = _cli(data, "due", "--as-of", "2027-01-15", "--include-practice")
    assert everything.stdout.splitlines()[1:] == [
        f"  +16195550100  fcr  2026-10-01 (106 days ago, Feedback ID {FID})  Acme Dental  "
        "/profiles/acme-dental.yaml",
        "  +16195550101  fcr at 127.0.0.1:8765 (practice)  2026-10-01 (106 days ago, Feedback "
        f"ID {FID})  Practice  /profiles/practice.yaml",
    ]


# -- migration -----------------------------------------------------------------------------------


def _schema_1_journal(folder: Path) -> None:
    """A journal as the assistant before registries wrote it (schema 1), with three rows."""
    folder.mkdir(mode=0o700)
    conn = sqlite3.connect(folder / "journal.sqlite3")
    conn.executescript(MIGRATIONS[0])
    rows = [
        (1, "fcr", "submitted", FID),
        (2, "fcr-classic", "unknown", None),
        (3, "my-portal", "filled", None),
    ]
    for attempt_id, portal, state, fid in rows:
        conn.execute(
            "INSERT INTO attempts (id, run_id, portal, profile_path, profile_sha256,"
            " profile_label, part, parts, state, feedback_id, submitted_at, created_at,"
            " updated_at) VALUES (?, 'r', ?, '/p.yaml', 'ab', 'Old', 1, 1, ?, ?, ?, ?, ?)",
            (
                attempt_id,
                portal,
                state,
                fid,
                "2026-09-01T10:00:00Z",
                "2026-09-01T10:00:00Z",
                "2026-09-01T10:00:00Z",
            ),
        )
        conn.execute(
            "INSERT INTO attempt_numbers VALUES (?, 0, ?)", (attempt_id, f"+1619555010{attempt_id}")
        )
        conn.execute(
            "INSERT INTO attempt_events VALUES (?, '2026-09-01T10:00:00Z', ?, '')",
            (attempt_id, state),
        )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    (folder / "journal.sqlite3").chmod(0o600)


def test_an_old_journal_is_migrated_to_registries_and_hosts(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    _schema_1_journal(folder)
    with Journal.open(folder, clock=FakeClock(at("2026-10-01 14:03"))) as journal:
        rows = {a.id: a for a in journal.history()}
        assert {
            i: (a.portal, a.registry, a.host, a.real_portal, a.owner) for i, a in rows.items()
        } == {
            1: ("fcr", "fcr", FCR_HOST, True, ""),
            2: ("fcr-classic", "fcr", FCR_HOST, True, ""),
            3: ("my-portal", "my-portal", "", True, ""),
        }
        assert [rows[i].numbers for i in (1, 2, 3)] == [
            ("+16195550101",),
            ("+16195550102",),
            ("+16195550103",),
        ]
        assert [e[1] for e in journal.events(2)] == ["unknown"]
        assert (rows[1].state, rows[1].feedback_id) == (State.SUBMITTED, FID)
        # Old real registrations still block, through either map; the unknown one too.
        found = duplicates.findings(
            journal, FCR, ["+16195550101", "+16195550102"], now=at("2026-10-02 00:00")
        )
        assert [(f.number, f.attempt_id) for f in found] == [
            ("+16195550101", 1),
            ("+16195550102", 2),
        ]
        # A map we do not ship kept its name as registry; with no host, it counts as real.
        mine = Destination("my-portal", "portal.example.org")
        submitted = journal.begin(new_attempt("+16195550199", portal="my-portal", host=""))
        journal.intent(submitted, confirmed_by="x", review_values={})
        assert [f.attempt_id for f in duplicates.findings(journal, mine, ["+16195550199"])] == [
            submitted
        ]
        # Ids go on after the old ones, and the new state is accepted.
        started = journal.start(new_attempt("+16195550100"))
        assert started == submitted + 1 == 5
        assert journal.get(started).state is State.STARTED
    conn = sqlite3.connect(folder / "journal.sqlite3")
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()


# -- through the real command --------------------------------------------------------------------


def _sent_through(portal: str, url: str, profile: Path, data: Path) -> str:
    """Record `profile`'s numbers submitted through map `portal` at `url`, exactly as a `fill`
    records them (the session's own record of the submission, through the journal recorder),
    without a browser; returns the Feedback ID."""
    from typing import cast

    from playwright.sync_api import Browser

    from assistant.portals.plan import build_plan
    from assistant.records.recorder import Reviewed
    from assistant.sitting.session import Session, Source
    from assistant.sitting.terminal import Terminal

    [loaded], _ = load_profiles([profile])
    portal_map = load_portal(portal)
    [submission] = build_plan(loaded.profile, portal_map, url).submissions
    with Journal.open(data) as journal:
        recorder = JournalRecorder(journal)
        session = Session(
            cast(Browser, None),  # never used: no page is opened here
            FillOptions(portal=portal_map, url=url),
            Terminal(io.StringIO(), io.StringIO()),
            OutboxCodeSource(cast(Replica, None)),
            run_dir=data / "runs" / "earlier",
            recorder=recorder,
            source=Source(str(profile.resolve()), loaded.sha256),
        )
        record = session._record(submission)
        recorder.check(record)
        recorder.started(record)
        recorder.filled(record)
        recorder.intent(record, Reviewed((), ()))
        recorder.submitted(record, FID)
    return FID


def test_fill_through_the_other_map_is_refused_and_history_shows_the_host(
    tmp_path: Path, replica: Replicas
) -> None:
    """Numbers sent with `--portal fcr-classic`, then `assistant fill --portal fcr` of the same
    profile against the same host: refused before anything opens (it used to send them)."""
    [profile] = write_profiles(tmp_path / "profiles", count=1)
    data = tmp_path / "data"
    portal = replica()
    fid = _sent_through("fcr-classic", portal.url, profile, data)
    again = drive(
        [
            "fill",
            str(profile),
            "--portal",
            "fcr",
            "--url",
            portal.url,
            "--headless",
            "--data-dir",
            str(data),
        ],
        portal,
    )
    assert portal.requests() == []
    assert again.exitstatus == ExitCode.DUPLICATE, again.output
    assert again.output.endswith(
        f"Error: +16195550100 and +16195550101 were submitted to fcr on {_today()} as {fid}; "
        f"due again on {_in_90_days(_today())}\n"
    ), again.output
    shown = run_assistant("history", "--data-dir", str(data), env={**os.environ, "COLUMNS": "400"})
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[1] == (
        f"  Harbor 1, submission 1 of 1, to fcr-classic at 127.0.0.1:{portal.port} "
        "(practice): 2 numbers (+16195550100, +16195550101)"
    )
    rows = json.loads(_cli(data, "history", "--json").stdout)
    assert [(r["portal"], r["registry"], r["host"], r["real_portal"]) for r in rows] == [
        ("fcr-classic", "fcr", f"127.0.0.1:{portal.port}", False)
    ]


def _today() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).strftime("%Y-%m-%d")


def _in_90_days(day: str) -> str:
    from datetime import date, timedelta

    return (date.fromisoformat(day) + timedelta(days=90)).isoformat()
