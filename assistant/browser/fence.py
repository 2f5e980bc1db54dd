"""The network fence: a SOCKS5 proxy on 127.0.0.1, one per browser context, through which the
context reaches the network at all.

The request guard (`assistant.browser.request_guard`) decides every request Playwright's routing
shows it. Some requests never reach routing: those a page sends while it is being closed (beacons,
keepalive fetches, plain fetches in `pagehide` and `visibilitychange`), and channels that are not
HTTP requests (WebRTC's TURN over TCP). Chromium still sends all of them through the context's
proxy, so the fence sees each connection before a byte of it leaves the machine:

- while **open**, it connects only to the portal's hosts (`allowed`); any other destination is
  refused and noted (`refused`);
- once **shut** (the context's decision is made: declined, stopped, failed, done), it cuts
  every connection it carries and refuses every new one, noting the attempts (`quiet`).

It relays bytes and never reads them (HTTPS stays end to end). Chromium is launched with
`--webrtc-ip-handling-policy=disable_non_proxied_udp`, so WebRTC can only use the proxy, and a
SOCKS5 proxy carries no UDP (`assistant.browser.launch.launch_args`).
"""

from __future__ import annotations

import errno
import select
import socket
import struct
import threading
import time
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass

from assistant import hosts
from assistant.log import get_logger

log = get_logger(__name__)

_CONNECT_TIMEOUT_S = 15.0
_SLICE_S = 0.25  # how often a relay looks at whether the fence was shut
_HANDSHAKE_TIMEOUT_S = 10.0

# SOCKS5 (RFC 1928) replies.
_OK = 0x00
_FAILURE = 0x01
_NOT_ALLOWED = 0x02
_NETWORK_UNREACHABLE = 0x03
_HOST_UNREACHABLE = 0x04
_REFUSED = 0x05
_COMMAND_NOT_SUPPORTED = 0x07


def normal_host(host: str) -> str:
    """A host name as the fence and the guard compare it: its one form (`hosts.normal_name`:
    lower case, no trailing dot, IDNA, an IP address canonical, no brackets); a name that has
    none is compared as written, lower case (it matches no portal host)."""
    try:
        return hosts.normal_name(host.strip())
    except hosts.InvalidHost:
        return host.strip().lower()


@dataclass(frozen=True, slots=True)
class HostList:
    """The places a context may reach: a host alone (any port: a map's own hosts), or a host
    and a port ("127.0.0.1:8765", a `--url` run: nothing else on that machine)."""

    entries: frozenset[tuple[str, int | None]]

    @classmethod
    def of(cls, allowed: Iterable[str]) -> HostList:
        """From "host", "host:port" or "[v6]:port" entries."""
        return cls(frozenset(_entry(e) for e in allowed if e.strip()))

    def allows(self, host: str, port: int | None) -> bool:
        """Whether `host` (any spelling) on `port` is one of the places."""
        name = normal_host(host)
        return (name, None) in self.entries or (port is not None and (name, port) in self.entries)

    def names(self) -> frozenset[str]:
        """The hosts, without ports."""
        return frozenset(name for name, _ in self.entries)


def _entry(entry: str) -> tuple[str, int | None]:
    text = entry.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    elif text.count(":") == 1:
        host, _, port = text.partition(":")
    else:
        host, port = text, ""
    return normal_host(host), int(port) if port.isdigit() else None


@dataclass(frozen=True, slots=True)
class Attempt:
    """A connection the fence refused: where to, and whether the fence was already shut."""

    host: str
    port: int
    after_shut: bool

    def where(self) -> str:
        """ "127.0.0.3:3478" """
        return f"{self.host}:{self.port}"


