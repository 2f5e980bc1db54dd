"""Counting the Playwright calls (browser round trips) a contestant makes, by method.

The count explains a ratio: every call is one message to the driver and back. It patches a
private Playwright method, so it is used only in one extra, untimed run per contestant, and
when Playwright's internals change it reports "unavailable" instead of failing the benchmarks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


class CallCounter:
    """Counts calls while `active` (switch it with `start()` / `stop()`)."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.active = False

    def start(self) -> None:
        """Count from now on."""
        self.active = True

    def stop(self) -> None:
        """Stop counting (the counts stay)."""
        self.active = False

    def note(self, method: str) -> None:
        """One call of `method` (ignored unless active; waits' bookkeeping is not a call)."""
        if self.active and method != "__waitInfo__":
            self.calls[method] += 1

    def summary(self, top: int = 6) -> str:
        """ "120 calls: queryCount 33, fill 29, …" """
        total = sum(self.calls.values())
        parts = ", ".join(f"{name} {n}" for name, n in self.calls.most_common(top))
        return f"{total} calls: {parts}"


@contextmanager
def counting(counter: CallCounter) -> Iterator[bool]:
    """Route every Playwright call through `counter` inside the block; yields False (and
    counts nothing) when this Playwright version has no hook to patch."""
    try:
        from playwright._impl import connection
    except ImportError:
        yield False
        return
    original: Callable[..., Any] | None = getattr(
        connection.Connection, "send_message_to_server", None
    )
    if original is None:
        yield False
        return
    hook: Callable[..., Any] = original

    def send(self: Any, obj: Any, method: str, *args: Any, **kwargs: Any) -> Any:
        counter.note(method)
        return hook(self, obj, method, *args, **kwargs)

    setattr(connection.Connection, "send_message_to_server", send)  # noqa: B010
    try:
        yield True
    finally:
        setattr(connection.Connection, "send_message_to_server", hook)  # noqa: B010
