"""Whole pages the server answers with: the start page per layout, confirmation, errors."""

from __future__ import annotations

from html import escape

from assistant.replica.classic import classic_page
from assistant.replica.faults import FaultState
from assistant.replica.sister import FORMS, sister_page
from assistant.replica.widgets import PageContext, shell
from assistant.replica.wizard import wizard_page


def start_page(ctx: PageContext) -> str:
    """The start page (`/fcr/`, `/trf/`, `/vsf/`), or a refused form shown again, for the
    context's layout."""
    if ctx.layout in FORMS:
        return sister_page(ctx)
    return wizard_page(ctx) if ctx.layout == "wizard" else classic_page(ctx)


def confirmation_page(ctx: PageContext, feedback_id: str) -> str:
    """The page after an accepted submission, showing its Feedback ID in `.feedback-id` (under
    the `late-feedback` variant the element is there and empty, and filled 3 s later)."""
    late = ctx.has("late-feedback")
    shown = "" if late else escape(feedback_id)
    pending = f' data-pending="{escape(feedback_id)}"' if late else ""
    body = (
        '<div class="card confirmation" id="confirmation">'
        '<div class="check" aria-hidden="true">✓</div>'
        "<h1>Registration received</h1>"
        f'<p class="thanks">Thank you. Your Feedback ID is <strong class="feedback-id"{pending}>'
        f"{shown}</strong>.</p>"
        "<p>Keep this ID for your records. The analytics engines will review your request and "
        "may contact you. Changes usually take a few days.</p>"
        f'<p><a href="/{ctx.layout if ctx.layout in FORMS else "fcr"}/">Register more '
        "numbers</a></p></div>"
    )
    return shell(ctx, title="Free Caller Registry — Thank you", body=body, script="done.js")


def message_page(layout: str, port: int, *, status: int, title: str, message: str) -> str:
    """A plain server error page (503, 500, 404) in the portal's look."""
    ctx = PageContext(layout=layout, faults=FaultState(()), port=port)
    body = (
        f'<div class="card server-error" data-status="{status}"><h1>{escape(title)}</h1>'
        f'<p class="error" role="alert">{escape(message)}</p></div>'
    )
    return shell(ctx, title=f"{status} {title}", body=body, script="done.js")


def notice_page(ctx: PageContext, *, title: str, message: str) -> str:
    """A plain page saying `message`: neither a Feedback ID nor an error (`submit-no-id`)."""
    body = f'<div class="card notice"><h1>{escape(title)}</h1><p>{escape(message)}</p></div>'
    return shell(ctx, title=title, body=body, script="done.js")
