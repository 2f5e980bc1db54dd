"""Run the real `assistant` command in a subprocess with no terminal, as CI or a script runs it.
At a pseudo-terminal, as a person at a desk sees it, it runs through `person.Person`."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASSISTANT = str(Path(sys.executable).parent / "assistant")
PROFILE = "profiles/lakeside-closures.yaml"


def run_assistant(
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    prefix: Sequence[str] = (),
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """`python -m assistant ARGS` with no input (as CI runs it), its output captured as text;
    never raises on exit codes. `prefix` runs it through a wrapper (e.g. `prlimit --as=…`)."""
    return subprocess.run(
        [*prefix, sys.executable, "-m", "assistant", *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=env,
        cwd=cwd,
    )
