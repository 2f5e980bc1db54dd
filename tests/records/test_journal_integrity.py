"""A journal with a damaged index (issue 17 item 6): the duplicate guard reads through the
indexes, so an index missing a row hides a number already sent. A run that may submit checks
the journal's integrity when it opens it and stops (exit 9) naming the repair; `doctor` reports
it; `doctor --repair-journal` keeps a private copy, rebuilds the indexes and checks again.

The damage is made as a crash in the middle of an index update leaves it: the index is given a
definition that takes no rows (`WHERE 0`) while rows are written, then its own back, so the
rows are in the table and not in the index (`hide_from_index`).
"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from clirun import run_assistant
from journalrows import FCR, new_attempt, submit
from person import Person
from replicas import Replicas

from assistant.errors import ExitCode
from assistant.records import duplicates
from assistant.records.journal import Journal, JournalDamaged
from assistant.records.journal.schema import FILENAME, integrity_problems

ROOT = Path(__file__).resolve().parents[2]
NUMBER = "+16195550100"
DAMAGE = (
    "row 1 missing from index attempt_numbers_number; wrong # of entries in index "
    "attempt_numbers_number"
)


def set_index_sql(path: Path, index: str, sql: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute("UPDATE sqlite_schema SET sql = ? WHERE name = ?", (sql, index))
        conn.execute("PRAGMA writable_schema = OFF")
    finally:
        conn.close()


def hide_from_index(folder: Path, index: str, write: Callable[[Journal], object]) -> None:
    """`write` into the journal in `folder` while `index` takes no rows; then `index` is as it
    was, without the rows written meanwhile."""
    Journal.open(folder).close()
    path = folder / FILENAME
    conn = sqlite3.connect(path)
    [sql] = conn.execute("SELECT sql FROM sqlite_schema WHERE name = ?", (index,)).fetchone()
    conn.close()
    set_index_sql(path, index, f"{sql} WHERE 0")
    with Journal.open(folder) as journal:
        write(journal)
    set_index_sql(path, index, sql)


def unsettled(journal: Journal) -> None:
    attempt = journal.begin(new_attempt(NUMBER))
    journal.intent(attempt, confirmed_by="alice", review_values={"company": "Acme"})


@pytest.fixture
def damaged(tmp_path: Path) -> Path:
    """A data folder whose journal holds NUMBER submitted, missing from the numbers' index."""
    folder = tmp_path / "data"
    hide_from_index(folder, "attempt_numbers_number", lambda journal: submit(journal, NUMBER))
    return folder


@pytest.mark.parametrize(
    ("index", "write", "found"),
    [
        (
            "attempt_numbers_number",
            lambda journal: submit(journal, NUMBER),
            "row 1 missing from index attempt_numbers_number",
        ),
        ("attempts_state", unsettled, "row 1 missing from index attempts_state"),
    ],
    ids=["submitted-number", "unknown-outcome"],
)
def test_a_damaged_index_hides_a_number_from_the_guard_and_the_check_stops_the_run(
    tmp_path: Path, index: str, write: Callable[[Journal], object], found: str
) -> None:
    folder = tmp_path / "data"
    hide_from_index(folder, index, write)
    with Journal.open(folder) as journal:  # as every run opened it before the check
        [attempt] = journal.history()
        assert attempt.numbers == (NUMBER,)
        assert duplicates.findings(journal, FCR, [NUMBER]) == []  # the hole: the guard sees nothing
        duplicates.check(journal, FCR, [NUMBER])  # and lets the number through
        assert found in journal.integrity_problems()
    with pytest.raises(JournalDamaged) as caught:
        Journal.open(folder, check_integrity=True)
    assert caught.value.exit_code == ExitCode.DATA_UNUSABLE
    assert found in caught.value.problems
    assert str(caught.value).startswith(f"the journal {folder / FILENAME} is damaged ({found}")
    assert str(caught.value).endswith(
        "): the duplicate guard could miss numbers already sent, so nothing that may submit "
        "runs until it is repaired. Repair it with: assistant doctor --repair-journal "
        f"--data-dir {folder}"
    )


def test_a_sound_journal_passes_the_check(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "data") as journal:
        submit(journal, NUMBER)
    with Journal.open(tmp_path / "data", check_integrity=True) as journal:
        assert journal.integrity_problems() == []


