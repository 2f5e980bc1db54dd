"""Receipts: private files holding exactly what was sent, escaped, with the screenshot inside."""

from __future__ import annotations

import base64
import stat
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from journalrows import FID, FakeClock, at, new_attempt

from assistant.records import receipts
from assistant.records.journal import Journal, State

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    with Journal.open(tmp_path / "data", clock=FakeClock(at("2026-10-01 14:03"))) as j:
        yield j


def confirmed(journal: Journal, values: object, screenshots: list[str]) -> int:
    attempt_id = journal.begin(new_attempt("+16195550100", "+16195550101"))
    journal.intent(attempt_id, confirmed_by="alice", review_values=values, screenshots=screenshots)
    return attempt_id


def test_record_submitted_writes_a_private_receipt_and_attaches_it(journal: Journal) -> None:
    shots = journal.folder / "screens"
    shots.mkdir(mode=0o700)
    (shots / "review.png").write_bytes(PNG)
    attempt_id = confirmed(
        journal,
        {"Company name": "Acme <b>Dental</b> & Sons", "Contact email": "o'neil@example.com"},
        ["screens/review.png"],
    )
    attempt = receipts.record_submitted(journal, attempt_id, FID)
    path = journal.folder / "receipts" / f"{FID}.html"
    assert (attempt.state, attempt.receipt_path) == (State.SUBMITTED, str(path))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    page = path.read_text()
    assert (
        "<tr><th>Company name</th><td>Acme &lt;b&gt;Dental&lt;/b&gt; &amp; Sons</td></tr>" in page
    )
    assert "<tr><th>Contact email</th><td>o&#x27;neil@example.com</td></tr>" in page
    assert "<b>Dental" not in page
    assert f"<tr><th>Feedback ID</th><td>{FID}</td></tr>" in page
    assert "<tr><th>Submitted (UTC)</th><td>2026-10-01T14:03:00Z</td></tr>" in page
    assert "<tr><th>Confirmed by</th><td>alice</td></tr>" in page
    assert "<li>+16195550100</li><li>+16195550101</li>" in page
    assert f'src="data:image/png;base64,{base64.b64encode(PNG).decode()}"' in page


def test_a_list_of_rows_becomes_a_table_and_scripts_are_escaped(journal: Journal) -> None:
    values = [
        {"field": "Company", "value": "<script>alert(1)</script>"},
        {"field": "Numbers", "value": ["+16195550100"]},
    ]
    attempt_id = confirmed(journal, values, [])
    attempt = receipts.record_submitted(journal, attempt_id, FID)
    assert attempt.receipt_path is not None
    page = Path(attempt.receipt_path).read_text()
    assert "<script>" not in page
    assert (
        '<table class="values"><tr><th>field</th><th>value</th></tr>'
        "<tr><td>Company</td><td>&lt;script&gt;alert(1)&lt;/script&gt;</td></tr>"
        "<tr><td>Numbers</td><td>[&quot;+16195550100&quot;]</td></tr></table>"
    ) in page
    assert "<p>none recorded</p>" in page


