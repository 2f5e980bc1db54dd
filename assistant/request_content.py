"""What a request leaving the browser carries of a submission, read as a server would read it.

The request guard (`assistant.request_guard`) asks two questions of every request: does it
carry any of the registration (its numbers, the company name, the contact email, the emailed
code), and, for the one submit request, does it carry exactly what the person reviewed? Both
are answered here, without a browser:

- **Reading**: the URL (path and query, percent-decoded, twice for double encoding) and the
  body as the server would parse it: form-encoded, multipart, JSON (every string and number
  at any depth) or plain text; anything else is read as text too. A body is read up to
  `MAX_BODY` bytes.
- **Recognising**: a number in any common spelling (10 digits, +1 E.164, dashed, dotted,
  spaced, in brackets) standing on its own (not inside a longer run of letters or digits, so a
  token's digits are not a phone number), the company name and the email ignoring case, the
  code as a token of its own.

Recognition is the guard's second line: content can be hidden (encoded, encrypted), so the
first line is the count of writes each click of the map may make.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from typing import Literal
from urllib.parse import parse_qsl, unquote, unquote_plus, urlsplit

# What a request can carry of a submission, as the guard names it to the person.
Kind = Literal["numbers", "company name", "contact email", "verification code"]
KINDS: tuple[Kind, ...] = ("numbers", "company name", "contact email", "verification code")
# The kinds that are the registration itself: a request carrying one of them registers.
REGISTRATION: frozenset[Kind] = frozenset({"numbers", "company name"})

MAX_BODY = 2 * 1024 * 1024  # bodies are read this far (a registration form is a few KB)
_MAX_DEPTH = 32  # JSON nesting looked into

# A North American number standing on its own: an optional +1 or 1, then area code (2-9..),
# exchange and line, separated by nothing, spaces, dots or dashes, the area code perhaps in
# brackets. Letters, digits or `_` right before or after make it part of something else.
_PHONE = re.compile(
    r"(?<![0-9A-Za-z_])(?:\+?1[\s.\-]?)?(?:\(([2-9]\d{2})\)|([2-9]\d{2}))[\s.\-]?"
    r"(\d{3})[\s.\-]?(\d{4})(?![0-9A-Za-z_])"
)
_SPACES = re.compile(r"\s+")


def national(value: str) -> str | None:
    """The 10 digits of a North American number written alone in `value` (any common
    spelling), else None."""
    match = _PHONE.fullmatch(value.strip())
    return "".join(g for g in match.groups() if g) if match else None


def phone_numbers(text: str) -> set[str]:
    """The 10 digits of every number standing on its own in `text`."""
    return {"".join(g for g in m.groups() if g) for m in _PHONE.finditer(text)}


def _squeezed(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What a request of this submission would carry: its numbers (10 digits each), the
    company name, the contact email, and the codes typed so far (added as they come)."""

    numbers: frozenset[str]
    company: str
    email: str
    codes: frozenset[str] = frozenset()

    def with_code(self, code: str) -> Fingerprint:
        """The same, knowing one more code."""
        return Fingerprint(self.numbers, self.company, self.email, self.codes | {code})


@dataclass(frozen=True, slots=True)
class Body:
    """A request as the guard reads it: where it goes, and its body (None: none, or one the
    browser does not hand over, such as a file being uploaded)."""

    url: str
    body: bytes | None = None
    content_type: str = ""


@dataclass(frozen=True, slots=True)
class Read:
    """A request, read: the separate values it carries (query parameters, form fields, JSON
    strings and numbers, multipart parts) and all of it as one text (for what is not
    structured)."""

    values: tuple[str, ...]
    text: str


def read(request: Body) -> Read:
    """The values and the text of `request` (see the module docstring)."""
    parts = urlsplit(request.url)
    values: list[str] = []
    texts = [unquote(unquote(parts.path)), unquote_plus(unquote_plus(parts.query))]
    values += [v for _, v in parse_qsl(parts.query, keep_blank_values=False)]
    body = request.body
    if body:
        body = body[:MAX_BODY]
        kind = request.content_type.split(";")[0].strip().lower()
        text = body.decode("utf-8", "replace")
        if kind == "multipart/form-data":
            values += _multipart(request.content_type, body)
        elif kind in ("application/json", "text/json") or kind.endswith("+json"):
            values += _json_values(text)
        elif kind == "application/x-www-form-urlencoded":
            values += [v for _, v in parse_qsl(text, keep_blank_values=False)]
        else:  # plain text or a type the page made up: whatever parses is read as such
            values += _json_values(text) or [v for _, v in parse_qsl(text) if v]
        texts += [text, unquote_plus(text)]
    texts += values
    return Read(tuple(v for v in values if v), "\n".join(texts))


