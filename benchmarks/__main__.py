"""`python -m benchmarks` (`make bench`): run every benchmark and print its table.

Tables are printed as each benchmark finishes. Targets are ratios measured side by side in this
run; absolute seconds depend on the machine (printed first) and on its load.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks import bench_batch, bench_command, bench_effort, bench_fill, bench_validate


def _cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return "unknown"
    for line in text.splitlines():
        if line.startswith("model name"):
            return line.partition(":")[2].strip()
    return "unknown"


def machine() -> str:
    """One line about where the figures come from: cores, CPU, Chromium, load."""
    from assistant import browser

    try:
        info = browser.find_browser()
        chromium = f"{info.version} ({info.source})"
    except Exception as error:  # the fill benchmarks will say the same, louder
        chromium = f"none ({error})"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"machine: {os.cpu_count()} cores, {_cpu_model()}; {chromium}; load average {load}"


def main() -> None:
    """Run every benchmark, print each table as it is ready, then the total time."""
    start = time.perf_counter()
    print(machine(), flush=True)
    sections: list[Callable[[], str]] = [
        bench_fill.run,
        bench_command.run,
        bench_effort.run,
        bench_validate.run,
        bench_batch.run,
    ]
    for section in sections:
        print("\n" + section(), flush=True)
    print(f"\nall benchmarks: {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
