"""What a person sees at a terminal, through the real `assistant` command in a pseudo-terminal:
refusals grouped by earlier submission, history and receipts, and every value shown literally."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pexpect
import pytest

from assistant.errors import ExitCode
from assistant.journal import Journal, NewAttempt

ASSISTANT = str(Path(sys.executable).parent / "assistant")
ROOT = Path(__file__).resolve().parent.parent
FID1 = "FCRFE11272026100000001"
FID2 = "FCRFE11272026100500002"


def run_at_terminal(
    *args: str, columns: int = 100, env: dict[str, str] | None = None
) -> tuple[int | None, str]:
    """`assistant ARGS` in a pseudo-terminal `columns` wide: its exit status and its screen."""
    child = pexpect.spawn(
        ASSISTANT,
        list(args),
        cwd=str(ROOT),
        encoding="utf-8",
        timeout=60,
        dimensions=(50, columns),
        env={**os.environ, **(env or {})},
    )
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus, str(child.before).replace("\r\n", "\n")


def profile_with(path: Path, numbers: list[str], label: str = "Riverbend Clinic") -> Path:
    """A valid profile listing `numbers`."""
    listed = "\n".join(f"  - {n}" for n in numbers)
    path.write_text(
        f"label: {label}\n"
        "company:\n"
        "  name: Riverbend Clinic\n"
        "  website: https://riverbend.example.org\n"
        "  address: {line1: 1 River Rd, city: Salem, state: OR, zip: '97301'}\n"
        "contact: {name: Sam Ortiz, phone: (503) 555-0150, email: it@riverbend.example.org}\n"
        "calling: {category: Healthcare, monthly_calls: 900, service_provider: Bandwidth}\n"
        f"numbers:\n{listed}\n",
        encoding="utf-8",
    )
    return path


def submitted_before(
    data: Path, profile: Path, numbers: list[str], fid: str, when: datetime, part: int, parts: int
) -> None:
    """Record an earlier, successful submission of `numbers` in the journal at `data`."""
    with Journal.open(data, clock=lambda: when) as journal:
        attempt = journal.begin(
            NewAttempt(
                run_id="earlier",
                portal="fcr",
                profile_path=str(profile.resolve()),
                profile_sha256="00" * 32,
                profile_label="Riverbend Clinic",
                numbers=tuple(numbers),
                part=part,
                parts=parts,
            )
        )
        journal.intent(attempt, confirmed_by="sam", review_values=[])
        journal.submitted(attempt, fid)


def test_a_second_fill_names_each_earlier_submission_once_not_each_number(
    tmp_path: Path,
) -> None:
    numbers = [f"+1503555{i:04d}" for i in range(100, 130)]  # 30 numbers: 20 and 10
    profile = profile_with(tmp_path / "riverbend.yaml", numbers)
    data = tmp_path / "data"
    when = datetime.now(UTC) - timedelta(days=2)
    submitted_before(data, profile, numbers[:20], FID1, when, 1, 2)
    submitted_before(data, profile, numbers[20:], FID2, when + timedelta(minutes=5), 2, 2)
    day = when.strftime("%Y-%m-%d")
    status, screen = run_at_terminal(
        "fill",
        str(profile),
        "--url",
        "http://127.0.0.1:9/fcr/",
        "--headless",
        "--data-dir",
        str(data),
    )
    assert status == ExitCode.DUPLICATE, screen
    assert screen == (
        f"Error: 20 numbers were submitted to fcr on {day} as {FID1}; pass --resubmit to send "
        "them again\n"
        f"10 numbers were submitted to fcr on {day} as {FID2}; pass --resubmit to send them "
        "again\n"
    )


@pytest.fixture(autouse=True)
def _no_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
