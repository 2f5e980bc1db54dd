"""Receipts: one self-contained HTML page per submitted registration, kept private.

`<data dir>/receipts/<Feedback ID>.html` (folder `0700`, file `0600`) holds the values that were
sent (as read back from the page at review), the review screenshot embedded as a data: URI (so
the receipt survives the screenshot being moved or pruned), the Feedback ID, when, and who
confirmed. Every value is HTML-escaped (a company name can hold `<script>`) and first shown
literally, as the terminal shows it (`assistant.terminal_text.literal`): ESC, bidirectional
controls and invisible fillers appear as `\\x1b`, `\\u202e`, `\\u3164`, never as themselves, so
the receipt cannot be made to read other than what was sent. The portal is named with the
host the submission went to; one sent elsewhere than the map's own host (`Destination.practice`,
e.g. the replica) is a PRACTICE receipt, with a banner saying nothing was registered.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from assistant import paths
from assistant.errors import DataFolderError
from assistant.log import get_logger
from assistant.records.journal import Attempt, Journal
from assistant.terminal_text import literal

_SAFE_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
_IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


def receipt_path(data_dir: Path, attempt: Attempt) -> Path:
    """Where the receipt of `attempt` lives: named by its Feedback ID when that is a safe
    file name, else by the attempt id."""
    fid = attempt.feedback_id or ""
    name = fid if _SAFE_NAME.fullmatch(fid) else f"attempt-{attempt.id}"
    return data_dir / "receipts" / f"{name}.html"


def write_receipt(data_dir: Path, attempt: Attempt) -> Path:
    """Write the receipt of a submitted attempt (`0600`, atomically) and return its path."""
    if attempt.feedback_id is None:
        raise ValueError(f"attempt {attempt.id} has no Feedback ID: nothing to give a receipt for")
    path = receipt_path(data_dir, attempt)
    paths.private_dir(path.parent)
    paths.write_private(path, render(attempt, data_dir).encode("utf-8"))
    return path


def render(attempt: Attempt, data_dir: Path) -> str:
    """The receipt's HTML; relative screenshot paths are read from `data_dir`."""
    e = _escape
    when = attempt.submitted_at or attempt.updated_at
    where = attempt.destination
    practice = where.practice
    portal = f"{attempt.portal} at {where.host}" if where.host else attempt.portal
    facts = [
        ("Feedback ID", attempt.feedback_id or ""),
        ("Submitted (UTC)", when),
        ("Portal", f"{portal} (PRACTICE)" if practice else portal),
        ("Profile", f"{attempt.profile_label} ({attempt.part} of {attempt.parts})"),
        ("Profile file", attempt.profile_path),
        ("Profile sha256", attempt.profile_sha256),
        ("Confirmed by", attempt.confirmed_by or ""),
        ("Confirmed at (UTC)", attempt.confirmed_at or ""),
        ("Attempt", str(attempt.id)),
        ("Run", attempt.run_id),
    ]
    if attempt.state == "submitted" and (attempt.reason or "").startswith("sent as "):
        # What the one request the browser let out carried, checked against the review.
        facts.append(("Request sent", attempt.reason.removeprefix("sent as ")))
    if attempt.resubmit:
        facts.append(("Resubmission", "yes"))
    if attempt.settled_by:
        facts.append(("Settled by", f"{attempt.settled_by} at {attempt.settled_at}"))
    rows = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in facts)
    numbers = "".join(f"<li>{e(n)}</li>" for n in attempt.numbers)
    shots = "".join(_screenshot(Path(s), data_dir) for s in attempt.screenshots)
    kind = "PRACTICE receipt" if practice else "Registration receipt"
    banner = (
        f'<p class="practice">PRACTICE: sent to {e(practice)}, not to the real portal. '
        "Nothing was registered; this is not proof of registration.</p>\n"
        if practice
        else ""
    )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{kind} {e(attempt.feedback_id or '')}</title>"
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
        "th{text-align:left;padding-right:1em;vertical-align:top}"
        "td,th{border-bottom:1px solid #ddd;padding:.2em .5em}img{max-width:100%}"
        ".practice{background:#ffe08a;border:3px solid #b8860b;padding:.6em 1em;"
        "font-size:1.4em;font-weight:bold}</style>"
        "</head><body>\n"
        f"{banner}<h1>{kind} {e(attempt.feedback_id or '')}</h1>\n"
        f'<table class="facts">{rows}</table>\n'
        f'<h2>Numbers ({len(attempt.numbers)})</h2>\n<ul class="numbers">{numbers}</ul>\n'
        f"<h2>Values sent (read back from the page at review)</h2>\n"
        f"{_values(attempt.review_values)}\n"
        f"<h2>Review screenshot</h2>\n{shots or '<p>none recorded</p>'}\n"
        "</body></html>\n"
    )


