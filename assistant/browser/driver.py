"""Playwright's driver at arm's length: its error classes for callers that must not import it,
and the driver started in a process session of its own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def driver_in_own_session() -> Iterator[None]:
    """Start Playwright's driver (and so Chromium) in a session of its own.

    Ctrl-C at a terminal signals the whole foreground process group: the driver died with
    the assistant's own KeyboardInterrupt, so a person stopping at the confirmation prompt got
    "Connection closed while reading from the driver" instead of a clean "not confirmed". In
    its own session only the assistant hears Ctrl-C, and closes the browser itself. The driver
    still exits when the assistant dies (its stdin closes).
    """
    import asyncio

    original = asyncio.create_subprocess_exec

    async def spawn(*args: Any, **kwargs: Any) -> asyncio.subprocess.Process:
        if os.name == "posix":
            kwargs.setdefault("start_new_session", True)
        return await original(*args, **kwargs)

    asyncio.create_subprocess_exec = spawn
    try:
        yield
    finally:
        asyncio.create_subprocess_exec = original


def playwright_errors() -> tuple[type[Exception], type[Exception]]:
    """Playwright's (Error, TimeoutError) classes, for callers that must not import it."""
    from playwright.sync_api import Error, TimeoutError

    return Error, TimeoutError
