"""A web site of a test's own: a request handler class served on a local address from a
background thread, quiet on stderr."""

from __future__ import annotations

import http.server
import threading
from typing import Any


class QuietHandler(http.server.BaseHTTPRequestHandler):
    """A handler that logs nothing (pytest shows stderr of a failing test)."""

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


def serve(
    handler: type[http.server.BaseHTTPRequestHandler], address: str = "127.0.0.1", port: int = 0
) -> http.server.ThreadingHTTPServer:
    """`handler` served at `address`:`port` (0: any free port) until `shutdown()`."""
    server = http.server.ThreadingHTTPServer((address, port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
