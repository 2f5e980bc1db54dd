"""Fill versus the floor, and versus a naive script: one 20-number submission on the replica.

All three contestants share one headless Chromium (already running) and one replica (wizard
layout); each run gets a fresh browser context. Runs of the assistant and the floor alternate,
so that load from other work on the machine falls on both alike; one warm-up run each is
discarded. Targets: the assistant within 1.3x of the floor, and at least 15x faster than the
naive script; and the fill's fixed cost, the assistant's median minus the floor's, under
150 ms (issue 20: what the assistant adds to the same work, whatever the machine's speed). The
ratios and the cost are reported, never turned into a failure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from benchmarks import assisted, floor, naive
from benchmarks.calls import CallCounter, counting
from benchmarks.sample import FormValues, form_values, load_profile
from benchmarks.timing import Series, table, verdict

if TYPE_CHECKING:
    from playwright.sync_api import Browser

    from assistant.replica import Replica

FLOOR_TARGET = 1.3
COST_TARGET_MS = 150.0
NAIVE_TARGET = 15.0
RUNS = 5
NAIVE_RUNS = 2


@dataclass(frozen=True, slots=True)
class Results:
    """The seconds each contestant took, run by run."""

    assistant: Series
    floor: Series
    naive: Series | None
    calls: dict[str, str]  # contestant -> its Playwright calls in one untimed run


@contextmanager
def running() -> Iterator[tuple[Browser, Replica]]:
    """A headless Chromium (launched as the assistant launches it) and a wizard replica."""
    from playwright.sync_api import sync_playwright

    from assistant.browser import launch as browser_module
    from assistant.replica import Replica

    info = browser_module.find_browser()
    with sync_playwright() as p, Replica(layout="wizard") as replica:
        launched = browser_module.launch(p, info, headless=True)
        try:
            yield launched, replica
        finally:
            launched.close()


def measure(runs: int = RUNS, naive_runs: int = NAIVE_RUNS) -> Results:
    """Time the assistant and the floor `runs` times each (alternating), the naive script
    `naive_runs` times (0 skips it)."""
    profile = load_profile()
    values: FormValues = form_values(profile)
    with running() as (launched, replica):
        portal, plan = assisted.prepare(replica, profile)

        def run_assistant() -> float:
            return assisted.run_once(launched, replica, profile, portal, plan)

        def run_floor() -> float:
            return floor.run_once(launched, replica, values)

        contestants: list[tuple[str, Callable[[], float]]] = [
            ("assistant", run_assistant),
            ("floor", run_floor),
        ]
        for _, run in contestants:
            run()  # warm-up: first page load, first context, caches
        times: dict[str, list[float]] = {name: [] for name, _ in contestants}
        for i in range(runs):
            # Alternate who goes first, so neither always runs right after the other.
            order = contestants if i % 2 == 0 else contestants[::-1]
            for name, run in order:
                times[name].append(run())
        calls = _count_calls(
            lambda c: assisted.run_marks(launched, replica, profile, portal, plan, c),
            lambda c: floor.run_once(launched, replica, values, c),
        )
        naive_series = None
        if naive_runs:
            naive_times = [naive.run_once(launched, replica, values) for _ in range(naive_runs)]
            naive_series = Series("naive script (sleeps)", tuple(naive_times))
    return Results(
        Series("assistant (Session)", tuple(times["assistant"])),
        Series("floor (hand-written)", tuple(times["floor"])),
        naive_series,
        calls,
    )


def _count_calls(
    assistant_run: Callable[[CallCounter], object], floor_run: Callable[[CallCounter], object]
) -> dict[str, str]:
    """One extra, untimed run of each with Playwright's calls counted."""
    found: dict[str, str] = {}
    for name, run in (("assistant", assistant_run), ("floor", floor_run)):
        counter = CallCounter()
        with counting(counter) as available:
            run(counter)
        found[name] = counter.summary() if available else "unavailable"
    return found


def report(results: Results) -> str:
    """The two tables: assistant against the floor, and the naive script against the assistant."""
    ratio = results.assistant.median / results.floor.median
    cost_ms = cost_over_floor_ms(results)
    parts = [
        table(
            "fill: code accepted -> review read back, 20 numbers, wizard replica, headless",
            [results.floor, results.assistant],
            baseline=results.floor.name,
            note=(
                f"assistant / floor = {ratio:.2f}x (target <= {FLOOR_TARGET}x: "
                f"{verdict(ratio, FLOOR_TARGET, at_most=True)}); cost over the floor "
                f"{cost_ms:.0f} ms (target under {COST_TARGET_MS:.0f} ms: "
                f"{'met' if cost_ms < COST_TARGET_MS else 'NOT met'})\n"
                f"Playwright calls in the window (one untimed run each):\n"
                f"  assistant: {results.calls.get('assistant', '?')}\n"
                f"  floor:     {results.calls.get('floor', '?')}"
            ),
        )
    ]
    if results.naive is not None:
        speedup = results.naive.median / results.assistant.median
        parts.append(
            table(
                "fill versus a naive script (fixed sleeps: 2.5 s a step, 3 s for the code, "
                "0.5 s a number)",
                [results.floor, results.assistant, results.naive],
                baseline=results.assistant.name,
                note=(
                    f"naive / assistant = {speedup:.1f}x (target >= {NAIVE_TARGET:g}x: "
                    f"{verdict(speedup, NAIVE_TARGET, at_most=False)}); naive / floor = "
                    f"{results.naive.median / results.floor.median:.1f}x"
                ),
            )
        )
    return "\n\n".join(parts)


def cost_over_floor_ms(results: Results) -> float:
    """What the assistant adds to the floor's work: its median minus the floor's, in ms."""
    return (results.assistant.median - results.floor.median) * 1000


def run() -> str:
    """Measure and return the tables."""
    return report(measure())


if __name__ == "__main__":
    print(run())
