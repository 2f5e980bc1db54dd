"""Variants of the replica: other portals that match the published facts just as well.

Our replica is one reading of /work/shared/portal-facts.md; the real portal differs wherever the
facts say MED, LOW or unknown. Each variant changes exactly such a place, so the shipped maps
are proved against portals they were not fitted to. They combine freely (`--variant`, repeatable).

What the facts pin down never changes: the `enterprise_*` ids of the business fields and number
rows, `#nextButton1`, `#nextButton2`, `#enableCheckbox`, `#submitButton`, and the classic
layout's ids.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.replica import catalog

VARIANTS: dict[str, str] = {
    "renamed-ids": "every id the facts do not pin down is different (the wizard's email box, "
    "code box, calls-per-month select, send, verify, back and resend buttons, service provider "
    "and notes; message elements of both layouts), and so are their form field names",
    "captions": "buttons and labels worded and cased differently within the facts' meaning "
    '("Send Verification Code", "Verify & Continue"; "Monthly call volume"); ranges read '
    '"1 to 100" … "1,000,001 or more"',
    "submit-endpoint": "the form posts to /fcr/registration/submit, not /fcr/submit",
    "late-feedback": "the Feedback ID appears 3 s after the answer, in an element present and "
    "empty from the start",
    "display-names": "the wizard's number rows carry #enterprise_displayName_N (maxlength 15)",
    "no-optional": "no service provider, notes or caller names in the wizard, whose number rows "
    "appear only as numbers are typed; no terms checkbox in the classic layout",
    "extra-required": 'a required field no map knows ("Federal tax ID (EIN)") in the business '
    "details",
    # Hostile pages: a redesigned or compromised portal trying to get the registration out
    # without the person's confirmation, or to send something else than what they reviewed.
    "continue-registers": '"Continue to final step" (classic: "send code") also posts the '
    "whole form to the submit endpoint: a redesign in which a step's button already registers",
    "timer-post": "a click on a step's button (continue, send code) arms a timer that posts the "
    "whole form to the submit endpoint while the click settles",
    "farewell": "as the page is hidden or unloaded it posts the whole form to the submit "
    "endpoint: a keepalive fetch, a plain fetch and a beacon",
    "late-change": "1.5 s after the review shows (classic: after the code is typed) the page "
    "changes the company name and the first number",
    "swap-on-submit": "clicking the submit button changes the company name and the first number "
    "just before the form is sent",
    "webrtc": "when the review shows (classic: when the code is typed) the page opens a WebRTC "
    "peer connection to a TURN server at 127.0.0.3 on the replica's port, the contact email as "
    "its user name",
    "sandboxed-frame": "2 s after the review shows (classic: after the code is typed) the page "
    "adds four sandboxed frames (processes of their own), whose first script posts the form to "
    "the submit endpoint",
    "formdata-swap": "the page stays as reviewed, but as the form's data is built for the "
    "submit, the company name and number 1 (spaced out) are changed and a copy added",
    "fake-feedback": "the submit button sends nothing and shows a Feedback ID made up in the page",
    "lying-page": "as the review shows (classic: when the code is typed) the page changes the "
    "company name and the first number, and tells scripts in its own world that they still hold "
    "what was typed (it patches the fields' value getter there)",
}
# The variants above that attack the person's confirmation (`Replica(hostile_after=N)` keeps
# them away from the first N loads of the start page).
HOSTILE = frozenset(
    {
        "continue-registers",
        "timer-post",
        "farewell",
        "late-change",
        "swap-on-submit",
        "webrtc",
        "sandboxed-frame",
        "formdata-swap",
        "fake-feedback",
        "lying-page",
    }
)

SUBMIT_PATH = "/fcr/submit"
MOVED_SUBMIT_PATH = "/fcr/registration/submit"
EXTRA_FIELD = "enterprise_federal_tax_id"
EXTRA_LABEL = "Federal tax ID (EIN)"

RANGES = catalog.CALL_RANGES
RANGES_WORDED = (
    "1 to 100",
    "101 to 1,000",
    "1,001 to 10,000",
    "10,001 to 100,000",
    "100,001 to 1,000,000",
    "1,000,001 or more",
)


def check_variants(names: Iterable[str]) -> frozenset[str]:
    """The variant names as a set, or ValueError naming the unknown ones and the valid ones."""
    chosen = frozenset(names)
    unknown = sorted(chosen - VARIANTS.keys())
    if unknown:
        raise ValueError(
            f"Unknown replica variant(s): {', '.join(unknown)}. Valid: {', '.join(VARIANTS)}."
        )
    return chosen


@dataclass(frozen=True, slots=True)
class Names:
    """Ids (and form field names, equal to them), labels and captions of everything the facts
    leave open, for one set of variants."""

    email: str = "enterprise_contact_email"
    code: str = "captcha"
    calls: str = "enterprise_calls_per_month"
    provider: str = "enterprise_service_provider"
    notes: str = "additional_feedback"
    send: str = "send-verification-code"
    verify: str = "verify-code"
    resend: str = "resend-code"
    back: str = "backButton"
    email_error: str = "email-error"
    code_error: str = "code-error"
    code_status: str = "code-status"
    label_email: str = "Contact email"
    label_code: str = "Verification code"
    label_calls: str = "Calls per month"
    label_provider: str = "Service provider"
    label_notes: str = "Additional information"
    send_caption: str = "Send verification code"
    verify_caption: str = "Verify and continue"
    resend_caption: str = "Send a new code"
    back_caption: str = "Back"
    next1_caption: str = "Continue to next step"
    next2_caption: str = "Continue to final step"
    submit_caption: str = "Submit Your Registration"
    classic_submit_caption: str = "Submit"
    ack_caption: str = "I understand, continue"
    submit_path: str = SUBMIT_PATH
    ranges: tuple[str, ...] = RANGES

    def script_ids(self) -> str:
        """The ids the page scripts need, as JSON (they differ between variants)."""
        keys = (
            *("email", "code", "calls", "provider", "notes"),
            *("send", "verify", "resend", "back", "email_error", "code_error", "code_status"),
        )
        return json.dumps({k: getattr(self, k) for k in keys})

    def aliases(self) -> dict[str, str]:
        """Form field names this page posts -> the names the portal's checks use."""
        canonical = Names()
        pairs = {
            getattr(self, k): getattr(canonical, k)
            for k in ("email", "code", "calls", "provider", "notes")
        }
        return {name: real for name, real in pairs.items() if name != real}


