"""The classic layout (seen working in 2024): an acknowledgement, then one long form.

Both live on the start page; `static/classic.js` swaps the acknowledgement for the form when
`#nextButton` is clicked (a refused submission comes back straight to the form).
"""

from __future__ import annotations

from html import escape

from assistant.replica import catalog
from assistant.replica.widgets import (
    PageContext,
    error_summary,
    late,
    select_field,
    shell,
    text_field,
    verification,
)
from assistant.replica.wizard import company_fields, contact_fields, number_rows


def _acknowledgement(ctx: PageContext) -> str:
    hidden = " hidden" if ctx.start_step == "form" else ""
    return (
        f'<section id="acknowledgement" class="ack"{hidden}>'
        "<h2>Before you begin</h2>"
        "<p>Use this form to register the telephone numbers your business uses for outbound "
        "calls. Your information is shared with the analytics engines that serve the major "
        "U.S. wireless carriers, who may contact you to vet the request.</p>"
        "<ul><li>Register at most 20 numbers per submission.</li>"
        "<li>A verification code will be emailed to the contact address.</li>"
        "<li>Changes can take several days and are not guaranteed.</li></ul>"
        '<div class="button-bar"><span class="spacer"></span>'
        f'<button type="button" id="nextButton">{ctx.names.ack_caption}</button></div>'
        "</section>"
    )


def _numbers(ctx: PageContext) -> str:
    file_name = escape(ctx.value("enterpriseFile"))
    uploaded = f'<p class="hint">Previously chosen: {file_name}</p>' if file_name else ""
    return (
        '<fieldset id="numbers-fieldset"><legend>Phone numbers</legend>'
        f"<p>Enter 10 digits per number, up to {catalog.MAX_NUMBERS}, with the name you want "
        "shown to the people you call.</p>"
        + f'<div id="number-rows">{number_rows(ctx, display_name=True, grow=False)}</div>'
        '<button type="button" class="secondary" id="add-number-command">+ Add another number'
        "</button>"
        '<p class="error" id="numbers-error" role="alert" hidden></p>'
        '<div class="field upload"><label for="enterpriseFile">Or upload an Excel file (.xlsx)'
        "</label>"
        '<input type="file" id="enterpriseFile" name="enterpriseFile" '
        'accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet">'
        f"{uploaded}</div></fieldset>"
    )


def _calling(ctx: PageContext) -> str:
    renamed = ctx.faults.on("renamed-option")
    return (
        '<fieldset><legend>Calling</legend><div class="field-row two">'
        + select_field(
            ctx,
            "enterprise_category",
            "Call category",
            catalog.category_options("classic", renamed=renamed),
            placeholder="Select a category",
        )
        + text_field(
            ctx,
            "call_count",
            "Number of calls per month",
            hint="An estimate, e.g. 3000",
            attrs='inputmode="numeric"',
        )
        + "</div>"
        + text_field(
            ctx,
            "enterprise_service_provider",
            "Service provider",
            hint="The carrier or platform that places your calls, e.g. Twilio",
        )
        + '<div class="field"><label for="additional_feedback">Additional feedback</label>'
        f'<textarea id="additional_feedback" name="additional_feedback" rows="3">'
        f"{escape(ctx.value('additional_feedback'))}</textarea></div>"
        "</fieldset>"
    )


def _verification(ctx: PageContext) -> str:
    return (
        "<fieldset><legend>Verification</legend>"
        + verification(ctx, "Send a 5-digit code to the contact email above, then type it here.")
        + "</fieldset>"
    )


def classic_page(ctx: PageContext) -> str:
    """The acknowledgement and the form, on one page."""
    hidden = "" if ctx.start_step == "form" else " hidden"
    form = (
        f'<section id="registration"{hidden}>'
        + error_summary(ctx)
        + f'<form id="registration-form" method="post" action="{ctx.names.submit_path}" '
        'enctype="multipart/form-data" novalidate>'
        + _numbers(ctx)
        + "<div data-rerender-scope>"
        + "<fieldset><legend>Company</legend>"
        + company_fields(ctx)
        + "</fieldset>"
        + "<fieldset><legend>Contact person</legend>"
        + contact_fields(ctx, with_email=True)
        + "</fieldset>"
        + _calling(ctx)
        + "</div>"
        + _verification(ctx)
        + "</form></section>"
    )
    body = (
        '<div class="card"><h1>Free Caller Registry — Enterprise registration</h1>'
        '<p class="lead">Fields marked <span class="req">*</span> are required.</p>'
        + late(ctx, _acknowledgement(ctx) + form)
        + "</div>"
    )
    return shell(ctx, title="Free Caller Registry", body=body, script="classic.js")
