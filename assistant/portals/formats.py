"""Value formats and option matching: how a profile value is spelled for a portal, how a
select's live options are matched, and when a value read back from the page counts as equal.

All pure functions, shared by the planner (which applies formats) and the filler (which matches
live options and compares read-backs).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from assistant.portals.model import MatchRule, ValueFormat
from assistant.spelling import closest, either, fold
from assistant.usps import STATES

STATE_NAMES = STATES

PHONE_FORMATS = frozenset({"phone_digits", "phone_dashed", "phone_e164"})

Option = tuple[str, str]  # (value, label) of one <option>


def national_digits(phone: str) -> str:
    """The 10 national digits of a US number in any notation ("+1 (619) 555-0142" -> 10 digits)."""
    digits = re.sub(r"\D", "", phone)
    return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits


def format_value(raw: str, fmt: ValueFormat) -> str:
    """`raw` (a profile value as text) spelled the way format `fmt` asks."""
    if fmt == "state_code":
        return raw.strip().upper()
    if fmt == "state_name":
        code = raw.strip().upper()
        return STATE_NAMES.get(code, raw)
    if fmt in PHONE_FORMATS:
        digits = national_digits(raw)
        if fmt == "phone_digits":
            return digits
        if fmt == "phone_dashed":
            return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
        return f"+1{digits}"
    # "count", "range" and "text" keep the text ("12000"); a range is matched at run time.
    return raw


def parse_range(label: str) -> tuple[float, float] | None:
    """The inclusive bounds a range option stands for ("1,001 - 10,000", "More than 1,000,000")."""
    numbers = [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", label)]
    text = label.lower()
    if len(numbers) == 2:
        return (numbers[0], numbers[1])
    if len(numbers) == 1:
        n = numbers[0]
        if re.search(r"more than|over|above|greater", text):
            return (n + 1, math.inf)
        if "+" in text or "or more" in text:
            return (n, math.inf)
        if re.search(r"less than|under|below|fewer", text):
            return (0, n - 1)
        if re.search(r"up to", text):
            return (0, n)
    return None


def match_option(options: Sequence[Option], wanted: str, rule: MatchRule) -> Option | None:
    """The one option `wanted` selects under `rule`, or None (never a guess).

    value / label / value_or_label: equal ignoring case, spaces and punctuation ("Health Care"
    selects "Healthcare", "attorney_law" selects "Attorney / Law").
    range: the option whose numeric range contains the number `wanted`.
    Two or more options matching is treated as no match: the map cannot tell them apart.
    """
    if rule == "range":
        try:
            number = int(wanted)
        except ValueError:
            return None
        found = [o for o in options if (r := parse_range(o[1])) and r[0] <= number <= r[1]]
    else:
        key = fold(wanted)
        found = [
            o
            for o in options
            if (rule in ("value", "value_or_label") and fold(o[0]) == key)
            or (rule in ("label", "value_or_label") and fold(o[1]) == key)
        ]
        # The same option matched by value and label counts once.
        found = list(dict.fromkeys(found))
    return found[0] if len(found) == 1 else None


def suggest(options: Sequence[Option], wanted: str, rule: MatchRule) -> list[str]:
    """What `wanted` was probably meant to be, when no option matches it: the nearest
    options' labels (their values under rule `value`), or [] when none is a plausible typo
    (see `assistant.spelling.closest`). Ranges have no spelling: always []."""
    if rule == "range":
        return []
    if rule == "value":
        return closest(wanted, [value for value, _ in options])
    spellings = [label for _, label in options]
    if rule == "value_or_label":
        spellings += [value for value, _ in options]
    near = set(closest(wanted, spellings))
    return list(dict.fromkeys(label for value, label in options if {value, label} & near))


def did_you_mean(options: Sequence[Option], wanted: str, rule: MatchRule) -> str:
    """ "did you mean Healthcare?" (see `suggest`), or "" when nothing is near enough."""
    near = suggest(options, wanted, rule)
    return f"did you mean {either(near)}?" if near else ""


def same_value(wanted: str, got: str, fmt: ValueFormat) -> bool:
    """Whether a value read back from the page equals the one written, for this format.

    Phones compare by digits, so a masked field showing 619-555-0142 for 6195550142 is equal.
    """
    if fmt in PHONE_FORMATS:
        return national_digits(wanted) == national_digits(got) and bool(national_digits(got))
    if fmt == "count":
        return wanted.replace(",", "").strip() == got.replace(",", "").strip()
    return wanted.strip() == got.strip()
