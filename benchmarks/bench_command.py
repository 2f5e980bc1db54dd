"""Whole commands as a person runs them: `assistant fill` up to the review, `assistant validate`.

`assistant fill` runs for real in a pseudo-terminal (pexpect) against a replica started here,
headless, browser launch included: the clock runs from the spawn until the review's
confirmation prompt appears; the code is typed from the replica's outbox when asked, and the
confirmation is declined ("no"), so nothing is submitted. `assistant validate` of one example
profile is timed against `python -c pass`, the cost of starting any Python process, alternating
the two; the target (issue 11) is validate within 0.25 s of bare Python, medians side by side.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.sample import PROFILE, ROOT, load_profile
from benchmarks.timing import Series, table, verdict

FILL_RUNS = 3
VALIDATE_RUNS = 11
VALIDATE_TARGET_S = 0.25  # at most this much over `python -c pass` (medians)
CODE_PROMPT = r"Type the \d-digit code"
CONFIRM_PROMPT = r'Type "submit"'
VALIDATE_PROFILE = ROOT / "profiles" / "clinic-reminders.yaml"


def assistant_command() -> list[str]:
    """The `assistant` command of this virtualenv (the console script when installed)."""
    script = Path(sys.executable).parent / "assistant"
    return [str(script)] if script.exists() else [sys.executable, "-m", "assistant"]


def fill_once(url: str, latest_code: Callable[[str], str], email: str) -> tuple[float, float]:
    """Run `assistant fill` once in a pty; (seconds to the code prompt, to the confirm prompt).

    `latest_code(email)` is asked once the code prompt shows (the replica's outbox).
    """
    import pexpect

    command = assistant_command()
    with tempfile.TemporaryDirectory() as data:
        args = [*command[1:], "fill", str(PROFILE), "--url", url, "--headless"]
        args += ["--data-dir", data]
        start = time.perf_counter()
        child = pexpect.spawn(
            command[0], args, cwd=str(ROOT), encoding="utf-8", timeout=120, dimensions=(50, 200)
        )
        try:
            child.expect(CODE_PROMPT)
            at_code = time.perf_counter() - start
            child.sendline(latest_code(email))
            child.expect(CONFIRM_PROMPT)
            at_review = time.perf_counter() - start
            child.sendline("no")
            # A declined submission may be followed by the profile's next one: stop it at its
            # code prompt with Ctrl-C, so only the first is ever filled.
            while child.expect([pexpect.EOF, CODE_PROMPT, CONFIRM_PROMPT]) != 0:
                child.sendintr()
        finally:
            child.close()
    if child.exitstatus == 0 or child.exitstatus is None:
        raise RuntimeError(
            f"assistant fill ended with exit code {child.exitstatus}; a declined run must not "
            "end with 0 (everything submitted)"
        )
    return at_code, at_review


def measure_fill(runs: int = FILL_RUNS) -> tuple[Series, Series]:
    """`runs` whole `assistant fill` runs: (to the code prompt, to the review prompt)."""
    from assistant.replica import Replica

    email = load_profile().contact.email
    to_code: list[float] = []
    to_review: list[float] = []
    with Replica(layout="wizard") as replica:
        for _ in range(runs):
            at_code, at_review = fill_once(replica.url, replica.latest_code, email)
            to_code.append(at_code)
            to_review.append(at_review)
        if replica.submit_attempts():
            raise RuntimeError("a benchmark run of `assistant fill` sent a submit")
    return (
        Series("start -> code prompt", tuple(to_code)),
        Series("start -> review prompt", tuple(to_review)),
    )


def _timed(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True, cwd=str(ROOT))
    return time.perf_counter() - start


def measure_validate(runs: int = VALIDATE_RUNS) -> tuple[Series, Series]:
    """`assistant validate <one profile>` against `python -c pass`, alternating, `runs` each."""
    validate = [*assistant_command(), "validate", str(VALIDATE_PROFILE)]
    bare = [sys.executable, "-c", "pass"]
    _timed(validate)  # warm-up: the OS file cache
    pairs = [(_timed(bare), _timed(validate)) for _ in range(runs)]
    return (
        Series("python -c pass", tuple(p[0] for p in pairs)),
        Series("assistant validate", tuple(p[1] for p in pairs)),
    )


def validate_note(bare: Series, validate: Series) -> str:
    """The start-up figure next to bare Python's, whether the target is met (medians), and
    the difference of the fastest runs, which other work on the machine disturbs least."""
    overhead = validate.median - bare.median
    met = verdict(overhead, VALIDATE_TARGET_S, at_most=True)
    best = min(validate.seconds) - min(bare.seconds)
    return (
        f"validate {validate.median:.3f} s, bare Python {bare.median:.3f} s: "
        f"{overhead * 1000:.0f} ms over starting Python "
        f"(target <= {VALIDATE_TARGET_S * 1000:.0f} ms: {met}; fastest runs: "
        f"{best * 1000:.0f} ms)"
    )


def run() -> str:
    """Measure both commands and return their tables."""
    to_code, to_review = measure_fill()
    bare, validate = measure_validate()
    fill_table = table(
        f"assistant fill {PROFILE.name} --url <replica> --headless, in a pty "
        "(launch included; code typed from the outbox; declined at the prompt)",
        [to_code, to_review],
        baseline=to_review.name,
    )
    validate_table = table(
        f"assistant validate {VALIDATE_PROFILE.name} against bare interpreter start",
        [bare, validate],
        baseline=bare.name,
        note=validate_note(bare, validate),
    )
    return fill_table + "\n\n" + validate_table


if __name__ == "__main__":
    print(run())
