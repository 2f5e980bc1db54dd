"""A proxy in front of the test IMAP server (tests/mailserver.py) that stops answering on cue.

`MailProxy(server, faults)` listens on 127.0.0.1 with implicit TLS (the test CA's certificate
for 127.0.0.1, so a client trusting `server.ca_file` accepts it) and passes each connection on
to the server's implicit-TLS listener. It sees the IMAP session in clear, so it knows when the
session is established: logged in, the folder open, and the client's first SEARCH sent. From
then on the n-th connection (counted from 1) does what `faults[n - 1]` says ("pass" beyond
the list):

- "pass": the server's answers as they come;
- "stall": nothing more reaches the client (a silent server), nor the server: the SEARCH and
  what follows are held until `release()`, so that their answers then say what the mailbox
  holds at that moment;
- "drip": one byte of the server's answers every `interval` seconds.

`release()` lets every connection through from then on. `held` is set once a connection has
begun to stall or drip; `open_connections()` counts the connections the client
has not closed. It runs its own event loop in a thread; `close()` ends every connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import threading
from collections.abc import Coroutine, Sequence
from types import TracebackType
from typing import Any

from mailserver import MailServer

Fault = str  # "pass", "stall" or "drip"


class MailProxy:
    """See the module docstring."""

    def __init__(
        self, server: MailServer, faults: Sequence[Fault] = (), *, interval: float = 5.0
    ) -> None:
        self.server = server
        self.faults = list(faults)
        self.interval = interval
        self.held = threading.Event()
        self.connections = 0
        self._open = 0
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._tasks: set[asyncio.Task[None]] = set()
        self.port: int = self._call(self._start())

    def _call(self, coroutine: Coroutine[Any, Any, int]) -> int:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    async def _start(self) -> int:
        folder = self.server.ca_file.parent
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(folder / "server.pem", folder / "server.key")
        self._released = asyncio.Event()
        self._listener = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=context)
        port: int = self._listener.sockets[0].getsockname()[1]
        return port

    def open_connections(self) -> int:
        """Connections the client has not closed yet."""
        with self._lock:
            return self._open

    def release(self) -> None:
        """From now on every answer goes through as it comes."""
        self._loop.call_soon_threadsafe(self._released.set)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        with self._lock:
            self.connections += 1
            self._open += 1
            number = self.connections
        fault = self.faults[number - 1] if number <= len(self.faults) else "pass"
        upstream_reader, upstream_writer = await asyncio.open_connection(
            "127.0.0.1",
            self.server.tls,
            ssl=ssl.create_default_context(cafile=str(self.server.ca_file)),
        )
        established = asyncio.Event()
        answers = asyncio.ensure_future(self._answers(upstream_reader, writer, fault, established))
        held: list[bytes] = []  # what the client said while the server is silent ("stall")
        stalled = False
        releasing: asyncio.Future[None] | None = None

        async def release_held() -> None:
            nonlocal stalled
            await self._released.wait()
            for chunk in held:
                upstream_writer.write(chunk)
            held.clear()
            stalled = False
            await upstream_writer.drain()

        try:
            while chunk := await reader.read(65536):
                if b" SEARCH " in chunk.upper() and not established.is_set():
                    established.set()  # before the SEARCH goes on: its answer is the first held
                    if fault != "pass":
                        self.held.set()
                    if fault == "stall" and not self._released.is_set():
                        # Silent: the server does not even hear it until the release (the
                        # answer then says what the mailbox holds at that moment).
                        stalled = True
                        releasing = asyncio.ensure_future(release_held())
                if stalled:
                    held.append(chunk)
                    continue
                upstream_writer.write(chunk)
                await upstream_writer.drain()
        except (ConnectionError, ssl.SSLError):
            pass
        finally:
            with self._lock:
                self._open -= 1
            answers.cancel()
            if releasing is not None:
                releasing.cancel()
            for stream in (upstream_writer, writer):
                stream.close()
            self._tasks.discard(task)

    async def _answers(
        self,
        upstream: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        fault: Fault,
        established: asyncio.Event,
    ) -> None:
        with contextlib.suppress(ConnectionError, ssl.SSLError):
            while chunk := await upstream.read(65536):
                while chunk and established.is_set() and fault != "pass":
                    if self._released.is_set():
                        break
                    if fault == "stall":
                        await self._released.wait()
                        break
                    with contextlib.suppress(TimeoutError):  # "drip": a byte, now and then
                        await asyncio.wait_for(self._released.wait(), self.interval)
                    if not self._released.is_set():
                        writer.write(chunk[:1])
                        await writer.drain()
                        chunk = chunk[1:]
                if chunk:
                    writer.write(chunk)
                    await writer.drain()

    def close(self) -> None:
        """End every connection and the listener, then the loop."""

        async def stop() -> int:
            self._listener.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.sleep(0)
            return 0

        self._call(stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def __enter__(self) -> MailProxy:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
