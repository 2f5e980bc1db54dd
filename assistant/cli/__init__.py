"""Command line: a thin adapter that parses options, calls one core function, renders its result.

Every command lives in a module of its own here. Errors are caught once, in `main`: the
project's own errors become one line `Error: …` (redacted, and printed literally: a value
holding markup or control characters is shown, never obeyed) and their exit code; anything
else is a bug, shown with its traceback only under `--verbose`.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

from assistant.cli.app import app
from assistant.errors import AssistantError, ExitCode
from assistant.log import redact
from assistant.terminal_text import literal


def _register_commands() -> None:
    """Import every command module of this package; each registers itself on `app`.

    Command modules import heavy libraries (Playwright above all) inside their functions, so
    that `assistant validate` starts fast and never loads a browser driver.
    """
    for module in pkgutil.iter_modules(__path__):
        if module.name != "app":
            importlib.import_module(f"{__name__}.{module.name}")


_register_commands()


def main(argv: list[str] | None = None) -> None:
    """Run the `assistant` command and exit with its code."""
    try:
        app(args=argv, prog_name="assistant", standalone_mode=True)
    except AssistantError as error:
        print(f"Error: {literal(redact(str(error)), newlines=True)}", file=sys.stderr)
        sys.exit(int(error.exit_code))
    except KeyboardInterrupt:
        # At a terminal, after the `^C` it echoed, on a line of its own.
        new_line = "\n" if sys.stderr.isatty() else ""
        print(f"{new_line}Stopped by Ctrl-C; nothing more was done.", file=sys.stderr)
        sys.exit(int(ExitCode.NOT_CONFIRMED))
    except Exception as error:  # a bug: one redacted line; the traceback in the run log
        from assistant.log import get_logger

        get_logger("cli").debug("Unexpected error", exc_info=True)
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        print(
            f"Error: unexpected {type(error).__name__}: {literal(redact(first)[:300])} "
            "(a bug; run again with --verbose for the details)",
            file=sys.stderr,
        )
        sys.exit(int(ExitCode.INVALID))
