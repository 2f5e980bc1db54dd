"""What a request leaving the browser carries of a submission, read as a server would read it.

The request guard (`assistant.browser.request_guard`) asks two questions of every request: does it
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

import base64
import binascii
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
# exchange and line, separated by nothing, spaces, dots or dashes (never a line break: two
# values of a form are not one number), the area code perhaps in brackets. Letters, digits or
# `_` right before or after make it part of something else.
_SEP = r"[ \t.\-\u00a0]?"
_PHONE = re.compile(
    rf"(?<![0-9A-Za-z_])(?:\+?1{_SEP})?(?:\(([2-9]\d{{2}})\)|([2-9]\d{{2}})){_SEP}"
    rf"(\d{{3}}){_SEP}(\d{{4}})(?![0-9A-Za-z_])"
)
# A value written as a number with any separators at all ("6 1 9 5 5 5 0 1 0 0").
_LOOSE = re.compile(r"[\d\s().+\-]+")
_SPACES = re.compile(r"\s+")
# Text that may be base64 (standard or URL-safe) hiding what a request carries.
_BASE64 = re.compile(r"[A-Za-z0-9+/_-]{8,}={0,2}")
_DECODED_MAX = 256 * 1024  # what all decoded base64 may add to the text read


def national(value: str) -> str | None:
    """The 10 digits of a North American number written alone in `value` (any common
    spelling), else None."""
    match = _PHONE.fullmatch(value.strip())
    return "".join(g for g in match.groups() if g) if match else None


def loose_number(value: str) -> str | None:
    """The 10 digits of a value made only of a number's digits and separators, however
    spaced ("6 1 9 5 5 5 0 1 0 0", "(619)555 0100"), else None."""
    if not _LOOSE.fullmatch(value.strip() or "x"):
        return None
    digits = re.sub(r"\D", "", value)
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    return digits if len(digits) == 10 and digits[0] in "23456789" else None


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
    """A request as the guard reads it: where it goes, its headers, and its body (None: none,
    or one the browser does not hand over)."""

    url: str
    body: bytes | None = None
    content_type: str = ""
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Read:
    """A request, read: its named values (query parameters, form fields, multipart parts,
    JSON's top-level keys), every value it carries (also JSON's deeper ones), all of it as one
    text (for what is not structured; base64 in it decoded too), its headers' values as text,
    and whether its body was longer than what is read."""

    values: tuple[str, ...]
    text: str
    fields: tuple[tuple[str, str], ...] = ()
    headers: str = ""
    truncated: bool = False


def read(request: Body) -> Read:
    """The values and the text of `request` (see the module docstring)."""
    parts = urlsplit(request.url)
    pairs = parse_qsl(parts.query, keep_blank_values=False)
    fields: list[tuple[str, str]] = list(pairs)
    values: list[str] = [v for _, v in pairs]
    texts = [unquote(unquote(parts.path)), unquote_plus(unquote_plus(parts.query))]
    body = request.body
    truncated = False
    if body:
        truncated = len(body) > MAX_BODY
        body = body[:MAX_BODY]
        kind = request.content_type.split(";")[0].strip().lower()
        text = body.decode("utf-8", "replace")
        json_kind = kind in ("application/json", "text/json") or kind.endswith("+json")
        parsed: object = None
        if kind == "multipart/form-data":
            found = _multipart(request.content_type, body)
        elif kind == "application/x-www-form-urlencoded":
            found = parse_qsl(text, keep_blank_values=False)
        else:  # JSON, plain text or a type the page made up: whatever parses is read as such
            parsed = _json(text)
            found = _top_level(parsed)
            if not json_kind and not found:
                found = [(k, v) for k, v in parse_qsl(text) if v]
        fields += [(k, v) for k, v in found if k]
        values += [v for _, v in found]
        if parsed is not None and (json_kind or not found):
            values += _leaves(parsed, 0)
        texts += [text, unquote_plus(text)]
    texts += values
    headers = "\n".join(v for _, v in request.headers)
    joined = "\n".join(texts)
    decoded = _decoded(f"{joined}\n{headers}")
    return Read(
        tuple(v for v in values if v),
        f"{joined}\n{decoded}" if decoded else joined,
        tuple(fields),
        f"{headers}\n{unquote_plus(headers)}",
        truncated,
    )


def _decoded(text: str) -> str:
    """What the base64 tokens of `text` decode to, where that is text."""
    out: list[str] = []
    size = 0
    for token in _BASE64.findall(text):
        raw = token.rstrip("=")
        padded = raw + "=" * (-len(raw) % 4)
        for alphabet in (None, b"-_"):
            try:
                data = base64.b64decode(padded, altchars=alphabet, validate=True)
            except (binascii.Error, ValueError):
                continue
            try:
                plain = data.decode("utf-8")
            except UnicodeDecodeError:
                continue
            if plain.isprintable() or all(c.isprintable() or c.isspace() for c in plain):
                out.append(unquote_plus(plain))
                size += len(plain)
            break
        if size > _DECODED_MAX:
            break
    return "\n".join(out)


def _json(text: str) -> object:
    """`text` read as JSON, parsed once (None when it is not JSON, or is `null`)."""
    try:
        parsed: object = json.loads(text)
    except ValueError:
        return None
    return parsed


def _top_level(value: object) -> list[tuple[str, str]]:
    """A JSON object's top-level keys and values (a value that is not a scalar: "")."""
    if not isinstance(value, dict):
        return []
    return [
        (str(k), str(v) if isinstance(v, str | int | float) and not isinstance(v, bool) else "")
        for k, v in value.items()
    ]


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


