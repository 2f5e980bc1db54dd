"""Medians, ratios and the small tables every benchmark prints."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Series:
    """The seconds of several runs of one contestant."""

    name: str
    seconds: tuple[float, ...]

    @property
    def median(self) -> float:
        """The median run (robust to one run disturbed by other work on the machine)."""
        return statistics.median(self.seconds)

    @property
    def spread(self) -> str:
        """ "min-max" of the runs, to show how noisy the median is."""
        return f"{min(self.seconds):.3f}-{max(self.seconds):.3f}"


def table(title: str, rows: Sequence[Series], baseline: str, note: str = "") -> str:
    """A table of medians with each row's ratio to the `baseline` row's median."""
    base = next(r for r in rows if r.name == baseline).median
    width = max(len(r.name) for r in rows) + 2
    lines = [title, f"{'':{width}}{'runs':>5} {'median s':>9} {'min-max s':>13} {'ratio':>8}"]
    for r in rows:
        ratio = r.median / base if base > 0 else float("nan")
        lines.append(
            f"{r.name:{width}}{len(r.seconds):>5} {r.median:9.3f} {r.spread:>13} {ratio:7.2f}x"
        )
    if note:
        lines.append(note)
    return "\n".join(lines)


def verdict(ratio: float, limit: float, *, at_most: bool) -> str:
    """ "met" or "NOT met" for a ratio against a target (a report, never a failure)."""
    ok = ratio <= limit if at_most else ratio >= limit
    return "met" if ok else "NOT met"