class _Cells(HTMLParser):
    """The text of every `<td>` of a page, as a browser shows it."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self._in_cell = False

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag == "td":
            self._in_cell = True
            self.cells.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in_cell = self._in_cell and tag != "td"

    def handle_data(self, data: str) -> None:
        if self._in_cell:
            self.cells[-1] += data


def test_escapes_bidirectional_controls_and_fillers_are_shown_as_the_terminal_shows_them(
    journal: Journal,
) -> None:
    """Issue 17: ESC and bidirectional controls never pass into the receipt as themselves: a
    right-to-left override would make it read other than what was sent."""
    values = {
        "Company name": "Acme\x1b[31m Dental\u202e1.0\u202c",
        "City": "\u2066Salem\u2069\u200e\u200f\u061c",
        "Website": "a\u202a\u202b\u202db\u2067\u2068",
        "Notes": "\u3164\u2800",
    }
    attempt_id = confirmed(journal, values, [])
    attempt = receipts.record_submitted(journal, attempt_id, FID)
    assert attempt.receipt_path is not None
    page = Path(attempt.receipt_path).read_text()
    controls = "\x1b\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
    assert [c for c in page if c in controls or c in "\u3164\u2800"] == []
    parser = _Cells()
    parser.feed(page)
    assert parser.cells[-4:] == [
        "Acme\\x1b[31m Dental\\u202e1.0\\u202c",
        "\\u2066Salem\\u2069\\u200e\\u200f\\u061c",
        "a\\u202a\\u202b\\u202db\\u2067\\u2068",
        "\\u3164\\u2800",
    ]


def test_values_kept_as_json_are_shown_literally_too(journal: Journal) -> None:
    attempt_id = confirmed(journal, "Acme\x1b[2J\u202e", [])
    attempt = receipts.record_submitted(journal, attempt_id, FID)
    assert attempt.receipt_path is not None
    page = Path(attempt.receipt_path).read_text()
    assert "<pre>&quot;Acme\\u001b[2J\\u202e&quot;</pre>" in page


def test_a_missing_screenshot_is_named_not_fatal(journal: Journal) -> None:
    attempt_id = confirmed(journal, {}, ["/gone/<x>.png"])
    attempt = receipts.record_submitted(journal, attempt_id, FID)
    assert attempt.receipt_path is not None
    assert (
        '<p class="missing">screenshot not available: /gone/&lt;x&gt;.png</p>'
        in Path(attempt.receipt_path).read_text()
    )


def test_an_odd_feedback_id_never_becomes_a_path(journal: Journal) -> None:
    attempt_id = confirmed(journal, {}, [])
    attempt = receipts.record_submitted(journal, attempt_id, "../../etc/x")
    assert attempt.receipt_path == str(journal.folder / "receipts" / f"attempt-{attempt_id}.html")


def test_settled_submissions_get_a_receipt_and_not_submitted_ones_none(journal: Journal) -> None:
    first = confirmed(journal, {"a": "b"}, [])
    journal.unknown(first, "timeout")
    settled = receipts.record_settled(journal, first, FID, settled_by="bob")
    assert settled.receipt_path == str(journal.folder / "receipts" / f"{FID}.html")
    assert (
        "<tr><th>Settled by</th><td>bob at 2026-10-01T14:03:00Z</td></tr>"
        in Path(settled.receipt_path).read_text()
    )
    second = confirmed(journal, {}, [])
    assert receipts.record_settled(journal, second, None, settled_by="bob").receipt_path is None


@pytest.mark.parametrize("mode", [0o600, 0o755])
def test_a_receipt_that_cannot_be_written_keeps_the_submission(
    journal: Journal, caplog: pytest.LogCaptureFixture, mode: int
) -> None:
    blocker = journal.folder / "receipts"
    blocker.write_text("a file where the folder should be")
    blocker.chmod(mode)
    attempt_id = confirmed(journal, {}, [])
    attempt = receipts.record_submitted(journal, attempt_id, FID)
    assert (attempt.state, attempt.feedback_id, attempt.receipt_path) == (
        State.SUBMITTED,
        FID,
        None,
    )
    assert f"attempt {attempt_id} is recorded as submitted, but its receipt" in caplog.text


def test_a_receipt_names_the_host_and_a_practice_one_says_so_first(journal: Journal) -> None:
    real = journal.begin(new_attempt("+16195550100"))
    journal.intent(real, confirmed_by="alice", review_values={}, screenshots=[])
    practice = journal.begin(new_attempt("+16195550101", host="127.0.0.1:8765", real=False))
    journal.intent(practice, confirmed_by="alice", review_values={}, screenshots=[])
    page = Path(receipts.record_submitted(journal, real, FID).receipt_path or "").read_text()
    assert "<tr><th>Portal</th><td>fcr at www.freecallerregistry.com</td></tr>" in page
    assert f"<h1>Registration receipt {FID}</h1>" in page
    assert "PRACTICE" not in page
    other = "FCRFE10012026140300001"
    page = Path(receipts.record_submitted(journal, practice, other).receipt_path or "").read_text()
    assert page.index('<p class="practice">') < page.index("<h1>")  # the first thing seen
    assert (
        '<p class="practice">PRACTICE: sent to 127.0.0.1:8765, not to the real portal. Nothing '
        "was registered; this is not proof of registration.</p>"
    ) in page
    assert f"<title>PRACTICE receipt {other}</title>" in page
    assert f"<h1>PRACTICE receipt {other}</h1>" in page
    assert "<tr><th>Portal</th><td>fcr at 127.0.0.1:8765 (PRACTICE)</td></tr>" in page
