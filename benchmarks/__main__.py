"""`python -m benchmarks` (`make bench`): run every benchmark and print its table.

`python -m benchmarks fill command` runs only the named ones (fill, command, effort, validate,
batch, ahead).

Tables are printed as each benchmark finishes. Targets are ratios measured side by side in this
run; absolute seconds depend on the machine (printed first) and on its load.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks import (
    bench_ahead,
    bench_batch,
    bench_command,
    bench_effort,
    bench_fill,
    bench_validate,
)


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
    from assistant.browser import launch

    try:
        info = launch.find_browser()
        chromium = f"{info.version} ({info.source})"
    except Exception as error:  # the fill benchmarks will say the same, louder
        chromium = f"none ({error})"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"machine: {os.cpu_count()} cores, {_cpu_model()}; {chromium}; load average {load}"


SECTIONS: dict[str, Callable[[], str]] = {
    "fill": bench_fill.run,
    "command": bench_command.run,
    "effort": bench_effort.run,
    "validate": bench_validate.run,
    "batch": bench_batch.run,
    "ahead": bench_ahead.run,
}


def main(argv: list[str] | None = None) -> None:
    """Run the benchmarks named in `argv` (all when none), print each table as it is ready
    with the seconds it took, then the total time."""
    names = (sys.argv[1:] if argv is None else argv) or list(SECTIONS)
    unknown = [n for n in names if n not in SECTIONS]
    if unknown:
        raise SystemExit(
            f"Unknown benchmark(s): {', '.join(unknown)}. Known: {', '.join(SECTIONS)}."
        )
    start = time.perf_counter()
    print(machine(), flush=True)
    for name in names:
        began = time.perf_counter()
        text = SECTIONS[name]()
        print(f"\n{text}\n({name}: {time.perf_counter() - began:.0f} s)", flush=True)
    print(f"\nall benchmarks: {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
