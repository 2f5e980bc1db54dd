"""The replica portal's HTTP server and the `Replica` handle tests and the demo use.

Standard library only: a `ThreadingHTTPServer` on 127.0.0.1 in a background thread, so it
starts and stops in milliseconds.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from email.parser import BytesParser
from email.policy import HTTP
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from assistant.log import get_logger
from assistant.replica.accepted import Accepted
from assistant.replica.faults import FaultState
from assistant.replica.jsonlines import read_jsonl
from assistant.replica.maildrop import MailDrop
from assistant.replica.outbox import Outbox
from assistant.replica.pages import confirmation_page, message_page, notice_page, start_page
from assistant.replica.sister import FORMS
from assistant.replica.validation import EMAIL, code_message, validate
from assistant.replica.variants import HOSTILE, check_variants, names_for
from assistant.replica.widgets import PageContext

log = get_logger(__name__)

LAYOUTS = ("wizard", "classic")
START_PATHS = ("/fcr/", "/fcr/index.html")
MAX_BODY = 10 * 1024 * 1024
_STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}

Fields = dict[str, Any]


class Replica:
    """A local Free Caller Registry portal: `with Replica(...) as portal: portal.url`.

    `layout` is "wizard" (default) or "classic", the FCR's at /fcr/; the sister forms on the
    same engine are served beside it, the TRF at /trf/ and the VSF at /vsf/ (`url_for`), with
    the same outbox, faults and variants (where their place exists). `faults` names faults from
    `assistant.replica.faults.FAULTS` and `variants` variants from
    `assistant.replica.variants.VARIANTS` (unknown names raise ValueError). With `data_dir`,
    accepted submissions go durably to `submissions.jsonl` (and are read back at the next
    start) and mails to `outbox.jsonl`. `code_ttl` is how long a code stays valid (seconds),
    `hang_seconds` how long the `submit-hang` fault holds the answer. With `maildrop`, each code
    mail is also delivered into a real IMAP mailbox (`assistant.replica.maildrop`). The first
    `hostile_after` loads of the start page are served without the hostile variants
    (`variants.HOSTILE`): a batch's first submission then reaches its review, and the one
    prepared during it meets them.
    """

    def __init__(
        self,
        layout: str = "wizard",
        faults: Iterable[str] = (),
        data_dir: Path | str | None = None,
        port: int = 0,
        *,
        variants: Iterable[str] = (),
        code_ttl: float = 600.0,
        hang_seconds: float = 20.0,
        maildrop: MailDrop | None = None,
        hostile_after: int = 0,
    ) -> None:
        if layout not in LAYOUTS:
            raise ValueError(f"Unknown replica layout {layout!r}. Valid: {', '.join(LAYOUTS)}.")
        self.layout = layout
        self.faults = FaultState(faults)
        self.variants = check_variants(variants)
        self.hostile_after = hostile_after
        self._start_loads = 0
        self.names = names_for(self.variants, layout)
        self._drafts: list[dict[str, Any]] = []
        self.data_dir = Path(data_dir) if data_dir is not None else None
        self.hang_seconds = hang_seconds
        self.outbox_store = Outbox(code_ttl=code_ttl, data_dir=self.data_dir)
        self.maildrop = maildrop
        self.accepted = Accepted(data_dir=self.data_dir)
        if self.data_dir is not None:
            self.accepted.preload(read_jsonl(self.data_dir / "submissions.jsonl"))
        self._requested_port = port
        self._requests: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._port: int | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Replica:
        """Bind 127.0.0.1 and serve in a background thread; returns self."""
        self._stopping.clear()
        handler = type("BoundHandler", (_Handler,), {"replica": self})
        server = _QuietServer(("127.0.0.1", self._requested_port), handler)
        self._server = server
        self._port = int(server.server_address[1])
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port; a hanging submit answer is cut short."""
        self._stopping.set()
        if self.maildrop is not None:
            self.maildrop.stop()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None

    def __enter__(self) -> Replica:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- what tests read ---------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The TCP port the replica listens on."""
        if self._port is None:
            raise RuntimeError("The replica has not been started; call start() or use `with`.")
        return self._port

    @property
    def url(self) -> str:
        """The start page, e.g. http://127.0.0.1:8123/fcr/."""
        return f"http://127.0.0.1:{self.port}/fcr/"

    @property
    def origin(self) -> str:
        """http://127.0.0.1:<port>"""
        return f"http://127.0.0.1:{self.port}"

    def submissions(self) -> list[dict[str, Any]]:
        """Accepted submissions, oldest first: feedback_id, layout, received_at, fields."""
        return self.accepted.records()

    def outbox(self) -> list[dict[str, Any]]:
        """Every verification mail sent: to, from, code, subject, sent_at."""
        return self.outbox_store.mails()

    def latest_code(self, email: str) -> str:
        """The newest code sent to `email`; KeyError when none was."""
        return self.outbox_store.latest_code(email)

    def drafts(self) -> list[dict[str, Any]]:
        """What reached the draft endpoint (only the `self-post` fault's page script posts
        there; a filler must let none of it through)."""
        with self._lock:
            return list(self._drafts)

    def note_draft(self, fields: dict[str, Any]) -> None:
        """Remember one POST to the draft endpoint (the handler calls this)."""
        with self._lock:
            self._drafts.append(fields)

    def requests(self) -> list[tuple[str, str]]:
        """(method, path) of every request received, in order."""
        with self._lock:
            return list(self._requests)

    def submit_attempts(self) -> int:
        """How many POSTs reached the submit endpoint, accepted or not."""
        return self.accepted.attempts

    def note_request(self, method: str, path: str) -> None:
        """Remember one request (the handler calls this)."""
        with self._lock:
            self._requests.append((method, path))

    def context(self, **kwargs: Any) -> PageContext:
        """A page context for this replica's layout (or `layout=`: a sister form), faults and
        variants."""
        kwargs.setdefault("variants", self.variants)
        kwargs.setdefault("layout", self.layout)
        return PageContext(faults=self.faults, port=self.port, **kwargs)

    def url_for(self, form: str) -> str:
        """The start page of `form`: "fcr" (the FCR in this replica's layout), or one of the
        sister forms on the same engine, "trf" or "vsf" (e.g. http://127.0.0.1:8123/trf/)."""
        if form not in ("fcr", *FORMS):
            raise ValueError(f"Unknown form {form!r}. Valid: fcr, {', '.join(FORMS)}.")
        return f"{self.origin}/{form}/"

    def form_of(self, path: str) -> str | None:
        """The sister form ("trf", "vsf") whose submit endpoint `path` is, or None."""
        for form in FORMS:
            if path == names_for(self.variants, form).submit_path:
                return form
        return None

    def wait_stopping(self, seconds: float) -> bool:
        """Sleep up to `seconds`; True when cut short because the replica is stopping."""
        return self._stopping.wait(seconds)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (a timeout under submit-hang) is expected, not a traceback.
        log.debug("replica: connection from %s ended early", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    replica: Replica
    server_version = "FCR-Replica/1.0"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("replica: " + format, *args)

    # -- plumbing ----------------------------------------------------------------------------

    def _send(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _html(self, status: int, text: str) -> None:
        self._send(status, text.encode("utf-8"), "text/html; charset=utf-8")

    def _json(self, status: int, value: Any) -> None:
        body = json.dumps(value, ensure_ascii=False, indent=1).encode("utf-8")
        self._send(status, body, "application/json; charset=utf-8")

    def _redirect(self, location: str) -> None:
        self._send(HTTPStatus.FOUND, b"", "text/plain", Location=location)

    def _message(self, status: int, title: str, message: str) -> None:
        r = self.replica
        self._html(
            status, message_page(r.layout, r.port, status=status, title=title, message=message)
        )

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(min(length, MAX_BODY))

    def _form(self) -> Fields:
        """The POSTed fields: urlencoded, multipart (file fields keep their file name) or JSON."""
        body = self._read_body()
        ctype = self.headers.get("Content-Type", "")
        if ctype.startswith("application/json"):
            try:
                value = json.loads(body or b"{}")
            except ValueError:
                return {}
            return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}
        if ctype.startswith("multipart/form-data"):
            return _parse_multipart(ctype, body)
        parsed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        return {k: v[0] if len(v) == 1 else v for k, v in parsed.items()}

    # -- routes ------------------------------------------------------------------------------

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        r = self.replica
        r.note_request(self.command, self.path)
        path = urlsplit(self.path).path
        form = path.strip("/").split("/")[0]
        if path in ("/", "/fcr"):
            self._redirect("/fcr/")
        elif path in START_PATHS:
            self._start_page()
        elif form in FORMS and path in (f"/{form}", f"/{form}/", f"/{form}/index.html"):
            if path == f"/{form}":
                self._redirect(f"/{form}/")
            else:
                self._start_page(form)
        elif r.form_of(path):
            self._redirect(f"/{r.form_of(path)}/")
        elif path.startswith("/fcr/static/"):
            self._static(path.removeprefix("/fcr/static/"))
        elif path == r.names.submit_path:
            self._redirect("/fcr/")
        elif path == "/__replica/outbox":
            self._json(200, r.outbox())
        elif path == "/__replica/submissions":
            self._json(200, r.submissions())
        elif path == "/__replica/drafts":
            self._json(200, r.drafts())
        elif path == "/favicon.ico":
            self._send(HTTPStatus.NO_CONTENT, b"", "image/x-icon")
        else:
            self._message(404, "Page not found", "There is no page at this address.")

    def do_POST(self) -> None:
        r = self.replica
        r.note_request(self.command, self.path)
        path = urlsplit(self.path).path
        if path in ("/fcr/api/send-code", *(f"/{f}/api/send-code" for f in FORMS)):
            self._send_code()
        elif path == "/fcr/api/verify-code":
            self._verify_code()
        elif path == r.names.submit_path:
            self._submit()
        elif r.form_of(path):
            self._submit(r.form_of(path))
        elif path == "/fcr/api/draft":
            r.note_draft(self._form())
            self._json(200, {"ok": True})
        else:
            self._read_body()
            self._message(404, "Page not found", "There is no page at this address.")

    def _start_page(self, form: str | None = None) -> None:
        r = self.replica
        if r.faults.fire("first-load-fails"):
            # A 502, not a dropped connection: Chromium silently retries a GET whose connection
            # closes without a byte, so the failure would never show.
            self._message(
                502, "Bad gateway", "The registry could not load this page. Please reload the page."
            )
            return
        if r.faults.fire("503-twice"):
            self._message(
                503,
                "Service temporarily unavailable",
                "The registry is busy right now. Please reload the page in a moment.",
            )
            return
        with r._lock:
            r._start_loads += 1
            calm = r._start_loads <= r.hostile_after
        variants = r.variants - HOSTILE if calm else r.variants
        self._html(200, start_page(r.context(variants=variants, layout=form or r.layout)))

    def _static(self, name: str) -> None:
        folder = resources.files("assistant.replica").joinpath("static")
        suffix = Path(name).suffix
        if "/" in name or suffix not in _STATIC_TYPES or not folder.joinpath(name).is_file():
            self._message(404, "Page not found", "There is no page at this address.")
            return
        self._send(200, folder.joinpath(name).read_bytes(), _STATIC_TYPES[suffix])

    def _send_code(self) -> None:
        r = self.replica
        email = str(self._form().get("email", "")).strip()
        if r.faults.fire("send-code-503"):
            self._json(
                503,
                {
                    "ok": False,
                    "error": f"We could not send the code to {email} right now. Please try again.",
                },
            )
            return
        if not EMAIL.match(email):
            self._json(400, {"ok": False, "error": "Enter a valid email address."})
            return
        mail = r.outbox_store.send_code(email)
        if r.maildrop is not None:
            r.maildrop.deliver(mail)
        self._json(200, {"ok": True, "message": f"A 5-digit code was sent to {email}."})

    def _verify_code(self) -> None:
        r = self.replica
        form = self._form()
        email = str(form.get("email", "")).strip()
        result = r.outbox_store.check(email, str(form.get("code", "")))
        if not result.ok:
            self._json(
                400, {"ok": False, "reason": result.reason, "error": code_message(result.reason)}
            )
            return
        self._json(200, {"ok": True, "token": r.outbox_store.issue_token(email)})

    def _submit(self, form: str | None = None) -> None:
        r = self.replica
        layout = form or r.layout
        r.accepted.count_attempt()
        fields = self._form()
        if r.faults.on("submit-400"):
            self._html(400, "<!doctype html><title>Bad request</title><p>Bad request.</p>")
            return
        if r.faults.on("submit-500"):
            self._message(
                500,
                "Something went wrong",
                "An unexpected error occurred and your registration was not saved.",
            )
            return
        # A variant's own field names are the portal's business; the checks and the record use
        # the names the facts give, so that every variant is compared alike.
        aliases = names_for(r.variants, layout).aliases()
        fields = {aliases.get(k, k): v for k, v in fields.items()}
        flat = {k: v if isinstance(v, str) else str(v[-1]) for k, v in fields.items()}
        errors = validate(
            layout,
            flat,
            r.outbox_store,
            renamed_option=r.faults.on("renamed-option"),
            variants=r.variants,
        )
        if errors:
            start = "form" if layout != "wizard" else _wizard_restart(r, flat)
            page = start_page(
                r.context(values=fields, errors=errors, start_step=start, layout=layout)
            )
            self._html(HTTPStatus.UNPROCESSABLE_ENTITY, page)
            return
        record = r.accepted.record(layout, fields)
        if r.faults.on("submit-hang") and r.wait_stopping(r.hang_seconds):
            self.close_connection = True
            return
        if r.faults.on("submit-no-id"):
            # Accepted, but the page says nothing a filler could take as the outcome.
            notice = notice_page(
                r.context(layout=layout),
                title="Thank you",
                message="Your request is being processed.",
            )
            self._html(200, notice)
            return
        self._html(200, confirmation_page(r.context(layout=layout), record["feedback_id"]))


def _wizard_restart(r: Replica, fields: dict[str, str]) -> str:
    """Where a refused wizard form reopens: at the business step once the email is verified."""
    token_email = r.outbox_store.token_email(fields.get("verification_token", ""))
    email = fields.get("enterprise_contact_email", "").strip().lower()
    return "business" if token_email and token_email == email else "email"


def _parse_multipart(ctype: str, body: bytes) -> Fields:
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {ctype}\r\n\r\n".encode("latin-1") + body
    )
    fields: Fields = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        filename = part.get_filename()
        if filename is not None:
            value = filename  # the upload is accepted; only its name is kept
        else:
            payload = part.get_payload(decode=True)
            value = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
        if name in fields:
            previous = fields[name]
            fields[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            fields[name] = value
    return fields