def names_for(variants: frozenset[str], layout: str) -> Names:
    """The names a `layout` page uses under `variants` (the classic layout's ids are all
    documented, and so are the sister forms' (trf, vsf): there only the message elements are
    renamed)."""
    changes: dict[str, object] = {}
    if "renamed-ids" in variants:
        changes.update(email_error="mail-problem", code_error="otp-problem", code_status="otp-sent")
        if layout == "wizard":
            changes.update(
                email="reg_mail",
                code="otp_value",
                calls="volume_band",
                provider="carrier_name",
                notes="remarks",
                send="btn-request",
                verify="btn-confirm",
                resend="btn-again",
                back="btn-prev",
            )
    if "captions" in variants:
        changes.update(
            label_email="Email Address",
            label_code="Enter the 5-digit code we emailed you",
            label_calls="Monthly call volume",
            label_provider="Voice Service Provider",
            label_notes="Comments",
            send_caption="Send Verification Code",
            verify_caption="Verify & Continue",
            resend_caption="Resend Code",
            back_caption="Go Back",
            next1_caption="Continue To Next Step",
            next2_caption="CONTINUE TO FINAL STEP",
            submit_caption="SUBMIT YOUR REGISTRATION",
            classic_submit_caption="Submit Registration",
            ack_caption="Continue",
            ranges=RANGES_WORDED,
        )
    if "submit-endpoint" in variants:
        changes["submit_path"] = MOVED_SUBMIT_PATH
    if layout in ("trf", "vsf"):  # the sister forms post under their own path
        path = str(changes.get("submit_path", SUBMIT_PATH))
        changes["submit_path"] = path.replace("/fcr/", f"/{layout}/", 1)
    return Names(**changes)  # type: ignore[arg-type]