def _json_values(text: str) -> list[str]:
    try:
        value = json.loads(text)
    except ValueError:
        return []
    return list(_leaves(value, 0))


def _leaves(value: object, depth: int) -> Iterator[str]:
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _leaves(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item, depth + 1)
    elif isinstance(value, bool) or value is None:
        return
    else:
        yield str(value)


def _multipart(content_type: str, body: bytes) -> list[str]:
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", "replace") + body
    )
    if not message.is_multipart():
        return []
    values = []
    for part in message.iter_parts():
        if part.get_filename() is not None:
            values.append(str(part.get_filename()))
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            values.append(payload.decode("utf-8", "replace"))
    return values


def kinds(fingerprint: Fingerprint, found: Read) -> frozenset[Kind]:
    """Which of the submission's content `found` carries."""
    carried: set[Kind] = set()
    if phone_numbers(found.text) & fingerprint.numbers:
        carried.add("numbers")
    folded = _squeezed(found.text).casefold()
    company = _squeezed(fingerprint.company).casefold()
    if len(company) >= 3 and re.search(rf"(?<![0-9a-z]){re.escape(company)}(?![0-9a-z])", folded):
        carried.add("company name")
    if fingerprint.email and fingerprint.email.strip().casefold() in folded:
        carried.add("contact email")
    if any(
        re.search(rf"(?<![0-9A-Za-z]){re.escape(code)}(?![0-9A-Za-z])", found.text)
        for code in fingerprint.codes
    ):
        carried.add("verification code")
    return frozenset(carried)


def describe(carried: Iterable[Kind]) -> str:
    """How a person is told what a request carried: "the registration (its numbers and the
    company name)", "the contact email", "the contact email and the verification code"."""
    found = set(carried)
    registration = [k for k in KINDS if k in found and k in REGISTRATION]
    rest = [f"the {k}" for k in KINDS if k in found and k not in REGISTRATION]
    parts = []
    if registration:
        names = ["its numbers" if k == "numbers" else "the company name" for k in registration]
        parts.append(f"the registration ({' and '.join(names)})")
    parts += rest
    if not parts:
        return "nothing of the registration"
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


@dataclass(frozen=True, slots=True)
class Expected:
    """One value the person reviewed, as the submit request must carry it: a number (any
    spelling) or a text (exactly, spaces around it aside)."""

    field: str
    value: str

    @property
    def number(self) -> str | None:
        """Its 10 digits, when the value is a phone number."""
        return national(self.value)


@dataclass(frozen=True, slots=True)
class Mismatch:
    """How a submit request differs from the review: reviewed values it does not carry, and
    numbers it carries that nobody reviewed."""

    missing: tuple[Expected, ...] = ()
    unreviewed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.missing or self.unreviewed)

    def describe(self) -> str:
        """ "it lacks company name "Lakeside USD" and number 2 "6195550101"; it carries
        6195550199, which you did not review" """
        parts = []
        if self.missing:
            shown = "; ".join(f'{e.field} "{e.value}"' for e in self.missing)
            parts.append(f"it lacks {shown}")
        if self.unreviewed:
            parts.append(f"it carries {', '.join(self.unreviewed)}, which you did not review")
        return "; ".join(parts)


def compare(expected: Sequence[Expected], found: Read) -> Mismatch:
    """How the request `found` differs from what was reviewed (`expected`): every reviewed
    value must be in it (a number in any spelling; a text as a value of its own where the
    request has separate values, else as a whole word of its text), and it may carry no
    number that was not reviewed."""
    numbers = phone_numbers(found.text)
    reviewed_numbers = {n for n in (e.number for e in expected) if n}
    values = {_squeezed(v) for v in found.values}
    missing = []
    for item in expected:
        wanted = _squeezed(item.value)
        if not wanted:
            continue
        number = item.number
        if number is not None:
            ok = number in numbers
        elif values:
            ok = wanted in values
        else:
            ok = bool(re.search(rf"(?<!\w){re.escape(wanted)}(?!\w)", _squeezed(found.text)))
        if not ok:
            missing.append(item)
    unreviewed = tuple(sorted(numbers - reviewed_numbers))
    return Mismatch(tuple(missing), unreviewed)
