"""The submission every benchmark makes: the first 20 numbers of a real example profile.

`profiles/county-weather.yaml` holds 45 numbers, so its first submission is a full one of 20.
`form_values()` turns the profile into what the replica's wizard wants in each field (state by
full name, category by label, calls per month as a range, phones as 10 bare digits), written
out here by hand from the replica's catalog so that the floor and the naive script do not
borrow the assistant's formatting code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from assistant.profiles.model import Profile

ROOT = Path(__file__).resolve().parent.parent
PROFILE = ROOT / "profiles" / "county-weather.yaml"
NUMBERS = 20


@dataclass(frozen=True, slots=True)
class FormValues:
    """Every value one 20-number wizard submission types, keyed by the element's id."""

    email: str
    text: dict[str, str]  # text inputs of the business step, in page order
    selects: dict[str, str]  # select id -> option label
    numbers: tuple[str, ...]  # 10 bare digits each


def load_profile(path: Path = PROFILE) -> Profile:
    """The resolved example profile (raises `ProfileError` if the example were broken)."""
    from assistant.profiles import load_profile as load

    return load(path).profile


def _state_name(code: str) -> str:
    from assistant.replica.catalog import STATES

    return dict(STATES)[code]


def _calls_range(calls: int) -> str:
    """The replica's calls-per-month range holding `calls` ("10,001 - 100,000")."""
    from assistant.replica.catalog import CALL_RANGES

    for label in CALL_RANGES:
        bounds = [int(n.replace(",", "")) for n in re.findall(r"[\d,]+\d|\d", label)]
        if len(bounds) == 2 and bounds[0] <= calls <= bounds[1]:
            return label
        if len(bounds) == 1 and label.startswith("More") and calls > bounds[0]:
            return label
    raise ValueError(f"no calls-per-month range holds {calls}")


def form_values(profile: Profile | None = None) -> FormValues:
    """What the wizard's fields must hold for the profile's first submission."""
    p = profile or load_profile()
    address = p.company.address
    text = {
        "enterprise_company_name": p.company.name,
        "enterprise_company_address_line_1": address.line1,
        "enterprise_company_address_line_2": address.line2 or "",
        "enterprise_company_address_city": address.city,
        "enterprise_company_address_zip": address.zip,
        "enterprise_company_url": p.company.website,
        "enterprise_contact_name": p.contact.name,
        "enterprise_contact_phone": p.contact.phone[-10:],
        "enterprise_service_provider": p.calling.service_provider,
    }
    selects = {
        "enterprise_company_address_state": _state_name(address.state),
        "enterprise_category": p.calling.category,
        "enterprise_calls_per_month": _calls_range(p.calling.monthly_calls),
    }
    numbers = tuple(n.national for n in p.numbers[:NUMBERS])
    if len(numbers) != NUMBERS:
        raise ValueError(f"{PROFILE.name} must hold at least {NUMBERS} numbers")
    return FormValues(p.contact.email, text, selects, numbers)
