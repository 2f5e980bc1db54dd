"""Run the real `assistant` command in a subprocess, as a user's shell would, or at a
pseudo-terminal, as a person at a desk sees it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pexpect

if TYPE_CHECKING:
    from assistant.replica import Replica

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


def spawn_assistant(
    command: str,
    portal: Replica,
    data: Path,
    env: dict[str, str] | None = None,
    *,
    timeout: int = 90,
    dimensions: tuple[int, int] = (60, 200),
) -> pexpect.spawn[str]:
    """`assistant COMMAND PROFILE --url … --headless --data-dir DATA` at a pseudo-terminal of
    `dimensions` (rows, columns), the lakeside profile, from the repository's root; `env` is
    added to this process's environment."""
    return pexpect.spawn(
        ASSISTANT,
        [command, PROFILE, "--url", portal.url, "--headless", "--data-dir", str(data)],
        cwd=str(ROOT),
        encoding="utf-8",
        timeout=timeout,
        dimensions=dimensions,
        env=None if env is None else {**os.environ, **env},
    )
