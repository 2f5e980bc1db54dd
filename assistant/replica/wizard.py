"""The wizard layout (seen in 2026): email, code, business, numbers and review steps on one page,
shown one at a time by `static/wizard.js`; every button sits in one bar at the bottom."""

from __future__ import annotations

from html import escape

from assistant.replica import catalog
from assistant.replica.validation import phone_fields
from assistant.replica.variants import EXTRA_FIELD, EXTRA_LABEL
from assistant.replica.widgets import (
    PageContext,
    error_summary,
    error_text,
    late,
    select_field,
    shell,
    terms_checkbox,
    text_field,
)

STEPS = (
    ("email", "Email"),
    ("code", "Verify"),
    ("business", "Business"),
    ("numbers", "Numbers"),
    ("review", "Review"),
)


def company_fields(ctx: PageContext) -> str:
    """Company name, address, website: shared by both layouts, with the naming faults applied."""
    name_label = "Organization name" if ctx.faults.on("renamed-label") else "Company name"
    parts = [
        text_field(ctx, "enterprise_company_name", name_label, attrs='autocomplete="organization"')
    ]
    if ctx.faults.on("duplicate-field"):
        # Two elements with one id: the map's field is ambiguous and a filler must stop.
        parts.append(text_field(ctx, "enterprise_company_name", "Company name (as registered)"))
    parts.append(
        text_field(
            ctx,
            "enterprise_company_address_line_1",
            "Address line 1",
            attrs='autocomplete="address-line1"',
        )
    )
    parts.append(
        text_field(
            ctx,
            "enterprise_company_address_line_2",
            "Address line 2",
            required=False,
            attrs='autocomplete="address-line2"',
        )
    )
    row = []
    if not ctx.faults.on("missing-field"):
        row.append(
            text_field(
                ctx,
                "enterprise_company_address_city",
                "City",
                attrs='autocomplete="address-level2"',
            )
        )
    row.append(
        select_field(
            ctx,
            "enterprise_company_address_state",
            "State",
            catalog.state_options(ctx.layout),
            placeholder="Select a state",
        )
    )
    row.append(
        text_field(
            ctx,
            "enterprise_company_address_zip",
            "ZIP code",
            attrs='inputmode="numeric" autocomplete="postal-code" maxlength="10"',
        )
    )
    parts.append(f'<div class="field-row">{"".join(row)}</div>')
    parts.append(
        text_field(
            ctx,
            "enterprise_company_url",
            "Company website",
            kind="url",
            hint="The full address, e.g. https://www.example.com",
        )
    )
    if ctx.has("extra-required"):
        # A field no map knows, which the portal requires (the `extra-required` variant).
        parts.append(text_field(ctx, EXTRA_FIELD, EXTRA_LABEL, hint="9 digits, e.g. 12-3456789"))
    return "".join(parts)


def contact_fields(ctx: PageContext, *, with_email: bool) -> str:
    """Contact name and phone (and email, in classic, where no email step exists)."""
    phone_hint = "10 digits, e.g. 555-555-0100"
    parts = [
        text_field(ctx, "enterprise_contact_name", "Contact name", attrs='autocomplete="name"'),
        text_field(
            ctx,
            "enterprise_contact_phone",
            "Contact phone",
            kind="tel",
            hint=phone_hint,
            attrs='autocomplete="tel-national"',
        ),
    ]
    if with_email:
        parts.append(
            text_field(
                ctx,
                "enterprise_contact_email",
                "Contact email",
                kind="email",
                attrs='autocomplete="email"',
            )
        )
    return f'<div class="field-row two">{"".join(parts)}</div>'


def _steps_indicator() -> str:
    items = "".join(
        f'<li data-step="{key}"><span class="num">{i}</span> {label}</li>'
        for i, (key, label) in enumerate(STEPS, start=1)
    )
    return f'<ol class="steps" aria-label="Registration steps">{items}</ol>'


