"""A person at a terminal running the real `assistant` command: the one way the tests run it in a
pseudo-terminal. They read what it shows, type lines, answer its questions, press Ctrl-C or
Ctrl-D, and see how it ended.

    with Person("fill", PROFILE, "--url", portal.url, "--headless", data=data) as person:
        person.expect("Type the 5-digit code: ")
        person.type(portal.latest_code(EMAIL))  # (mailed when the prompt shows: not before)
        person.answer("anything else to stop: ", "submit")
        assert person.wait() == ExitCode.OK, person.screen

What is shown is read with `expect` (a regular expression; the match is returned) and kept:
`screen` is everything shown so far, `before` what showed between the two last matches (after
`wait()`, what showed after the last one). Line ends are the terminal's `\\r\\n` turned into
`\\n`. Without a tty at all, `clirun.run_assistant` runs the command.
"""

from __future__ import annotations

import io
import os
import re
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pexpect
from clirun import ASSISTANT, PROFILE, ROOT

if TYPE_CHECKING:
    from assistant.replica import Replica

# In `first_of`: the command ended (its terminal closed) before any of the other patterns showed.
EOF = pexpect.EOF
# What a wait may be for: a regular expression, the end of the output, the time-out (the
# union pexpect's `expect` takes, so that a list of them is one it takes).
Wanted = str | bytes | re.Pattern[str] | re.Pattern[bytes] | type[pexpect.EOF | pexpect.TIMEOUT]
SIZE = (50, 200)  # (rows, columns) of the terminal window, unless a test says otherwise


class Person:
    """`assistant ARGS` at a pseudo-terminal `size` (rows, columns) wide, from `cwd`.

    `data` adds `--data-dir DATA`. The environment is this process's, without `COLUMNS` and
    `LINES` (the window's size is the terminal's), with `env` added. `prefix` runs the command
    through a wrapper (e.g. `setpriv …`); `stdout` sends its standard output to that file, as
    `> FILE` in a shell does, while the terminal stays its input. Every wait for the screen
    gives up after `timeout` seconds, failing with what was shown. `program` is what runs in
    place of the `assistant` script, ARGS after it (e.g. `python -c …` calling the command
    line's `main` several times in one process).
    """

    def __init__(
        self,
        *args: str,
        data: Path | None = None,
        env: Mapping[str, str] | None = None,
        size: tuple[int, int] = SIZE,
        timeout: float = 90,
        cwd: Path = ROOT,
        prefix: Sequence[str] = (),
        stdout: Path | None = None,
        program: Sequence[str] = (ASSISTANT,),
    ) -> None:
        command = [*prefix, *program, *args]
        if data is not None:
            command += ["--data-dir", str(data)]
        if stdout is not None:
            command = ["bash", "-c", f"exec {shlex.join(command)} > {shlex.quote(str(stdout))}"]
        environ = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        self._shown = io.StringIO()
        self._child = pexpect.spawn(
            command[0],
            command[1:],
            cwd=str(cwd),
            encoding="utf-8",
            timeout=timeout,
            dimensions=size,
            env={**environ, **(env or {})},
        )
        self._child.logfile_read = self._shown

    @classmethod
    def practice(
        cls,
        command: str,
        portal: Replica,
        data: Path,
        *more: str,
        profile: str = PROFILE,
        env: Mapping[str, str] | None = None,
        size: tuple[int, int] = SIZE,
        timeout: float = 90,
    ) -> Person:
        """`assistant COMMAND PROFILE --url REPLICA --headless --data-dir DATA MORE` (the
        lakeside profile unless `profile` says otherwise), as a practice run on `portal`."""
        args = [command, profile, "--url", portal.url, "--headless", *more]
        return cls(*args, data=data, env=env, size=size, timeout=timeout)

    # -- what the person sees ------------------------------------------------------------------

    def expect(self, pattern: str, timeout: float | None = None) -> re.Match[str]:
        """Wait until `pattern` (a regular expression) shows; its match."""
        self._wait_for([pattern], timeout)
        match = self._child.match
        assert isinstance(match, re.Match)
        return match

    def first_of(self, *patterns: Wanted, timeout: float | None = None) -> int:
        """Wait until one of `patterns` shows (`EOF`: the command ended); the index of the one
        that showed first. Its match, if a pattern, is `last_match`."""
        return self._wait_for(list(patterns), timeout)

    @property
    def last_match(self) -> re.Match[str]:
        """The match of the last `expect` or `first_of`."""
        match = self._child.match
        assert isinstance(match, re.Match), "the last wait ended at the end of the output"
        return match

    @property
    def screen(self) -> str:
        """Everything shown so far, from the first byte (the echo of what was typed too)."""
        return self._shown.getvalue().replace("\r\n", "\n")

    @property
    def before(self) -> str:
        """What showed between the two last matches (after `wait()`, after the last one)."""
        return str(self._child.before).replace("\r\n", "\n")

    @property
    def after(self) -> str:
        """The text the last `expect` matched."""
        return str(self._child.after).replace("\r\n", "\n")

    def keeps_waiting(self, seconds: float) -> None:
        """The command is still running `seconds` from now (whatever it shows meanwhile); fails
        if it ends before."""
        self._wait_for([pexpect.TIMEOUT], seconds)

    # -- what the person does ------------------------------------------------------------------

    def type(self, *lines: str) -> None:
        """Type each line and Enter, at once, whatever the screen shows: what is typed before
        a question is asked waits in the terminal until the command reads it."""
        self._child.send("".join(f"{line}\n" for line in lines))

    def answer(self, prompt: str, line: str) -> re.Match[str]:
        """Wait until `prompt` (a regular expression) shows, then type `line`; its match.
        (`line` is known before the prompt shows: for a code mailed meanwhile, `expect` the
        prompt, then `type` the code.)"""
        match = self.expect(prompt)
        self.type(line)
        return match

    def ctrl_c(self) -> None:
        """Press Ctrl-C: the terminal interrupts the command (SIGINT)."""
        self._child.sendintr()

    def ctrl_d(self) -> None:
        """Press Ctrl-D: at the start of a line the command reads the end of its input."""
        self._child.sendeof()

    # -- how it ended --------------------------------------------------------------------------

    def wait(self) -> int | None:
        """Wait until the command ends: its exit status (None when a signal ended it: see
        `signal`). `before` is then what it showed after the last match."""
        self._wait_for([pexpect.EOF], None)
        self.close()
        return self._child.exitstatus

    @property
    def status(self) -> int | None:
        """The exit status, once `wait()` or `close()` saw the command end."""
        return self._child.exitstatus

    @property
    def signal(self) -> int | None:
        """The signal that ended the command, if one did."""
        return self._child.signalstatus

    @property
    def pid(self) -> int | None:
        """The command's process id."""
        return self._child.pid

    def close(self) -> None:
        """Close the terminal; a command still running is ended (SIGHUP, then harder)."""
        self._child.close()

    def __enter__(self) -> Person:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _wait_for(self, patterns: list[Wanted], timeout: float | None) -> int:
        """Wait for the first of `patterns`; fail with the screen when the command ends first
        (unless EOF is one of them) or nothing matches within the time-out."""
        try:
            return self._child.expect(patterns, timeout=-1 if timeout is None else timeout)
        except pexpect.EOF:
            why = "the command ended"
        except pexpect.TIMEOUT:
            why = f"nothing matched within {timeout or self._child.timeout:g} s"
        wanted = " or ".join(repr(p) for p in patterns)
        raise AssertionError(f"waited for {wanted}: {why}. The screen:\n{self.screen}")
