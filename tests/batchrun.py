"""Shared by the batch and crash tests: small profiles in a folder, and the real `assistant`
command driven through a pseudo-terminal the way a person answers it."""

from __future__ import annotations

import io
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pexpect

from assistant.replica import Replica

ASSISTANT = str(Path(sys.executable).parent / "assistant")
EMAIL = "ops@harbor.example.org"

CODE_PROMPT = r"Type the 5-digit code: "
CONFIRM_PROMPT = r'Type "submit" to send Harbor \d+, submission (\d+) of (\d+) \((\d+) numbers?\)'


def profile_text(n: int, numbers: list[str]) -> str:
    """A small valid profile, `Harbor N`, with these numbers (written as a person would)."""
    listed = "\n".join(f"  - {number}" for number in numbers)
    return (
        f"label: Harbor {n}\n"
        "company:\n"
        f"  name: Harbor Clinic {n}\n"
        "  website: https://harbor.example.org\n"
        "  address:\n"
        "    line1: 1 Dock St\n"
        "    city: San Diego\n"
        "    state: California\n"
        '    zip: "92101"\n'
        "contact:\n"
        "  name: Robin Hale\n"
        "  phone: (619) 555-0199\n"
        f"  email: {EMAIL}\n"
        "calling:\n"
        "  category: Healthcare\n"
        "  monthly_calls: 500\n"
        "  service_provider: Bandwidth\n"
        "display_name: HARBOR CLINIC\n"
        f"numbers:\n{listed}\n"
    )


def numbers_of(n: int, count: int = 2) -> list[str]:
    """Distinct numbers for profile `n`: (619) 555-0n00, -0n01, …"""
    return [f"(619) 555-0{n}{i:02d}" for i in range(count)]


def write_profiles(folder: Path, count: int = 5) -> list[Path]:
    """`count` valid profiles `harbor-N.yaml` with distinct numbers (2 each)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for n in range(1, count + 1):
        path = folder / f"harbor-{n}.yaml"
        path.write_text(profile_text(n, numbers_of(n)), encoding="utf-8")
        written.append(path)
    return written


@dataclass
class Driven:
    """What one run of the command showed and how it ended."""

    output: str
    exitstatus: int | None
    signalstatus: int | None
    confirmed: int = 0
    feedback_ids: list[str] = field(default_factory=list)


def drive(
    args: list[str],
    portal: Replica | None,
    *,
    answers: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    timeout: float = 90,
) -> Driven:
    """Run `assistant ARGS` in a pty, typing the portal's code whenever asked and, at the
    n-th confirmation, `answers[n]` (default "submit"; "^C" presses Ctrl-C instead)."""
    child = pexpect.spawn(
        ASSISTANT,
        args,
        encoding="utf-8",
        timeout=timeout,
        dimensions=(50, 200),
        env={**os.environ, **(env or {})},
    )
    shown = io.StringIO()
    child.logfile_read = shown
    confirmed = 0
    try:
        while True:
            index = child.expect([CODE_PROMPT, CONFIRM_PROMPT, pexpect.EOF])
            if index == 0:
                assert portal is not None
                child.sendline(portal.latest_code(EMAIL))
            elif index == 1:
                answer = answers[confirmed] if confirmed < len(answers) else "submit"
                confirmed += 1
                if answer == "^C":
                    child.sendcontrol("c")
                else:
                    child.sendline(answer)
            else:
                break
    finally:
        child.close()
    full = shown.getvalue().replace("\r\n", "\n")
    return Driven(
        full,
        child.exitstatus,
        child.signalstatus,
        confirmed,
        re.findall(r"Feedback ID: (FCRFE\d{17})", full),
    )
