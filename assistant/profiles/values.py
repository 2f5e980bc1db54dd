"""Checks and normalisers for the text values of a profile (everything but phone numbers).

Each function takes the text exactly as written and returns the stored form, or raises
`ValueError` with a message fit to follow `file:line:col: dotted.path:`. Messages repeat a
value only where it is not personal (ZIP, state, website); contact details are never echoed.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from functools import lru_cache
from urllib.parse import urlsplit

from assistant.terminal_text import excerpt
from assistant.usps import STATES

DISPLAY_NAME_LIMIT = 15  # caller-ID names (CNAM) show at most 15 characters

SECRET_WORDS = (
    "password",
    "passwd",
    "token",
    "secret",
    "api_key",
    "apikey",
    "private_key",
    "credential",
)

_NAMES = {name.casefold(): code for code, name in STATES.items()}
_NAMES.update(
    {
        "washington dc": "DC",
        "washington, dc": "DC",
        "washington d.c.": "DC",
        "washington, d.c.": "DC",
        "us virgin islands": "VI",
        "virgin islands": "VI",
    }
)

_ZIP = re.compile(r"\d{5}(?:-\d{4})?", re.ASCII)
_ZIP9 = re.compile(r"\d{9}", re.ASCII)
_CALLS = re.compile(r"\d+|\d{1,3}(?:,\d{3})+", re.ASCII)
# Deliberately plain: one @, a dot-separated domain of letters, digits and hyphens.
_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+",
    re.ASCII,
)
_HOST = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}\.?|localhost",
    re.ASCII,
)


def text(value: str) -> str:
    """The value without surrounding blanks; refused when nothing is left."""
    stripped = value.strip()
    if not stripped:
        raise ValueError("is empty; write a value")
    return stripped


def normalise_zip(value: str) -> str:
    """A ZIP code as text: `12345` or `12345-6789` (nine bare digits get their dash)."""
    stripped = value.strip()
    if _ZIP.fullmatch(stripped):
        return stripped
    if _ZIP9.fullmatch(stripped):
        return f"{stripped[:5]}-{stripped[5:]}"
    raise ValueError(f"'{excerpt(stripped)}' is not a ZIP code; write 12345 or 12345-6789")


def normalise_state(value: str) -> str:
    """The USPS code of a state, DC or territory, from its code or full name (any case)."""
    stripped = " ".join(value.split())
    code = stripped.upper()
    if code in STATES:
        return code
    found = _NAMES.get(stripped.casefold())
    if found is None:
        from assistant.spelling import closest, either

        near = closest(stripped, list(STATES.values()))
        if near:  # a misspelt name ("Kansus"): the one meant
            raise ValueError(
                f"'{excerpt(stripped)}' is not a US state; did you mean {either(near)}?"
            )
        raise ValueError(
            f"'{excerpt(stripped)}' is not a US state; write its USPS code (CA) or full name "
            "(California)"
        )
    return found


def check_website(value: str) -> str:
    """An absolute http(s) URL with a host name, kept as written (without blanks around)."""
    stripped = value.strip()
    parts = urlsplit(stripped)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError(
            f"'{excerpt(stripped)}' is not a web address; write it as https://example.org"
        )
    if not _HOST.fullmatch(parts.hostname or "") or any(c.isspace() for c in stripped):
        raise ValueError(f"'{excerpt(stripped)}' does not name a valid host")
    return stripped


def check_email(value: str) -> str:
    """An email address of the usual shape (never repeated in the message)."""
    stripped = value.strip()
    if not _EMAIL.fullmatch(stripped):
        raise ValueError("is not an email address like name@example.org")
    return stripped


def parse_monthly_calls(value: object) -> int:
    """A whole number of calls per month, at least 1; `12000` and `12,000` both read 12000."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError("should be a whole number of calls per month, such as 12000")
    stripped = str(value).strip()
    if not _CALLS.fullmatch(stripped):
        raise ValueError(
            f"'{excerpt(stripped)}' is not a whole number of calls per month, such as 12000"
        )
    calls = int(stripped.replace(",", ""))
    if calls < 1:
        raise ValueError("should be at least 1 call per month")
    return calls


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def seen_date(value: str) -> str:
    """The day a label was seen, as `YYYY-MM-DD`: a real calendar day, not after today (UTC)."""
    stripped = value.strip()
    day: date | None = None
    if _DATE.fullmatch(stripped):
        try:
            day = date.fromisoformat(stripped)
        except ValueError:
            day = None
    if day is None:
        raise ValueError(
            f"'{excerpt(stripped)}' is not a date; write the day it was seen as YYYY-MM-DD, "
            "e.g. 2026-11-30"
        )
    if day > datetime.now(UTC).date():
        raise ValueError(f"{stripped} is in the future; write the day the label was seen")
    return stripped


@lru_cache(maxsize=4096)
def is_secret_key(key: str) -> bool:
    """True for keys that look like they hold a secret (`imap_password`, `apiKey`, `Token`)."""
    folded = re.sub(r"[\s-]+", "_", key.strip()).casefold()
    squashed = folded.replace("_", "")
    return any(word in folded or word.replace("_", "") in squashed for word in SECRET_WORDS)


def long_display_name(value: str | None) -> bool:
    """True when a caller name would be cut by phones that show only 15 characters."""
    return value is not None and len(value) > DISPLAY_NAME_LIMIT
