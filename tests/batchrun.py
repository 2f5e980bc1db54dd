"""Shared by the batch and crash tests: small profiles in a folder, and the real `assistant`
command driven through a pseudo-terminal the way a person answers it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from person import EOF, Person

from assistant.replica import Replica

EMAIL = "ops@harbor.example.org"

CODE_PROMPT = r"Type the \d+-digit code: "
CONFIRM_PROMPT = r'Type "submit" to send (Harbor \d+), submission (\d+) of (\d+) \((\d+) numbers?\)'


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
    reviews: list[tuple[str, str]] = field(default_factory=list)  # (profile, submission n)


def drive(
    args: list[str],
    portal: Replica | None,
    *,
    answers: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    timeout: float = 90,
) -> Driven:
    """Run `assistant ARGS` at a terminal, typing the portal's code whenever asked (without a
    portal, a question for a code fails the test) and, at the n-th confirmation, `answers[n]`
    (default "submit"; "^C" presses Ctrl-C instead)."""
    reviews: list[tuple[str, str]] = []
    with Person(*args, env=env, timeout=timeout) as person:
        while (index := person.first_of(CODE_PROMPT, CONFIRM_PROMPT, EOF)) != 2:
            if index == 0:
                assert portal is not None, f"the person was asked for a code:\n{person.screen}"
                person.type(portal.latest_code(EMAIL))
                continue
            label, part = person.last_match.group(1, 2)
            reviews.append((str(label), str(part)))
            answer = answers[len(reviews) - 1] if len(reviews) <= len(answers) else "submit"
            if answer == "^C":
                person.ctrl_c()
            else:
                person.type(answer)
    full = person.screen
    return Driven(
        full,
        person.status,
        person.signal,
        len(reviews),
        re.findall(r"Feedback ID: (FCRFE\d{17})", full),
        reviews,
    )