class NetworkFence:
    """See the module docstring. `proxy` is what a browser context is given."""

    def __init__(self, allowed: Iterable[str]) -> None:
        self.allowed = HostList.of(allowed)
        self.refused: list[Attempt] = []
        self._shut = False
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._changed = threading.Condition(self._lock)
        self._last_attempt = 0.0
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.port = int(self._listener.getsockname()[1])
        self._thread = threading.Thread(target=self._serve, name="network-fence", daemon=True)
        self._thread.start()

    @property
    def proxy(self) -> dict[str, str]:
        """Playwright's `proxy` option for a context that must go through the fence. Chromium
        sends loopback addresses past a proxy unless told not to (`<-loopback>`)."""
        return {"server": f"socks5://127.0.0.1:{self.port}", "bypass": "<-loopback>"}

    @property
    def is_shut(self) -> bool:
        """Whether the fence lets nothing through any more."""
        return self._shut

    def shut(self) -> None:
        """Let nothing through from now on: every connection is cut, every new one refused."""
        with self._lock:
            self._shut = True
            carried, self._open = self._open, set()
        for sock in carried:
            _close(sock)

    def quiet(self, quiet_s: float = 0.05, max_s: float = 0.5) -> list[Attempt]:
        """After the context was closed: wait until no connection was attempted for
        `quiet_s` (at most `max_s`), and return the attempts refused after the fence was shut.
        A page's farewell requests reach the network stack as its page closes; this is how long
        the fence listens for them before saying what they were."""
        deadline = time.monotonic() + max_s
        with self._lock:
            while True:
                now = time.monotonic()
                since = now - self._last_attempt
                if since >= quiet_s or now >= deadline:
                    break
                self._changed.wait(min(quiet_s - since, deadline - now))
            return [a for a in self.refused if a.after_shut and a.host in self.allowed.names()]

    def stop(self) -> None:
        """Shut, and stop listening (the port is given back)."""
        self.shut()
        _close(self._listener)

    # -- the proxy -------------------------------------------------------------------------

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # stopped
            threading.Thread(
                target=self._handle, args=(client,), name="network-fence-relay", daemon=True
            ).start()

    def _handle(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        try:
            client.settimeout(_HANDSHAKE_TIMEOUT_S)
            host, port, command = _handshake(client)
            with self._lock:
                self._last_attempt = time.monotonic()
                self._changed.notify_all()
                shut = self._shut
                allowed = command == 1 and not shut and self.allowed.allows(host, port)
                if not allowed:
                    self.refused.append(Attempt(normal_host(host), port, shut))
            if not allowed:
                # Chromium's own services (autofill, safe browsing) come this way too: noted,
                # not shouted (what a page tries is told through the guard and the page).
                log.info("The network fence refused a connection to %s:%d.", host, port)
                _reply(client, _COMMAND_NOT_SUPPORTED if command != 1 else _NOT_ALLOWED)
                return
            try:
                upstream = socket.create_connection((host, port), timeout=_CONNECT_TIMEOUT_S)
            except OSError as error:
                # Said as the host said it, so the browser reports a refused connection (a
                # server that went away) as refused, not as a broken proxy.
                _reply(client, _socks_error(error))
                return
            with self._lock:
                if self._shut:  # shut while connecting
                    self.refused.append(Attempt(normal_host(host), port, True))
                    _reply(client, _NOT_ALLOWED)
                    return
                self._open |= {client, upstream}
            _reply(client, _OK)
            client.settimeout(None)
            upstream.settimeout(None)
            self._relay(client, upstream)
        except (OSError, ValueError):
            pass
        finally:
            with self._lock:
                self._open.discard(client)
                if upstream is not None:
                    self._open.discard(upstream)
            _close(client)
            if upstream is not None:
                _close(upstream)

    def _relay(self, client: socket.socket, upstream: socket.socket) -> None:
        ends = [client, upstream]
        while not self._shut:
            ready, _, _ = select.select(ends, [], [], _SLICE_S)
            for end in ready:
                data = end.recv(65536)
                if not data:
                    return
                if self._shut:
                    return
                (upstream if end is client else client).sendall(data)


def _read(sock: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise ValueError("the client went away during the handshake")
        data += chunk
    return data


def _handshake(client: socket.socket) -> tuple[str, int, int]:
    """The SOCKS5 greeting (no authentication) and request: (host, port, command)."""
    version, methods = _read(client, 2)
    if version != 5:
        raise ValueError("not SOCKS5")
    _read(client, methods)
    client.sendall(b"\x05\x00")
    version, command, _, address_type = _read(client, 4)
    if address_type == 1:
        host = socket.inet_ntop(socket.AF_INET, _read(client, 4))
    elif address_type == 3:
        host = _read(client, _read(client, 1)[0]).decode("ascii")
    elif address_type == 4:
        host = socket.inet_ntop(socket.AF_INET6, _read(client, 16))
    else:
        raise ValueError("unknown address type")
    (port,) = struct.unpack(">H", _read(client, 2))
    return host, int(port), int(command)


def _socks_error(error: OSError) -> int:
    if isinstance(error, ConnectionRefusedError):
        return _REFUSED
    if isinstance(error, socket.gaierror) or error.errno == errno.EHOSTUNREACH:
        return _HOST_UNREACHABLE
    if error.errno == errno.ENETUNREACH:
        return _NETWORK_UNREACHABLE
    return _FAILURE


def _reply(client: socket.socket, code: int) -> None:
    with suppress(OSError):
        client.sendall(bytes([5, code, 0, 1, 0, 0, 0, 0, 0, 0]))


def _close(sock: socket.socket) -> None:
    with suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with suppress(OSError):
        sock.close()