def _email_step(ctx: PageContext) -> str:
    n = ctx.names
    return (
        '<section class="step" data-step="email" aria-labelledby="h-email">'
        '<h2 id="h-email">Verify your email address</h2>'
        "<p>We will email you a 5-digit verification code from no-reply@tnsi.com. "
        "Use the address the analytics engines should contact about this registration.</p>"
        + text_field(ctx, n.email, n.label_email, kind="email", attrs='autocomplete="email"')
        + f'<p class="error" id="{n.email_error}" role="alert" hidden></p>'
        "</section>"
    )


def _code_step(ctx: PageContext) -> str:
    n = ctx.names
    return (
        '<section class="step" data-step="code" aria-labelledby="h-code" hidden>'
        '<h2 id="h-code">Enter your verification code</h2>'
        '<p id="code-sent-to">Check your inbox for the code.</p>'
        + text_field(
            ctx,
            n.code,
            n.label_code,
            hint="The 5-digit code from the email; it expires after 10 minutes.",
            attrs='inputmode="numeric" maxlength="5" autocomplete="one-time-code"',
        )
        + f'<p class="error" id="{n.code_error}" role="alert" hidden></p>'
        "</section>"
    )


def notes_field(ctx: PageContext, fid: str, label: str) -> str:
    """An optional free-text area for anything else the business wants to say."""
    return (
        f'<div class="field" data-field="{fid}"><label for="{fid}">{escape(label)}</label>'
        f'<textarea id="{fid}" name="{fid}" rows="3">{escape(ctx.value(fid))}</textarea></div>'
    )


def _business_step(ctx: PageContext) -> str:
    n = ctx.names
    ranges = [(r, r) for r in n.ranges]
    calling = (
        '<div class="field-row two">'
        + select_field(
            ctx,
            "enterprise_category",
            "Call category",
            catalog.category_options("wizard", renamed=ctx.faults.on("renamed-option")),
            placeholder="Select a category",
        )
        + select_field(ctx, n.calls, n.label_calls, ranges, placeholder="Select a range")
        + "</div>"
    )
    if not ctx.has("no-optional"):
        calling += text_field(
            ctx,
            n.provider,
            n.label_provider,
            hint="The carrier or platform that places your calls, e.g. Twilio",
        ) + notes_field(ctx, n.notes, n.label_notes)
    return (
        '<section class="step" data-step="business" aria-labelledby="h-business" hidden '
        "data-rerender-scope>"
        '<h2 id="h-business">About your business</h2>'
        "<fieldset><legend>Company</legend>" + company_fields(ctx) + "</fieldset>"
        "<fieldset><legend>Contact person</legend>"
        + contact_fields(ctx, with_email=False)
        + "</fieldset>"
        "<fieldset><legend>Calling</legend>" + calling + "</fieldset>"
        '<p class="error" id="business-error" role="alert" hidden></p>'
        "</section>"
    )


def display_names(ctx: PageContext) -> bool:
    """Whether number rows carry a caller name: always in classic; in the wizard only under
    the `display-names` variant (the facts do not know), never under `no-optional`."""
    if ctx.layout == "classic":
        return True
    return ctx.has("display-names") and not ctx.has("no-optional")


def phone_row(ctx: PageContext, index: int, *, display_name: bool) -> str:
    """One number row: `#enterprise_phone_N` (and `#enterprise_displayName_N` where rows have
    caller names: 32 characters in classic, 15 in the wizard, like CNAM)."""
    pid = f"enterprise_phone_{index}"
    invalid = ' aria-invalid="true"' if pid in ctx.errors else ""
    name_html = ""
    if display_name:
        did = f"enterprise_displayName_{index}"
        longest = 32 if ctx.layout == "classic" else 15
        name_html = (
            f'<div class="field"><label for="{did}">Display name {index + 1}</label>'
            f'<input id="{did}" name="{did}" type="text" maxlength="{longest}" '
            f'value="{escape(ctx.value(did))}"></div>'
        )
    return (
        f'<div class="number-row" data-row="{index}"><div class="field">'
        f'<label for="{pid}">Phone number {index + 1}</label>'
        f'<input id="{pid}" name="{pid}" type="tel" inputmode="numeric" '
        f'placeholder="10 digits, e.g. 6195550100" value="{escape(ctx.value(pid))}"'
        f"{invalid}>"
        f"{error_text(ctx, pid)}</div>{name_html}</div>"
    )


