"""The network fence: the SOCKS5 proxy every guarded context reaches the network through,
spoken to directly (a socket, as Chromium speaks to it), then by Chromium itself."""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

import pytest
from localsite import QuietHandler, serve

from assistant.browser.fence import NetworkFence, normal_host

if TYPE_CHECKING:
    from playwright.sync_api import Browser


class _Site(QuietHandler):
    protocol_version = "HTTP/1.1"
    got: ClassVar[list[str]] = []
    page: ClassVar[bytes] = b"<!doctype html><title>ok</title>"

    def do_GET(self) -> None:
        self.got.append(f"GET {self.path}")
        self._answer(self.page)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.got.append(f"POST {self.path} {self.rfile.read(length).decode()}")
        self._answer(b"")

    def _answer(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def site() -> Iterator[int]:
    _Site.got = []
    server = serve(_Site)
    yield int(server.server_address[1])
    server.shutdown()


def connect(fence: NetworkFence, host: str, port: int) -> tuple[socket.socket, int]:
    """A SOCKS5 CONNECT through the fence, as Chromium makes it: (socket, reply code)."""
    sock = socket.create_connection(("127.0.0.1", fence.port), timeout=5)
    sock.sendall(b"\x05\x01\x00")
    assert sock.recv(2) == b"\x05\x00"
    name = host.encode()
    sock.sendall(b"\x05\x01\x00\x03" + bytes([len(name)]) + name + struct.pack(">H", port))
    reply = sock.recv(10)
    return sock, reply[1]


def test_only_the_portals_hosts_are_reached_and_nothing_once_shut(site: int) -> None:
    fence = NetworkFence(["LocalHost."])
    try:
        sock, code = connect(fence, "localhost", site)
        assert code == 0
        sock.sendall(b"GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert sock.recv(100).startswith(b"HTTP/1.1 200")
        sock.close()
        other, code = connect(fence, "127.0.0.1", site)  # the same server, another name
        assert code == 2  # not allowed
        other.close()
        open_one, code = connect(fence, "localhost", site)
        assert code == 0
        fence.shut()
        # The connection it carried is cut: what the browser sends on it goes nowhere.
        try:
            open_one.sendall(b"GET /late HTTP/1.1\r\nHost: x\r\n\r\n")
            answer = open_one.recv(100)
        except OSError:
            answer = b""
        assert answer == b""
        late, code = connect(fence, "localhost", site)
        assert code == 2
        late.close()
        assert [(a.host, a.after_shut) for a in fence.quiet(quiet_s=0.01)] == [("localhost", True)]
    finally:
        fence.stop()
    assert _Site.got == ["GET /a"]


def test_hosts_are_compared_as_hosts() -> None:
    assert normal_host("WWW.Example.COM.") == "www.example.com"
    assert normal_host("[::1]") == "::1"
    assert normal_host("bücher.example") == "xn--bcher-kva.example"


@pytest.mark.browser
@pytest.mark.parametrize("shut", [True, False])
def test_a_context_behind_its_fence_reaches_nothing_once_it_is_shut(
    browser: Browser, site: int, shut: bool
) -> None:
    """No routing at all here: what the fence alone lets through. (Requests a page sends as it
    is unloaded pass routing: tests/browser/test_channels.py shows them getting out without the page
    script; the fence is what still stops them.)"""
    fence = NetworkFence(["127.0.0.1"])
    context = browser.new_context(proxy=fence.proxy)  # type: ignore[arg-type]
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{site}/")
        if shut:
            fence.shut()
        sent = page.evaluate(
            "() => fetch('/late', {method: 'POST', body: '6195550100'})"
            ".then(() => 'answered', () => 'refused')"
        )
    finally:
        context.close()
        fence.stop()
    assert sent == ("refused" if shut else "answered")
    assert ("POST /late 6195550100" in _Site.got) is not shut
