"""Whole commands as a person runs them: `assistant fill` up to the review, `assistant validate`.

`assistant fill` runs for real at a pseudo-terminal (`pty_person`) against a replica started here,
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

from benchmarks.pty_person import command_at_terminal
from benchmarks.sample import PROFILE, ROOT, load_profile
from benchmarks.timing import Series, table, verdict

FILL_RUNS = 3
VALIDATE_RUNS = 11
VALIDATE_TARGET_S = 0.25  # at most this much over `python -c pass` (medians)
CODE_PROMPT = b"Type the 5-digit code"
CONFIRM_PROMPT = b'Type "submit"'
VALIDATE_PROFILE = ROOT / "profiles" / "clinic-reminders.yaml"


def assistant_command() -> list[str]:
    """The `assistant` command of this virtualenv (the console script when installed)."""
    script = Path(sys.executable).parent / "assistant"
    return [str(script)] if script.exists() else [sys.executable, "-m", "assistant"]


def fill_once(url: str, latest_code: Callable[[str], str], email: str) -> tuple[float, float]:
    """Run `assistant fill` once in a pty; (seconds to the code prompt, to the confirm prompt).

    `latest_code(email)` is asked once the code prompt shows (the replica's outbox).
    """
    seen: dict[str, float] = {}  # seconds from the start to each prompt, the first time

    def code() -> str | None:
        if "code" in seen:  # the profile's next submission, after the declined one: stop it
            person.ctrl_c()  # at its code prompt, so only the first is ever filled
            return None
        seen["code"] = time.perf_counter() - start
        return latest_code(email)

    def confirm() -> str | None:
        if "review" in seen:
            person.ctrl_c()
            return None
        seen["review"] = time.perf_counter() - start
        return "no"

    answers = {CODE_PROMPT: code, CONFIRM_PROMPT: confirm}
    with tempfile.TemporaryDirectory() as data:
        command = [*assistant_command(), "fill", str(PROFILE), "--url", url, "--headless"]
        command += ["--data-dir", data]
        start = time.perf_counter()
        with command_at_terminal(command, answers, cwd=ROOT) as person:
            status = person.wait(timeout=120)
    if status <= 0:
        raise RuntimeError(
            f"assistant fill ended with exit code {status}; a declined run must not end with 0 "
            "(everything submitted)"
        )
    if "review" not in seen:
        raise RuntimeError(f"assistant fill ended (exit code {status}) before its review")
    at_code, at_review = seen["code"], seen["review"]
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