def number_rows(ctx: PageContext, *, display_name: bool, grow: bool) -> str:
    """The rows to show: one per number already entered (after a refusal), and one empty."""
    filled = [i for i, _ in phone_fields({k: ctx.value(k) for k in ctx.values})]
    count = max(filled) + 1 if filled else 0
    count = min(count + (1 if grow or not count else 0), catalog.MAX_NUMBERS)
    return "".join(phone_row(ctx, i, display_name=display_name) for i in range(max(count, 1)))


def _numbers_step(ctx: PageContext) -> str:
    return (
        '<section class="step" data-step="numbers" aria-labelledby="h-numbers" hidden>'
        '<h2 id="h-numbers">Your outbound calling numbers</h2>'
        f"<p>Enter each number as 10 digits. A new row appears as you type, up to "
        f"{catalog.MAX_NUMBERS} numbers per registration.</p>"
        + f'<div id="number-rows">{number_rows(ctx, display_name=display_names(ctx), grow=True)}'
        "</div>"
        f'<p class="hint" id="number-count">Up to {catalog.MAX_NUMBERS} numbers.</p>'
        '<p class="error" id="numbers-error" role="alert" hidden></p>'
        "</section>"
    )


def _review_step(ctx: PageContext) -> str:
    return (
        '<section class="step" data-step="review" aria-labelledby="h-review" hidden>'
        '<h2 id="h-review">Review and submit</h2>'
        "<p>Check what you entered. Use Back to change anything.</p>"
        '<dl class="summary" id="review-summary"></dl>' + terms_checkbox(ctx) + "</section>"
    )


def _button_bar(ctx: PageContext) -> str:
    # One bar, most buttons hidden, shown step by step, as on the real wizard.
    n = ctx.names
    return (
        '<div class="button-bar" id="button-bar">'
        f'<button type="button" class="secondary" id="{n.back}" hidden>{n.back_caption}</button>'
        f'<button type="button" class="secondary" id="{n.resend}" hidden>'
        f"{n.resend_caption}</button>"
        '<span class="spacer"></span>'
        f'<button type="button" id="{n.send}">{n.send_caption}</button>'
        f'<button type="button" id="{n.verify}" hidden>{escape(n.verify_caption)}</button>'
        f'<button type="button" id="nextButton1" hidden>{n.next1_caption}</button>'
        f'<button type="button" id="nextButton2" hidden>{n.next2_caption}</button>'
        f'<button type="submit" id="submitButton" hidden disabled>{n.submit_caption}</button>'
        "</div>"
    )


def wizard_page(ctx: PageContext) -> str:
    """The whole wizard page."""
    token = escape(ctx.value("verification_token"))
    form = (
        f'<form id="registration-form" method="post" action="{ctx.names.submit_path}" '
        "novalidate>"
        + _email_step(ctx)
        + _code_step(ctx)
        + _business_step(ctx)
        + _numbers_step(ctx)
        + _review_step(ctx)
        + f'<input type="hidden" id="verification_token" name="verification_token" value="{token}">'
        + _button_bar(ctx)
        + "</form>"
    )
    content = _steps_indicator() + error_summary(ctx) + form
    body = (
        '<div class="card"><h1>Register your calling numbers</h1>'
        '<p class="lead">Fields marked <span class="req">*</span> are required.</p>'
        + late(ctx, content)
        + "</div>"
    )
    return shell(ctx, title="Free Caller Registry — Register", body=body, script="wizard.js")
