"""`assistant replica` through the real entry point: serves until Ctrl-C, refuses bad faults."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from clirun import run_assistant


def test_replica_command_serves_until_ctrl_c(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "assistant",
            "replica",
            "--port",
            "0",
            "--layout",
            "classic",
            "--fault",
            "renamed-label",
            "--variant",
            "captions",
            "--variant",
            "no-optional",
            "--data",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        match = re.fullmatch(
            r"Replica portal \(classic layout\) at (http://127\.0\.0\.1:\d+/fcr/)\n", first
        )
        assert match, first
        lines = [process.stdout.readline() for _ in range(7)]
        origin = match.group(1).removesuffix("/fcr/")
        assert lines == [
            f"Its sister forms: {origin}/trf/ (TRF), {origin}/vsf/ (VSF); all three: "
            f"--url {origin}/\n",
            "Faults: renamed-label\n",
            "Variants: captions, no-optional\n",
            f"Verification codes (the outbox): {origin}/__replica/outbox\n",
            f"Submissions received: {origin}/__replica/submissions\n",
            f"Kept on disk in {tmp_path}: submissions.jsonl, outbox.jsonl\n",
            "Press Ctrl-C to stop.\n",
        ]
        with urllib.request.urlopen(match.group(1), timeout=10) as response:  # noqa: S310
            page = response.read().decode()
        assert "Organization name" in page
        assert "Submit Registration" in page  # captions
        assert 'id="enableCheckbox"' not in page  # no-optional: no terms checkbox in classic
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert out == "Replica stopped.\n"


def test_replica_command_refuses_an_unknown_fault() -> None:
    result = run_assistant("replica", "--fault", "sloww")
    assert result.returncode == 2
    assert result.stderr.startswith(
        "Error: Unknown replica fault(s): sloww. Valid: first-load-fails,"
    )


def test_replica_command_refuses_an_unknown_variant() -> None:
    result = run_assistant("replica", "--variant", "captionz")
    assert result.returncode == 2
    assert result.stderr == (
        "Error: Unknown replica variant(s): captionz. Valid: renamed-ids, captions, "
        "submit-endpoint, late-feedback, display-names, no-optional, extra-required, "
        "continue-registers, timer-post, farewell, late-change, swap-on-submit, webrtc, "
        "sandboxed-frame, formdata-swap, fake-feedback, lying-page.\n"
    )
