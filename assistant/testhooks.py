"""TEST-ONLY crash points: `ASSISTANT_TEST_CRASH_AT=<name>` kills the process at `<name>`.

The crash tests run the real `assistant` command and need it to die (SIGKILL, no clean-up) at
exact moments: while filling, at the review, after the confirmation, after the intent, after
the click, inside a journal write. `crashpoint(name)` does nothing unless the variable names
that point; it can only kill the process, never skip or answer a confirmation.
"""

from __future__ import annotations

import os
import signal

TEST_CRASH_VARIABLE = "ASSISTANT_TEST_CRASH_AT"
CRASH_POINTS = (
    "filling",
    "review",
    "confirmed",
    "after-intent",
    "after-click",
    "journal-write-intent",
)


def crashpoint(name: str) -> None:
    """Test-only: kill this process with SIGKILL when `$ASSISTANT_TEST_CRASH_AT` equals `name`."""
    if os.environ.get(TEST_CRASH_VARIABLE) == name:
        os.kill(os.getpid(), signal.SIGKILL)
