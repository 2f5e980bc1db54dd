"""The sister forms on the same TNS form engine: the TNS robocall feedback form (`trf`, served at
/trf/) and Verizon's voice spam feedback form (`vsf`, at /vsf/), where a business disputes the
label its calls are shown with.

What the facts give (/work/shared/portal-facts.md, last section; one public script, LOW): a
first page of two radios and `#nextButton` (TRF: `#type_enterprise`, then `#claim_enterprise`,
which may be covered, so here its styled label lies over it; VSF: `#type_enterprise`, then
`#type-enterprise`, with a dash); the engine's `enterprise_*` ids with ONE address field
`#enterprise_company_address`, `#call_count`, `#enterprise_service_provider`; the code mailed by
`#send-verification-code` into `#captcha`; TRF one form like the classic FCR, VSF three tabs
(`ul[role=tablist]`). Everything else is OUR OWN GUESS, written so that a map cannot lean on it:
the questions about the label (their ids are ours, and their captions change under the
`captions` variant), the tabs' captions, the confirmation (`TRFFE`/`VSFFE` + the FCR's 17
digits, in `.feedback-id`). Variants and faults apply where their place exists here.
"""

from __future__ import annotations

from html import escape

from assistant.replica import catalog
from assistant.replica.variants import EXTRA_FIELD, EXTRA_LABEL
from assistant.replica.widgets import (
    PageContext,
    error_summary,
    late,
    select_field,
    shell,
    text_field,
    verification,
)
from assistant.replica.wizard import contact_fields, number_rows

FORMS = ("trf", "vsf")
TITLES = {"trf": "Robocall feedback", "vsf": "Voice spam feedback"}

# The questions about the label: our ids (no map may use them), two wordings each.
DISPUTE_FIELDS: tuple[tuple[str, str, str, str, bool], ...] = (
    # id, caption, caption under `captions`, input type, required
    ("dispute_label", "Which label was shown?", "Label displayed on the call", "text", True),
    ("dispute_source", "Which carrier or app showed it?", "Carrier or app", "text", True),
    ("dispute_date", "Date you saw it", "When was it first displayed?", "date", True),
    (
        "dispute_samples",
        "Example numbers that showed the label",
        "Sample numbers",
        "text",
        False,
    ),
)


def dispute_fields_shown(ctx: PageContext) -> bool:
    """Whether the page asks about the label (not under `no-optional`)."""
    return not ctx.has("no-optional")


def _choice(rid: str, name: str, value: str, label: str, *, covered: bool = False) -> str:
    cls = "choice covered" if covered else "choice"
    return (
        f'<div class="{cls}"><input type="radio" id="{rid}" name="{name}" value="{value}">'
        f'<label for="{rid}">{escape(label)}</label></div>'
    )


def _who(ctx: PageContext) -> str:
    hidden = " hidden" if ctx.start_step == "form" else ""
    if ctx.layout == "trf":
        second = (
            "<fieldset><legend>What would you like to do?</legend>"
            + _choice("claim_report", "claim", "report", "Report a robocall I received")
            + _choice(
                "claim_enterprise",
                "claim",
                "enterprise",
                "Dispute a label shown with my business's calls",
                covered=True,
            )
            + "</fieldset>"
        )
    else:
        second = (
            "<fieldset><legend>Which describes you?</legend>"
            + _choice("type-consumer", "claim", "consumer", "I received a spam call")
            + _choice("type-enterprise", "claim", "enterprise", "My calls are labelled as spam")
            + "</fieldset>"
        )
    return (
        f'<section id="who"{hidden}>'
        "<fieldset><legend>Who are you?</legend>"
        + _choice("type_consumer", "type", "consumer", "A consumer")
        + _choice("type_enterprise", "type", "enterprise", "A business or organization")
        + "</fieldset>"
        + second
        + '<p class="error" id="who-error" role="alert" hidden></p>'
        '<div class="button-bar"><span class="spacer"></span>'
        f'<button type="button" id="nextButton">{escape(ctx.names.ack_caption)}</button></div>'
        "</section>"
    )


def _numbers(ctx: PageContext) -> str:
    return (
        '<fieldset id="numbers-fieldset"><legend>Phone numbers</legend>'
        f"<p>Enter 10 digits per number, up to {catalog.MAX_NUMBERS}.</p>"
        + f'<div id="number-rows">{number_rows(ctx, display_name=False, grow=False)}</div>'
        '<button type="button" class="secondary" id="add-number-command">+ Add another number'
        "</button>"
        '<p class="error" id="numbers-error" role="alert" hidden></p>'
        '<div class="field upload"><label for="enterpriseFile">Or upload an Excel file (.xlsx)'
        '</label><input type="file" id="enterpriseFile" name="enterpriseFile" accept=".xlsx">'
        "</div></fieldset>"
    )


