"""A person's second hour, at a real terminal (issue 19): a 25-number profile filled on the
replica in two parts (20 + 5). Every screen and file of the practice run says PRACTICE and the
host (the reviews, the prompts, the summary, the receipt rendered in the browser); the second
review shows its 5 new numbers in full and one line for the rest, `all` shows every row; the
replica's wizard has no caller-name fields, and the review says what that means."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from clirun import ROOT
from person import Person
from replicas import Replicas

from assistant.errors import ExitCode

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

EMAIL = "it@lakeside.example.org"
NUMBERS = [f"(619) 555-01{i:02d}" for i in range(25)]


def _profile(folder: Path) -> Path:
    path = folder / "district.yaml"
    listed = "\n".join(f"  - {n}" for n in NUMBERS)
    org = (ROOT / "profiles/org/lakeside.yaml").resolve()
    path.write_text(
        f"extends: {org}\nlabel: District lines\ncalling:\n  category: Education\n"
        f"  monthly_calls: 12,000\nnumbers:\n{listed}\n",
        encoding="utf-8",
    )
    return path


def _heading(host: str, title: str) -> str:
    """The review's heading of a practice run (PRACTICE in colour at a terminal)."""
    return (
        rf"PRACTICE(?:\x1b\[0m)? at {re.escape(host)}, not the real portal: "
        rf"{re.escape(title)} — please review"
    )


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def test_a_practice_run_says_so_everywhere_and_the_second_review_shows_what_is_new(
    tmp_path: Path, replica: Replicas, page: Page
) -> None:
    portal = replica()
    host = portal.url.split("/")[2]  # 127.0.0.1:PORT
    practice = f"PRACTICE at {host}"
    profile = _profile(tmp_path)
    args = ("fill", str(profile), "--url", portal.url, "--headless", "--trace")
    with Person(*args, data=tmp_path / "data", size=(200, 150)) as person:
        person.expect(r"Type the 5-digit code: ")  # (mailed when the prompt shows: not before)
        person.type(portal.latest_code(EMAIL))
        person.expect(_heading(host, "Submission 1 of 2 (20 numbers)"))
        prompt = (
            f'{practice} (not the real portal). Type "submit" to send District lines, '
            "submission 1 of 2 (20 numbers), anything else to stop: "
        )
        person.expect(re.escape(prompt))
        first = _plain(person.before)
        assert "company name" in first  # the first review is whole
        assert "Lakeside Unified School District" in first
        assert "as in submission" not in first
        # The wizard has no caller-name fields: one line says what that means.
        assert "This portal takes no caller names; the display names of these numbers " in first
        assert "not on this portal" not in first.split("display names")[-1][:40]
        person.type("submit")
        person.expect(r"Submitted 1 of 2\. Feedback ID: FCRFE\d{17}")
        first_receipt = person.expect(r"Receipt: (\S+)").group(1)
        person.expect(r"Type the 5-digit code: ")
        person.type(portal.latest_code(EMAIL))
        person.expect(_heading(host, "Submission 2 of 2 (5 numbers)"))
        again = (
            f'{practice} (not the real portal). Type "submit" to send District lines, '
            'submission 2 of 2 (5 numbers), "all" to see every row, anything else to stop: '
        )
        person.expect(re.escape(again))
        second = _plain(person.before)
        # The 5 new numbers in full, one line for the rest, nothing else repeated.
        for number in NUMBERS[20:]:
            assert re.sub(r"\D", "", number) in second
        for number in NUMBERS[:20]:
            assert re.sub(r"\D", "", number) not in second
        folded = re.search(
            r"(\d+) fields as in submission 1, read back from this page: ✓ "
            r'\(type "all" to see every row\)',
            second,
        )
        assert folded is not None, second
        for business in ("company name", "Lakeside Unified School District", "city", "Suite 200"):
            assert business not in second
        assert "Not as in submission 1" not in second
        rows = [line for line in second.splitlines() if line.startswith("│")]
        assert len(rows) == 5  # one screen: the five numbers
        person.type("all")
        person.expect(re.escape(again))
        whole = _plain(person.before)
        assert "company name" in whole
        assert "Lakeside Unified School District" in whole
        assert "as in submission 1" not in whole
        whole_rows = [line for line in whole.splitlines() if line.startswith("│")]
        assert len(whole_rows) == 5 + int(folded.group(1)) + 1  # + the caller names row
        person.type("submit")
        person.expect(r"Submitted 2 of 2\. Feedback ID: FCRFE\d{17}")
        person.expect(r"Receipt: (\S+)")
        said = f"PRACTICE at {host}, not the real portal: nothing here is registered."
        person.expect(rf"{re.escape(said)}\r?\nSummary\r?\n")
        assert person.wait() == ExitCode.OK
    assert len(portal.submissions()) == 2
    # The trace's file name says so too.
    traces = sorted(p.name for p in (tmp_path / "data" / "runs").rglob("*.zip"))
    slug = host.replace(":", "-")
    assert traces == [
        f"district-lines-s1-PRACTICE-{slug}-trace.zip",
        f"district-lines-s2-PRACTICE-{slug}-trace.zip",
    ]
    # The receipt, as a person opens it in a browser.
    page.goto(Path(first_receipt).as_uri())
    shot = tmp_path / "receipt.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = page.inner_text("body")
    assert text.startswith(
        f"PRACTICE: sent to {host}, not to the real portal. Nothing was registered; this is "
        "not proof of registration.\n\nPRACTICE receipt FCRFE"
    )
    assert f"Portal\tfcr at {host} (PRACTICE)" in text
    banner = page.locator(".practice")
    assert banner.is_visible()
    box = banner.bounding_box()
    assert box is not None
    assert box["y"] < 100  # at the top, the first thing seen
