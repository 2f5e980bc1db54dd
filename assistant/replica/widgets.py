"""HTML pieces both layouts share: labelled fields, selects, the page shell.

Form field names equal element ids, as on the real portal. Required fields carry a visible `*`
and `aria-required`; checks happen on the server (and lightly in the wizard's script), not
through the browser's native validation, so a refused POST always comes back with messages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html import escape
from importlib import resources
from string import Template

from assistant.replica.faults import FaultState
from assistant.replica.variants import Names, names_for


@dataclass(frozen=True, slots=True)
class PageContext:
    """What a page is rendered from: layout, faults, variants, values to show again, errors."""

    layout: str
    faults: FaultState
    port: int
    values: Mapping[str, object] = field(default_factory=dict)
    errors: Mapping[str, str] = field(default_factory=dict)
    start_step: str = ""
    variants: frozenset[str] = frozenset()

    @property
    def names(self) -> Names:
        """Ids, labels and captions of what the facts leave open, under this page's variants."""
        return names_for(self.variants, self.layout)

    def has(self, variant: str) -> bool:
        """Whether `variant` is on."""
        return variant in self.variants

    def value(self, name: str) -> str:
        """The value to show again in field `name` ("" when none; the first of several)."""
        raw = self.values.get(name, "")
        if isinstance(raw, list):
            return str(raw[0]) if raw else ""
        return str(raw)


def template(name: str) -> Template:
    """A page template shipped in `assistant/replica/templates/`."""
    text = resources.files("assistant.replica").joinpath("templates", name).read_text("utf-8")
    return Template(text)


def required_mark(required: bool) -> str:
    """The visible `*` after a required field's label."""
    return ' <span class="req" aria-hidden="true">*</span>' if required else ""


def error_text(ctx: PageContext, name: str) -> str:
    """The field's error message paragraph, or nothing."""
    message = ctx.errors.get(name)
    if not message:
        return ""
    return f'<p class="field-error" id="{name}-error" role="alert">{escape(message)}</p>'


def _invalid(ctx: PageContext, name: str) -> str:
    return ' aria-invalid="true"' if name in ctx.errors else ""


def text_field(
    ctx: PageContext,
    fid: str,
    label: str,
    *,
    required: bool = True,
    kind: str = "text",
    hint: str = "",
    attrs: str = "",
) -> str:
    """A labelled `<input>` whose id and name are `fid`."""
    hint_html = f'<p class="hint">{escape(hint)}</p>' if hint else ""
    aria = ' aria-required="true"' if required else ""
    return (
        f'<div class="field" data-field="{fid}">'
        f'<label for="{fid}">{escape(label)}{required_mark(required)}</label>'
        f'<input id="{fid}" name="{fid}" type="{kind}" value="{escape(ctx.value(fid))}"'
        f"{aria}{_invalid(ctx, fid)} {attrs}>"
        f"{hint_html}{error_text(ctx, fid)}</div>"
    )


def select_field(
    ctx: PageContext,
    fid: str,
    label: str,
    options: Iterable[tuple[str, str]],
    *,
    placeholder: str,
    required: bool = True,
) -> str:
    """A labelled `<select>` with an empty first option reading `placeholder`."""
    chosen = ctx.value(fid)
    rendered = [f'<option value="">{escape(placeholder)}</option>']
    for value, text in options:
        selected = " selected" if value == chosen and chosen else ""
        rendered.append(f'<option value="{escape(value)}"{selected}>{escape(text)}</option>')
    aria = ' aria-required="true"' if required else ""
    return (
        f'<div class="field" data-field="{fid}">'
        f'<label for="{fid}">{escape(label)}{required_mark(required)}</label>'
        f'<select id="{fid}" name="{fid}"{aria}{_invalid(ctx, fid)}>{"".join(rendered)}</select>'
        f"{error_text(ctx, fid)}</div>"
    )


def terms_checkbox(ctx: PageContext) -> str:
    """The terms checkbox `#enableCheckbox` with its label and error (none in the classic
    layout and the sister forms under the `no-optional` variant: the facts never mention one
    there)."""
    if ctx.layout != "wizard" and ctx.has("no-optional"):
        return ""
    checked = " checked" if ctx.value("enableCheckbox") else ""
    return (
        '<div class="terms">'
        f'<input type="checkbox" id="enableCheckbox" name="enableCheckbox"{checked}>'
        '<label for="enableCheckbox">I confirm that the information above is accurate and I '
        'agree to the <a href="#terms">Terms and Conditions</a>.'
        f"{required_mark(True)}</label></div>" + error_text(ctx, "enableCheckbox")
    )


def verification(ctx: PageContext, intro: str) -> str:
    """The classic layout's and the sister forms' last part: send a code to the contact email,
    type it, accept the terms, submit (`intro` says where the email is)."""
    n = ctx.names
    # Without a terms checkbox (the `no-optional` variant) nothing holds the button back.
    disabled = "" if ctx.has("no-optional") else " disabled"
    return (
        f"<p>{escape(intro)}</p>"
        '<div class="inline-action">'
        '<button type="button" class="secondary" id="send-verification-code">'
        f"{n.send_caption}</button>"
        f'<p class="status" id="{n.code_status}" role="status" hidden></p></div>'
        f'<p class="error" id="{n.code_error}" role="alert" hidden></p>'
        + text_field(
            ctx,
            "captcha",
            "Verification code",
            attrs='inputmode="numeric" maxlength="5" autocomplete="one-time-code"',
        )
        + terms_checkbox(ctx)
        + '<div class="button-bar"><span class="spacer"></span>'
        f'<button type="submit" id="submitButton"{disabled}>{n.classic_submit_caption}</button>'
        "</div>"
    )


def error_summary(ctx: PageContext) -> str:
    """The box at the top of a refused form listing every problem."""
    if not ctx.errors:
        return ""
    items = "".join(f"<li>{escape(message)}</li>" for message in ctx.errors.values())
    return (
        '<div class="error-summary error" role="alert" id="error-summary">'
        "<h2>Your registration was not submitted</h2>"
        f"<p>Please correct the following:</p><ul>{items}</ul></div>"
    )


def offsite_html(ctx: PageContext) -> str:
    """Under the `offsite-request` fault: a tracking pixel on another (loopback) host."""
    if not ctx.faults.on("offsite-request"):
        return ""
    return (
        f'<img id="offsite-pixel" alt="" width="1" height="1" '
        f'src="http://127.0.0.2:{ctx.port}/track.gif">'
    )


def shell(ctx: PageContext, *, title: str, body: str, script: str) -> str:
    """A whole HTML page: header, the card with `body`, footer, and the page's script."""
    faults = " ".join(sorted(ctx.faults.names))
    return template("base.html").substitute(
        title=escape(title),
        layout=ctx.layout,
        faults=escape(faults),
        variants=escape(" ".join(sorted(ctx.variants))),
        ids=escape(ctx.names.script_ids()),
        start_step=escape(ctx.start_step),
        offsite_origin=f"http://127.0.0.2:{ctx.port}",
        peer=f"127.0.0.3:{ctx.port}",
        body=body,
        offsite=offsite_html(ctx),
        script=script,
    )


def late(ctx: PageContext, content: str) -> str:
    """`content` as is, or, under the `slow` fault, held in a template the script inserts late."""
    if not ctx.faults.on("slow"):
        return f'<div id="app">{content}</div>'
    return (
        '<div id="app"><p class="loading" id="loading">Loading the registration form…</p></div>'
        f'<template id="late-content">{content}</template>'
    )
