"""`assistant report` through the real entry point: where it writes (private), what it says,
the profiles given, and its CSV."""

from __future__ import annotations

import csv
import io
import os
import subprocess
from pathlib import Path

import pytest
from batchrun import profile_text
from clirun import PROFILE, ROOT, run_assistant
from journalrows import FID, FakeClock, at, submit

from assistant.records.journal import Journal


def run(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    return run_assistant(*args, env={**environ, "ASSISTANT_DATA_DIR": str(data)}, cwd=ROOT)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """Two numbers of the Lakeside profile registered on 2026-10-01; two never sent."""
    folder = tmp_path / "data"
    with Journal.open(folder, clock=FakeClock(at("2026-10-01 14:03"))) as journal:
        submit(journal, "+16195550100", "+16195550101", label="Lakeside")
    return folder


def test_the_report_is_written_privately_into_the_data_folder(data: Path) -> None:
    result = run(data, "report", "--as-of", "2026-12-01")
    target = data / "reports" / "numbers-2026-12-01.html"
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        f"Report of 2 numbers written to {target}\n",
        "",
    )
    assert (data / "reports").stat().st_mode & 0o777 == 0o700
    assert target.stat().st_mode & 0o777 == 0o600
    page = target.read_text(encoding="utf-8")
    assert f'<span class="fid">{FID}</span>' in page
    assert "http" not in page.replace("http-equiv", "")  # nothing it could fetch


def test_the_profiles_given_add_their_numbers_never_sent(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "shared" / "numbers.csv"
    out.parent.mkdir()
    other = tmp_path / "harbor.yaml"  # lists a number of Lakeside's too: its row names both
    other.write_text(profile_text(1, ["(619) 555-0100"]), encoding="utf-8")
    args = [PROFILE, str(other), "--out", str(out), "--as-of", "2026-12-01"]
    result = run(data, "report", *args)
    assert (result.returncode, result.stdout) == (0, f"Report of 4 numbers written to {out}\n")
    assert out.stat().st_mode & 0o777 == 0o600  # it lists every number and Feedback ID
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [
        (r["number"], r["display_name"], r["fcr_status"], r["fcr_feedback_id"]) for r in rows
    ] == [
        ("+16195550100", "LAKESIDE USD", "registered", FID),
        ("+16195550101", "LAKESIDE USD", "registered", FID),
        ("+16195550102", "LAKESIDE NURSE", "not registered", ""),
        ("+16195550103", "LAKESIDE USD", "not registered", ""),
    ]
    assert rows[0]["profiles"] == "Lakeside USD closure alerts; Harbor 1; Lakeside"
    assert rows[1]["profiles"] == "Lakeside USD closure alerts; Lakeside"
    assert rows[0]["fcr_next_due"] == "2026-12-30"
    assert rows[0]["fcr_kind"] == "real"


def test_the_report_can_be_printed_and_refuses_an_invalid_profile(
    data: Path, tmp_path: Path
) -> None:
    printed = run(data, "report", "--csv", "--out", "-", "--as-of", "2026-12-01")
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.splitlines()[0].startswith("number,display_name,profiles,")
    assert not (data / "reports").exists()
    broken = tmp_path / "broken.yaml"
    broken.write_text("label: [\n", encoding="utf-8")
    refused = run(data, "report", str(broken))
    assert refused.returncode == 1
    assert refused.stderr.startswith(f"Error: {broken}:")
    bad_day = run(data, "report", "--as-of", "01/12/2026")
    assert (bad_day.returncode, bad_day.stderr) == (
        2,
        "Error: --as-of '01/12/2026' is not a date; write it like 2027-01-15\n",
    )


def test_a_linked_reports_folder_is_refused(data: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir(mode=0o755)
    (data / "reports").symlink_to(outside)
    result = run(data, "report")
    assert result.returncode == 8, result.stderr
    assert "reports is a symbolic link to" in result.stderr
    assert list(outside.iterdir()) == []
