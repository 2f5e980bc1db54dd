"""Command line: a thin adapter that parses options, calls one core function, renders its result.

Every command lives in a module of its own here, and only the module of the command named is
imported (`COMMANDS`); a plain `validate` runs without typer at all (`validation`). Errors are
caught once, in `main`: the project's own errors become one line `Error: …` (redacted, and
printed literally: a value holding markup or control characters is shown, never obeyed) and
their exit code; anything else is a bug, shown with its traceback only under `--verbose`.
Whatever a command prints goes through the redactor: `main` puts it in front of stdout and
stderr for the whole run.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING

from assistant.errors import AssistantError, ExitCode
from assistant.log import redact, redacting
from assistant.terminal_text import literal

if TYPE_CHECKING:
    import typer

# Every command, in the order `assistant --help` lists them, and the module that registers it.
# A command line names one of them, and only that module is imported: typer, pydantic and the
# browser stack cost more to import than most commands take to run.
COMMANDS: dict[str, str] = {
    "plan": "plan",
    "batch": "batch",
    "check": "check",
    "demo": "demo",
    "doctor": "doctor",
    "due": "due",
    "fill": "fill",
    "history": "history",
    "learn": "learn",
    "receipt": "receipt",
    "replica": "replica",
    "report": "report",
    "schema": "schema",
    "settle": "settle",
    "validate": "validate",
    "mailbox": "mailbox",
    "map": "map",
}
_VERBOSE = frozenset({"-v", "--verbose"})  # the root's one option, besides --help


def _command_of(args: list[str]) -> tuple[str | None, bool, list[str]]:
    """(the command named, whether --verbose came before it, its own arguments); the command is
    None when the arguments do not start with a known one (help, a typo, no command)."""
    verbose = False
    for index, arg in enumerate(args):
        if arg in _VERBOSE:
            verbose = True
            continue
        if arg in COMMANDS:
            return arg, verbose, args[index + 1 :]
        break
    return None, verbose, []


def load_commands(*names: str) -> typer.Typer:
    """The typer application with these commands registered (every command when none are
    named), listed in `COMMANDS` order whatever order their modules were imported in."""
    from assistant.cli.app import app

    for name in names or tuple(COMMANDS):
        importlib.import_module(f"{__name__}.{COMMANDS[name]}")
    # Command modules import each other (fill imports batch and plan): keep the help's order.
    order = [f"{__name__}.{module}" for module in COMMANDS.values()]
    app.registered_commands.sort(key=lambda info: order.index(info.callback.__module__))
    # Groups of commands (`mailbox`, `map`) too: typer lists them after the plain commands, in
    # the order they were added, which a test that imported one first would change.
    commands = list(COMMANDS)
    app.registered_groups.sort(key=lambda info: commands.index(str(info.name)))
    return app


def _run(argv: list[str] | None) -> None:
    """Parse the command line and run the command it names; exits (SystemExit) with its code."""
    args = sys.argv[1:] if argv is None else argv
    command, verbose, rest = _command_of(args)
    if command == "validate":
        from assistant.cli import validation

        plain = validation.parse(rest)
        if plain is not None:  # the common case, without the CLI framework (see validation)
            from assistant import log

            log.setup(verbose=verbose)
            sys.exit(validation.run_as_command(plain[0], as_json=plain[1]))
    app = load_commands(*([command] if command else []))
    app(args=argv, prog_name="assistant", standalone_mode=True)


def main(argv: list[str] | None = None) -> None:
    """Run the `assistant` command and exit with its code. Everything it prints to stdout and
    stderr passes through the redactor (`assistant.log.RedactingStream`) on its way."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = redacting(sys.stdout), redacting(sys.stderr)
    try:
        _main(argv)
    finally:
        sys.stdout, sys.stderr = saved


def _main(argv: list[str] | None) -> None:
    try:
        _run(argv)
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