def _company(ctx: PageContext) -> str:
    name_label = "Organization name" if ctx.faults.on("renamed-label") else "Company name"
    parts = [text_field(ctx, "enterprise_company_name", name_label)]
    if ctx.faults.on("duplicate-field"):
        parts.append(text_field(ctx, "enterprise_company_name", "Company name (as registered)"))
    parts.append(
        text_field(
            ctx,
            "enterprise_company_address",
            "Company address",
            hint="Street, suite, city, state and ZIP",
            attrs='autocomplete="street-address"',
        )
    )
    if ctx.has("extra-required"):
        parts.append(text_field(ctx, EXTRA_FIELD, EXTRA_LABEL, hint="9 digits, e.g. 12-3456789"))
    return "<fieldset><legend>Company</legend>" + "".join(parts) + "</fieldset>"


def _calling(ctx: PageContext) -> str:
    renamed = ctx.faults.on("renamed-option")
    return (
        '<fieldset><legend>Calling</legend><div class="field-row two">'
        + select_field(
            ctx,
            "enterprise_category",
            "Call category",
            catalog.category_options(ctx.layout, renamed=renamed),
            placeholder="Select a category",
        )
        + text_field(ctx, "call_count", "Number of calls per month", attrs='inputmode="numeric"')
        + "</div>"
        + text_field(ctx, "enterprise_service_provider", "Service provider")
        + '<div class="field"><label for="additional_feedback">Additional feedback</label>'
        '<textarea id="additional_feedback" name="additional_feedback" rows="3">'
        f"{escape(ctx.value('additional_feedback'))}</textarea></div>"
        "</fieldset>"
    )


def _dispute(ctx: PageContext) -> str:
    if not dispute_fields_shown(ctx):
        return ""
    worded = ctx.has("captions")
    fields = "".join(
        text_field(ctx, fid, other if worded else caption, required=required, kind=kind)
        for fid, caption, other, kind, required in DISPUTE_FIELDS
    )
    return f"<fieldset><legend>About the label</legend>{fields}</fieldset>"


def _verification(ctx: PageContext) -> str:
    return verification(ctx, "Send a 5-digit code to the contact email, then type it here.")


def _email(ctx: PageContext) -> str:
    return text_field(ctx, "enterprise_contact_email", "Contact email", kind="email")


# The VSF's tabs: (panel id, caption, caption under `captions`).
TABS = (
    ("panel-numbers", "Phone numbers", "Numbers"),
    ("panel-business", "Business details", "Your organization"),
    ("panel-verify", "Verify and submit", "Confirm"),
)


def _tabbed(ctx: PageContext) -> str:
    worded = ctx.has("captions")
    tabs = "".join(
        f'<li role="presentation"><button type="button" role="tab" id="tab-{i}" '
        f'data-panel="{pid}" aria-controls="{pid}" aria-selected="{str(i == 1).lower()}">'
        f"{escape(other if worded else caption)}</button></li>"
        for i, (pid, caption, other) in enumerate(TABS, start=1)
    )
    panels = (
        _numbers(ctx) + _email(ctx),
        "<div data-rerender-scope>"
        + _company(ctx)
        + "<fieldset><legend>Contact person</legend>"
        + contact_fields(ctx, with_email=False)
        + "</fieldset>"
        + _calling(ctx)
        + _dispute(ctx)
        + "</div>",
        _verification(ctx),
    )
    sections = "".join(
        f'<section role="tabpanel" id="{pid}" aria-labelledby="tab-{i}"'
        f"{'' if i == 1 else ' hidden'}>{body}</section>"
        for i, ((pid, _, _), body) in enumerate(zip(TABS, panels, strict=True), start=1)
    )
    return f'<ul role="tablist" class="tabs">{tabs}</ul>' + sections


def _one_form(ctx: PageContext) -> str:
    return (
        _numbers(ctx)
        + "<div data-rerender-scope>"
        + _company(ctx)
        + "<fieldset><legend>Contact person</legend>"
        + contact_fields(ctx, with_email=True)
        + "</fieldset>"
        + _calling(ctx)
        + _dispute(ctx)
        + "</div>"
        + "<fieldset><legend>Verification</legend>"
        + _verification(ctx)
        + "</fieldset>"
    )


def sister_page(ctx: PageContext) -> str:
    """The start page of the form `ctx.layout` ("trf" or "vsf"), or a refused form again."""
    hidden = "" if ctx.start_step == "form" else " hidden"
    inner = _tabbed(ctx) if ctx.layout == "vsf" else _one_form(ctx)
    form = (
        f'<section id="registration"{hidden}>'
        + error_summary(ctx)
        + f'<form id="registration-form" method="post" action="{ctx.names.submit_path}" '
        'enctype="multipart/form-data" novalidate>' + inner + "</form></section>"
    )
    title = TITLES[ctx.layout]
    body = (
        f'<div class="card"><h1>{title}</h1>'
        '<p class="lead">Fields marked <span class="req">*</span> are required.</p>'
        + late(ctx, _who(ctx) + form)
        + "</div>"
    )
    return shell(ctx, title=title, body=body, script="sister.js")
