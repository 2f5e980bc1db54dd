"""Typing the emailed verification code into the portal and reading whether it was accepted."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.browser import guarded_context, locate, request_guard
from assistant.browser.clicks import await_effect, errors_now, find_one
from assistant.browser.step_state import Timeouts
from assistant.portals.model import CodeGate

if TYPE_CHECKING:
    from playwright.sync_api import Page


@dataclass(frozen=True, slots=True)
class CodeResult:
    """What the page made of a verification code: accepted, or refused with its message."""

    accepted: bool
    message: str = ""


def enter_code(
    page: Page,
    step: str,
    gate: CodeGate,
    code: str | None,
    timeouts: Timeouts,
    guard: guarded_context.GuardedContext | None = None,
) -> CodeResult:
    """Type `code` into the gate's box (None: the person typed it in the browser) and, when the
    gate has a confirm button, press it and wait for `accepted` or the page's error."""
    if (
        gate.confirm is not None
        and gate.accepted is not None
        and locate.present(page, gate.accepted)
    ):
        return CodeResult(True)  # accepted already (the person pressed verify in the browser)
    box = find_one(page, step, "the verification code box", gate.input, timeouts.action_ms)
    loc = page.locator(box.selector)
    if code is not None and guard is not None:
        guard.knows_code(code)  # a request carrying it is recognised from now on
    if code is not None:
        loc.fill(code, timeout=timeouts.action_ms)
        if loc.input_value() != code:
            loc.fill("")
            loc.press_sequentially(code, timeout=timeouts.action_ms)
    typed = loc.input_value().strip()
    if not (typed.isdigit() and len(typed) == gate.digits):
        return CodeResult(False, f"the code box holds no {gate.digits}-digit code")
    if guard is not None:
        guard.knows_code(typed)  # also the code the person typed into the browser
    if gate.confirm is None:
        return CodeResult(True)
    if gate.accepted is not None and locate.present(page, gate.accepted):
        return CodeResult(True)  # the person already pressed the button in the browser
    what = "the verify button"
    button = find_one(page, step, what, gate.confirm, timeouts.action_ms)
    before = errors_now(page, gate.error)
    verifying = (
        guard.declared(what, writes=gate.writes, carries=request_guard.EMAIL_AND_CODE)
        if guard
        else nullcontext()
    )
    with verifying:
        page.locator(button.selector).click(timeout=timeouts.action_ms)
        if gate.accepted is None:
            locate.settle(page, guard)
            return CodeResult(True)
        effect = await_effect(page, gate.accepted, gate.error, before, timeouts.step_ms)
    if effect is None:
        return CodeResult(False, "the page neither accepted nor refused the code")
    if effect.get("done"):
        return CodeResult(True)
    return CodeResult(False, str(effect.get("error") or "the page refused the code"))
