"""Crash safety: a journal killed mid-write, or left with a torn WAL, stays readable and loses
no acknowledged record (reliability items 19 and 20)."""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from journalrows import FID, new_attempt

from assistant.records.journal import Journal, State

# The writer prints "<id> <state>" only after the journal call returned, i.e. after the commit:
# every printed line is an acknowledged write that must survive the kill.
WRITER = """
import sys
from assistant.records.journal import Journal, NewAttempt
j = Journal.open(sys.argv[1])
i = 0
while True:
    i += 1
    n = f"+1619555{i % 10000:04d}"
    a = j.begin(NewAttempt(run_id="crash", portal="fcr", profile_path="/p.yaml",
                           profile_sha256="0" * 64, profile_label="Crash", numbers=(n,)))
    print(a, "filled", flush=True)
    j.intent(a, confirmed_by="tester", review_values={"n": n, "pad": "x" * (i % 3000)})
    print(a, "intent", flush=True)
    if i % 3:
        j.submitted(a, "FCRFE%017d" % i)
        print(a, "submitted", flush=True)
    else:
        j.unknown(a, "simulated timeout")
        print(a, "unknown", flush=True)
"""

# A later state in this order may already be committed though not yet printed when killed.
SUCCESSORS = {
    "filled": {"filled", "intent"},
    "intent": {"intent", "submitted", "unknown"},
    "submitted": {"submitted"},
    "unknown": {"unknown"},
}


def kill_after(folder: Path, lines: int) -> dict[int, str]:
    """Run the writer, SIGKILL it after `lines` acknowledged writes; return what was acked."""
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(folder)],
        stdout=subprocess.PIPE,
        text=True,
    )
    acked: dict[int, str] = {}
    assert proc.stdout is not None
    for _ in range(lines):
        line = proc.stdout.readline()
        assert line, "the writer stopped on its own"
        attempt_id, state = line.split()
        acked[int(attempt_id)] = state
    os.kill(proc.pid, signal.SIGKILL)
    # Lines printed between our last read and the kill are acknowledged too. Read them through
    # the same buffered reader (communicate() would bypass what readline() already buffered);
    # a last line without its newline was not fully printed, so it does not count.
    rest = proc.stdout.read()
    proc.wait(timeout=30)
    for line in rest.splitlines(keepends=True):
        if line.endswith("\n"):
            attempt_id, state = line.split()
            acked[int(attempt_id)] = state
    assert proc.returncode == -signal.SIGKILL
    return acked


def test_sigkill_at_random_points_loses_no_acknowledged_write(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    rng = random.Random(20261001)
    acked: dict[int, str] = {}
    for _ in range(8):
        acked |= kill_after(folder, rng.randint(1, 120))
        conn = sqlite3.connect(folder / "journal.sqlite3")
        try:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            stored = dict(conn.execute("SELECT id, state FROM attempts").fetchall())
        finally:
            conn.close()
        for attempt_id, state in acked.items():
            assert stored.get(attempt_id) in SUCCESSORS[state], (attempt_id, state, stored)
    # The journal opens normally afterwards, and crash-left intents are offered for settling.
    with Journal.open(folder) as j:
        states = {a.id: a.state for a in j.history()}
        assert set(acked) <= set(states)
        assert {a.id for a in j.unsettled()} == {
            i for i, s in states.items() if s in (State.INTENT, State.UNKNOWN)
        }
        assert {i for i, s in acked.items() if s == "unknown"} <= {a.id for a in j.unsettled()}


def test_a_torn_wal_tail_drops_only_the_unfinished_transaction(tmp_path: Path) -> None:
    live = tmp_path / "live"
    crashed = tmp_path / "crashed"
    crashed.mkdir(mode=0o700)
    with Journal.open(live) as j:
        j._conn.execute("PRAGMA wal_autocheckpoint = 0")  # keep every commit in the WAL
        done = [j.begin(new_attempt(f"+1619555010{i}")) for i in range(5)]
        shutil.copy(live / "journal.sqlite3", crashed / "journal.sqlite3")
        wal_before = (live / "journal.sqlite3-wal").stat().st_size
        j.intent(done[0], confirmed_by="alice", review_values={"big": "x" * 20000})
        wal = (live / "journal.sqlite3-wal").read_bytes()
    assert len(wal) > wal_before
    # A crash while the last transaction's frames were being written: half of them are there.
    torn = wal[: wal_before + (len(wal) - wal_before) // 2]
    (crashed / "journal.sqlite3-wal").write_bytes(torn)
    os.chmod(crashed / "journal.sqlite3-wal", 0o600)
    with Journal.open(crashed) as j:
        assert j._conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert [(a.id, a.state) for a in j.history()][::-1] == [(i, State.FILLED) for i in done]
        # and it keeps working
        j.intent(done[0], confirmed_by="alice", review_values={})
        assert j.submitted(done[0], FID).state is State.SUBMITTED


def test_garbage_after_the_last_commit_is_ignored(tmp_path: Path) -> None:
    live = tmp_path / "live"
    with Journal.open(live) as j:
        j._conn.execute("PRAGMA wal_autocheckpoint = 0")
        first = j.begin(new_attempt("+16195550100"))
        j.intent(first, confirmed_by="alice", review_values={})
        crashed = tmp_path / "crashed"
        crashed.mkdir(mode=0o700)
        shutil.copy(live / "journal.sqlite3", crashed / "journal.sqlite3")
        wal = (live / "journal.sqlite3-wal").read_bytes()
    (crashed / "journal.sqlite3-wal").write_bytes(wal + os.urandom(7000))
    with Journal.open(crashed) as j:
        assert j._conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert [(a.id, a.state) for a in j.unsettled()] == [(first, State.INTENT)]