@pytest.mark.browser  # `fill` finds the browser before the journal; it never starts it here
def test_fill_on_a_damaged_journal_stops_before_anything_opens(
    damaged: Path, replica: Replicas
) -> None:
    portal = replica()
    with Person.practice("fill", portal, damaged, size=(50, 400)) as person:
        status = person.wait()
        shown = person.before
    assert portal.requests() == []
    assert status == ExitCode.DATA_UNUSABLE, shown
    assert shown == (
        f"Error: the journal {damaged / FILENAME} is damaged ({DAMAGE}): the duplicate guard "
        "could miss numbers already sent, so nothing that may submit runs until it is repaired. "
        f"Repair it with: assistant doctor --repair-journal --data-dir {damaged}\n"
    )


def doctor(*args: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("ASSISTANT_DATA_DIR", "COLUMNS")}
    return run_assistant("doctor", *args, env=environ)


@pytest.mark.browser  # doctor starts the browser, then looks at the data folder
def test_doctor_reports_a_damaged_journal_and_the_repair(damaged: Path) -> None:
    result = doctor("--data-dir", str(damaged))
    assert result.returncode == ExitCode.DATA_UNUSABLE, result.stderr
    assert (
        f"Data folder {damaged}  (mode 0700: private, writable)\n"
        f"Journal     {damaged / FILENAME}: DAMAGED ({DAMAGE})\n"
        "Mailbox     not set up: codes are typed at the terminal"
    ) in result.stdout
    assert result.stderr == (
        f"\nthe journal {damaged / FILENAME} is damaged ({DAMAGE}): the duplicate guard could "
        "miss numbers already sent, so nothing that may submit runs until it is repaired. "
        f"Repair it with: assistant doctor --repair-journal --data-dir {damaged}\n"
    )


def test_repair_journal_keeps_a_private_copy_and_the_guard_blocks_the_number_again(
    damaged: Path,
) -> None:
    result = doctor("--repair-journal", "--data-dir", str(damaged))
    assert result.returncode == ExitCode.OK, result.stderr
    [backup] = damaged.glob("journal-before-repair-*.sqlite3")
    assert result.stdout == (
        f"Data folder {damaged}  (mode 0700: private, writable)\n"
        f"Journal     {damaged / FILENAME}: DAMAGED ({DAMAGE})\n"
        f"Backup      {backup}  (a copy of it as it was, 0600)\n"
        "Repaired    its indexes were rebuilt; the integrity check passes now\n"
    )
    assert result.stderr == ""
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    copy = sqlite3.connect(backup)
    assert "; ".join(integrity_problems(copy)) == DAMAGE  # the journal as it was
    copy.close()
    with Journal.open(damaged, check_integrity=True) as journal:
        [finding] = duplicates.findings(journal, FCR, [NUMBER])
        assert finding.number == NUMBER
    again = doctor("--repair-journal", "--data-dir", str(damaged))
    assert again.returncode == ExitCode.OK
    assert again.stdout.endswith(
        f"Journal     {damaged / FILENAME}: the integrity check passes; nothing to repair\n"
    )
    assert list(damaged.glob("journal-before-repair-*")) == [backup]


def test_a_journal_damaged_beyond_its_indexes_is_not_called_repaired(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    with Journal.open(folder) as journal:
        submit(journal, NUMBER)
    path = folder / FILENAME
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    [root] = conn.execute("SELECT rootpage FROM sqlite_schema WHERE name = 'attempt_events'")
    conn.close()
    with path.open("r+b") as file:  # the events table's first page overwritten
        file.seek(page_size * (root[0] - 1))
        file.write(b"\xff" * 16)
    result = doctor("--repair-journal", "--data-dir", str(folder))
    assert result.returncode == ExitCode.DATA_UNUSABLE
    [backup] = folder.glob("journal-before-repair-*.sqlite3")
    assert result.stdout.endswith(
        f"Journal     {path}: DAMAGED (database disk image is malformed)\n"
        f"Backup      {backup}  (a copy of it as it was, 0600)\n"
    )
    assert result.stderr == (
        f"\nRebuilding the indexes did not repair the journal {path} (database disk image is "
        "malformed). Move it aside and keep it (the copy above is the journal as it was): the "
        "next run starts a new one, which knows nothing of the submissions this one "
        "recorded.\n"
    )


def test_repair_journal_without_a_journal_makes_none(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    result = doctor("--repair-journal", "--data-dir", str(folder))
    assert result.returncode == ExitCode.OK
    assert result.stdout == (
        f"Data folder {folder}  (mode 0700: private, writable)\n"
        "Journal     none yet: nothing to repair\n"
    )
    assert os.listdir(folder) == []
