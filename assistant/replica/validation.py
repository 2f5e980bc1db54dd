"""Server-side checks of a submission, as the portal would make them before accepting it."""

from __future__ import annotations

import re
from collections.abc import Mapping

from assistant.replica import catalog
from assistant.replica.outbox import Outbox
from assistant.replica.variants import EXTRA_FIELD, EXTRA_LABEL, names_for

LABELS: dict[str, str] = {
    "enterprise_company_name": "Company name",
    "enterprise_company_address_line_1": "Address line 1",
    "enterprise_company_address_line_2": "Address line 2",
    "enterprise_company_address_city": "City",
    "enterprise_company_address_state": "State",
    "enterprise_company_address_zip": "ZIP code",
    "enterprise_company_url": "Company website",
    "enterprise_contact_name": "Contact name",
    "enterprise_contact_phone": "Contact phone",
    "enterprise_contact_email": "Contact email",
    "enterprise_category": "Call category",
    "enterprise_calls_per_month": "Calls per month",
    "call_count": "Number of calls per month",
    "enterprise_service_provider": "Service provider",
    "additional_feedback": "Additional feedback",
    "captcha": "Verification code",
    "enableCheckbox": "Terms and conditions",
    "enterprise_phone_0": "Phone numbers",
    "enterprise_company_address": "Company address",
    "dispute_label": "The label shown",
    "dispute_source": "The carrier or app",
    "dispute_date": "The date you saw it",
    EXTRA_FIELD: EXTRA_LABEL,
}

_COMMON_REQUIRED = (
    "enterprise_company_name",
    "enterprise_company_address_line_1",
    "enterprise_company_address_city",
    "enterprise_company_address_state",
    "enterprise_company_address_zip",
    "enterprise_company_url",
    "enterprise_contact_name",
    "enterprise_contact_phone",
    "enterprise_contact_email",
    "enterprise_category",
    "enterprise_service_provider",
)
_SISTER_REQUIRED = (
    "enterprise_company_name",
    "enterprise_company_address",
    "enterprise_contact_name",
    "enterprise_contact_phone",
    "enterprise_contact_email",
    "enterprise_category",
    "enterprise_service_provider",
    "call_count",
)
# The sister forms' questions about the label (ours: see assistant/replica/sister.py).
DISPUTE_REQUIRED = ("dispute_label", "dispute_source", "dispute_date")
REQUIRED: dict[str, tuple[str, ...]] = {
    "wizard": (*_COMMON_REQUIRED, "enterprise_calls_per_month"),
    "classic": (*_COMMON_REQUIRED, "call_count"),
    "trf": _SISTER_REQUIRED,
    "vsf": _SISTER_REQUIRED,
}

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_PHONE_FIELD = re.compile(r"^enterprise_phone_(\d+)$")
_PHONE_PUNCTUATION = re.compile(r"[\s().-]")


def ten_digits(value: str) -> bool:
    """Whether `value` is a 10-digit North American number once spaces, dots, dashes and
    parentheses are removed (the portal takes bare digits; typed dashes are forgiven)."""
    return re.fullmatch(r"\d{10}", _PHONE_PUNCTUATION.sub("", value)) is not None


def phone_fields(fields: Mapping[str, str]) -> list[tuple[int, str]]:
    """(row index, value) of every non-empty `enterprise_phone_N`, by row."""
    rows = []
    for name, value in fields.items():
        match = _PHONE_FIELD.match(name)
        if match and value.strip():
            rows.append((int(match.group(1)), value.strip()))
    return sorted(rows)


def required_fields(layout: str, variants: frozenset[str]) -> tuple[str, ...]:
    """The fields a submission must carry, under the page's variants."""
    names = list(REQUIRED[layout])
    if layout == "wizard" and "no-optional" in variants:
        names.remove("enterprise_service_provider")
    if layout in ("trf", "vsf") and "no-optional" not in variants:
        names += DISPUTE_REQUIRED
    if "extra-required" in variants:
        names.append(EXTRA_FIELD)
    return tuple(names)


