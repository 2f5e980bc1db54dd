"""Command line: a thin adapter that parses options, calls one core function, renders its result.

Every command lives in a module of its own here. Errors are caught once, in `main`: the
project's own errors become one line `Error: …` (redacted) and their exit code; anything else is
a bug, shown with its traceback only under `--verbose`.
"""

from __future__ import annotations

import sys

from assistant.cli import doctor as _doctor  # noqa: F401  (registers the command)
from assistant.cli.app import app
from assistant.errors import AssistantError, ExitCode
from assistant.log import redact


def main(argv: list[str] | None = None) -> None:
    """Run the `assistant` command and exit with its code."""
    try:
        app(args=argv, prog_name="assistant", standalone_mode=True)
    except AssistantError as error:
        print(f"Error: {redact(str(error))}", file=sys.stderr)
        sys.exit(int(error.exit_code))
    except KeyboardInterrupt:
        print("Interrupted; nothing more was done.", file=sys.stderr)
        sys.exit(int(ExitCode.NOT_CONFIRMED))