def _multipart(content_type: str, body: bytes) -> list[tuple[str, str]]:
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", "replace") + body
    )
    if not message.is_multipart():
        return []
    fields = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        key = name if isinstance(name, str) else ""
        if part.get_filename() is not None:
            fields.append((key, str(part.get_filename())))
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            fields.append((key, payload.decode("utf-8", "replace")))
    return fields


def numbers_in(found: Read) -> set[str]:
    """Every number `found` carries: standing on its own in its text, or written as a value of
    its own however it is spaced."""
    loose = {n for n in (loose_number(v) for v in found.values) if n}
    return phone_numbers(found.text) | loose


def kinds(fingerprint: Fingerprint, found: Read) -> frozenset[Kind]:
    """Which of the submission's content `found` carries. Headers (a cookie a page set, a
    header of its own) are searched for the registration and the code; the email is looked
    for in the URL and the body only (a portal's own cookie may well hold it)."""
    carried: set[Kind] = set()
    numbers = numbers_in(found) | phone_numbers(found.headers)
    if numbers & fingerprint.numbers:
        carried.add("numbers")
    folded = _squeezed(f"{found.text}\n{found.headers}").casefold()
    company = _squeezed(fingerprint.company).casefold()
    if len(company) >= 3 and re.search(rf"(?<![0-9a-z]){re.escape(company)}(?![0-9a-z])", folded):
        carried.add("company name")
    if fingerprint.email and fingerprint.email.strip().casefold() in found.text.casefold():
        carried.add("contact email")
    if any(
        re.search(
            rf"(?<![0-9A-Za-z]){re.escape(code)}(?![0-9A-Za-z])", f"{found.text} {found.headers}"
        )
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
    spelling) or a text (exactly, spaces around it aside), under its form field name `key`
    when the element has one."""

    field: str
    value: str
    key: str = ""

    @property
    def number(self) -> str | None:
        """Its 10 digits, when the value is a phone number."""
        return national(self.value)

    def matches(self, value: str) -> bool:
        """Whether `value` is this value as a request may spell it."""
        number = self.number
        if number is not None:
            return number in (national(value), loose_number(value))
        return _squeezed(value) == _squeezed(self.value)


@dataclass(frozen=True, slots=True)
class Mismatch:
    """How a submit request differs from the review: reviewed values it does not carry (or
    carries otherwise under their own name), numbers it carries that nobody reviewed, and a
    body too long to read whole."""

    missing: tuple[Expected, ...] = ()
    unreviewed: tuple[str, ...] = ()
    too_long: bool = False

    def __bool__(self) -> bool:
        return bool(self.missing or self.unreviewed or self.too_long)

    def describe(self) -> str:
        """ "it lacks company name "Lakeside USD" and number 2 "6195550101"; it carries
        6195550199, which you did not review" """
        parts = []
        if self.too_long:
            parts.append(f"it is longer than the {MAX_BODY} bytes that can be checked")
        if self.missing:
            shown = "; ".join(f'{e.field} "{e.value}"' for e in self.missing)
            parts.append(f"it lacks {shown}")
        if self.unreviewed:
            parts.append(f"it carries {', '.join(self.unreviewed)}, which you did not review")
        return "; ".join(parts)


def compare(expected: Sequence[Expected], found: Read) -> Mismatch:
    """How the request `found` differs from what was reviewed (`expected`).

    Every reviewed value must be in it: under its own form field name, once and as reviewed,
    where the request names its values (a form post); else as a value of its own; else as a
    whole word of its text. It may carry no number that was not reviewed (in any spelling, a
    value of its own however spaced), and must have been read whole."""
    numbers = numbers_in(found)
    reviewed_numbers = {n for n in (e.number for e in expected) if n}
    named: dict[str, list[str]] = {}
    for key, value in found.fields:
        named.setdefault(key, []).append(value)
    values = {_squeezed(v) for v in found.values}
    text = _squeezed(found.text)
    missing = []
    for item in expected:
        wanted = _squeezed(item.value)
        if not wanted:
            continue
        if item.key and item.key in named:
            ok = len(named[item.key]) == 1 and item.matches(named[item.key][0])
        elif item.number is not None:
            ok = item.number in numbers
        elif values:
            ok = wanted in values
        else:
            ok = bool(re.search(rf"(?<!\w){re.escape(wanted)}(?!\w)", text))
        if not ok:
            missing.append(item)
    unreviewed = tuple(sorted(numbers - reviewed_numbers))
    return Mismatch(tuple(missing), unreviewed, found.truncated)