def validate(
    layout: str,
    fields: Mapping[str, str],
    outbox: Outbox,
    *,
    renamed_option: bool,
    variants: frozenset[str] = frozenset(),
) -> dict[str, str]:
    """Every problem with a submission, as {field name: message}; empty when it is acceptable."""
    errors: dict[str, str] = {}
    for name in required_fields(layout, variants):
        if not fields.get(name, "").strip():
            errors[name] = f"{LABELS[name]} is required."
    _check_choices(layout, fields, errors, renamed_option=renamed_option, variants=variants)
    _check_formats(layout, fields, errors)
    day = fields.get("dispute_date", "").strip()
    if day and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
        errors["dispute_date"] = "Enter the date as YYYY-MM-DD."
    _check_numbers(fields, errors)
    _check_code(layout, fields, outbox, errors)
    terms = layout == "wizard" or "no-optional" not in variants
    if terms and fields.get("enableCheckbox", "") == "":
        errors["enableCheckbox"] = "You must accept the terms and conditions."
    return errors


def _check_choices(
    layout: str,
    fields: Mapping[str, str],
    errors: dict[str, str],
    *,
    renamed_option: bool,
    variants: frozenset[str],
) -> None:
    checks = {
        "enterprise_company_address_state": {v for v, _ in catalog.state_options(layout)},
        "enterprise_category": {
            v for v, _ in catalog.category_options(layout, renamed=renamed_option)
        },
    }
    if layout == "wizard":
        checks["enterprise_calls_per_month"] = set(names_for(variants, layout).ranges)
    for name, allowed in checks.items():
        value = fields.get(name, "")
        if value and value not in allowed:
            errors[name] = f"{LABELS[name]}: choose one of the listed options."


def _check_formats(layout: str, fields: Mapping[str, str], errors: dict[str, str]) -> None:
    email = fields.get("enterprise_contact_email", "").strip()
    if email and not EMAIL.match(email):
        errors["enterprise_contact_email"] = "Enter a valid email address."
    phone = fields.get("enterprise_contact_phone", "").strip()
    if phone and not ten_digits(phone):
        errors["enterprise_contact_phone"] = "Contact phone must be a 10-digit number."
    zip_code = fields.get("enterprise_company_address_zip", "").strip()
    if zip_code and not re.fullmatch(r"\d{5}(-\d{4})?", zip_code):
        errors["enterprise_company_address_zip"] = "ZIP code must be 5 digits (or ZIP+4)."
    url = fields.get("enterprise_company_url", "").strip()
    if url and not re.match(r"^https?://[^\s/]+\.[^\s]+$", url):
        errors["enterprise_company_url"] = "Company website must be a full URL (https://...)."
    calls = fields.get("call_count", "").strip()
    if layout != "wizard" and calls and not re.fullmatch(r"[\d,]+", calls):
        errors["call_count"] = "Number of calls per month must be a number."


def _check_numbers(fields: Mapping[str, str], errors: dict[str, str]) -> None:
    rows = phone_fields(fields)
    if not rows:
        errors["enterprise_phone_0"] = "Enter at least one phone number."
        return
    if len(rows) > catalog.MAX_NUMBERS or any(i >= catalog.MAX_NUMBERS for i, _ in rows):
        errors["enterprise_phone_0"] = (
            f"At most {catalog.MAX_NUMBERS} phone numbers can be registered per submission."
        )
        return
    for index, value in rows:
        if not ten_digits(value):
            errors[f"enterprise_phone_{index}"] = (
                f"Phone number {index + 1} must be a 10-digit number."
            )


def _check_code(
    layout: str, fields: Mapping[str, str], outbox: Outbox, errors: dict[str, str]
) -> None:
    email = fields.get("enterprise_contact_email", "").strip()
    if not email:
        return
    if layout == "wizard":
        # The wizard verified the code at step 2 and carries a token; the code may expire
        # while the person fills the later steps, as long as it was verified in time.
        token_email = outbox.token_email(fields.get("verification_token", ""))
        if token_email is not None and token_email == email.lower():
            return
    result = outbox.check(email, fields.get("captcha", ""))
    if not result.ok:
        errors["captcha"] = code_message(result.reason)


def code_message(reason: str) -> str:
    """What the portal says about a code that was not accepted."""
    return {
        "missing": "Enter the 5-digit verification code sent to your email.",
        "wrong": "The verification code is not correct. Check the email and try again.",
        "expired": "The verification code has expired. Send a new code and try again.",
    }.get(reason, "The verification code was not accepted.")