def _escape(value: object, *, newlines: bool = False) -> str:
    """`value` as HTML text: shown literally (line breaks only where `newlines`), then
    HTML-escaped."""
    return html.escape(literal(value, newlines=newlines), quote=True)


def _values(values: Any) -> str:
    """A mapping as a two-column table, a list of mappings as a table, anything else as JSON."""
    e = _escape
    if isinstance(values, Mapping):
        body = "".join(f"<tr><th>{e(k)}</th><td>{e(_text(v))}</td></tr>" for k, v in values.items())
        return f'<table class="values">{body}</table>'
    if isinstance(values, list) and values and all(isinstance(v, Mapping) for v in values):
        keys = list(dict.fromkeys(k for v in values for k in v))
        head = "".join(f"<th>{e(k)}</th>" for k in keys)
        body = "".join(
            "<tr>" + "".join(f"<td>{e(_text(v.get(k, '')))}</td>" for k in keys) + "</tr>"
            for v in values
        )
        return f'<table class="values"><tr>{head}</tr>{body}</table>'
    shown = json.dumps(values, indent=2, ensure_ascii=False, default=str)
    return f"<pre>{e(shown, newlines=True)}</pre>"


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def _screenshot(path: Path, data_dir: Path) -> str:
    """The screenshot embedded as a data: URI, or a note naming the missing file."""
    full = path if path.is_absolute() else data_dir / path
    kind = _IMAGE_TYPES.get(full.suffix.lower())
    try:
        data = full.read_bytes() if kind else None
    except OSError:
        data = None
    if kind is None or data is None:
        return f'<p class="missing">screenshot not available: {_escape(path)}</p>'
    encoded = base64.b64encode(data).decode("ascii")
    return (
        f'<figure><img alt="review screenshot" src="data:{kind};base64,{encoded}">'
        f"<figcaption>{_escape(path)}</figcaption></figure>"
    )


def record_submitted(
    journal: Journal, attempt_id: int, feedback_id: str, sent: str = ""
) -> Attempt:
    """Record the portal's confirmation (and what the request let out carried, `sent`), then
    write and attach the receipt.

    The outcome is committed first; a receipt that cannot be written (disk full, a receipts
    folder others can read) is logged and skipped, never turned into an error that could make
    the submission look unknown.
    """
    attempt = journal.submitted(attempt_id, feedback_id, sent)
    return _attach(journal, attempt)


def record_settled(
    journal: Journal, attempt_id: int, feedback_id: str | None, settled_by: str | None = None
) -> Attempt:
    """Settle an unknown outcome (see `Journal.settle`); a settled submission gets a receipt."""
    attempt = journal.settle(attempt_id, feedback_id, settled_by=settled_by)
    return _attach(journal, attempt) if attempt.feedback_id else attempt


def _attach(journal: Journal, attempt: Attempt) -> Attempt:
    try:
        path = write_receipt(journal.folder, attempt)
        # The outcome is committed: a journal that cannot note where the receipt went (a
        # full disk) must not make the submission look unrecorded either.
        return journal.attach_receipt(attempt.id, path)
    except (OSError, DataFolderError) as error:
        get_logger(__name__).warning(
            "attempt %s is recorded as submitted, but its receipt could not be written: %s",
            attempt.id,
            error,
        )
        return attempt
