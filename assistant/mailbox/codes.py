"""Which mail is a code mail, and the code in it: pure functions over parsed messages.

A code mail is from the sender (exactly its address, not a look-alike or a display name) to the
submission's contact address (To or Cc, exactly). Its code is, in this order:

1. in the subject after "Verification Code" — "Free Caller Registry Verification Code: [12345]"
   (the newer mails);
2. at the very end of the subject — "… Verification Code 12345" (the older mails);
3. in the body after "Verification Code" (plain text, or the HTML's text).

A number anywhere else (a signature, an address, a phone number) is never taken, and a mail that
names two different codes in the same place is ambiguous and not taken at all.
"""

from __future__ import annotations

import re
from email.message import EmailMessage
from email.utils import getaddresses
from html.parser import HTMLParser


def _labelled(digits: int) -> re.Pattern[str]:
    # "Verification Code: [12345]", "verification code is 12345", "Verification Code - 12345"
    return re.compile(
        rf"verification\s+code\s*(?:is\b)?\s*[:\-–]?\s*\[?\s*(?<!\d)(\d{{{digits}}})(?!\d)",
        re.IGNORECASE,
    )


def _trailing(digits: int) -> re.Pattern[str]:
    # The subject's last word is the code: "... Code 12345", "...: 12345.", "... [12345]"
    return re.compile(rf"(?<!\w)\[?(\d{{{digits}}})\]?[.!]?\s*$")


def _raw(message: EmailMessage, *headers: str) -> list[str]:
    # The headers as received: the modern parser reads `no-reply@tnsi.com <phish@evil.example>`
    # as no-reply@tnsi.com alone, which would let a look-alike pass for the sender.
    wanted = {h.lower() for h in headers}
    return [str(value) for name, value in message.raw_items() if name.lower() in wanted]


def addresses(message: EmailMessage, *headers: str) -> set[str]:
    """The lowercased addresses in these headers (display names dropped)."""
    return {a.strip().lower() for _, a in getaddresses(_raw(message, *headers)) if a.strip()}


def is_from(message: EmailMessage, sender: str) -> bool:
    """Whether the From header is exactly `sender`: one From header, one address, no other
    address hiding in a display name (case-insensitive)."""
    raw = _raw(message, "From")
    if len(raw) != 1 or raw[0].count("@") != 1:
        return False
    return addresses(message, "From") == {sender.strip().lower()}


def is_to(message: EmailMessage, email: str) -> bool:
    """Whether `email` is among the To and Cc addresses."""
    return email.strip().lower() in addresses(message, "To", "Cc")


def find_code(message: EmailMessage, digits: int = 5) -> str | None:
    """The code the mail holds (see the module docstring), or None."""
    subject = str(message.get("Subject", "") or "")
    labelled, trailing = _labelled(digits), _trailing(digits)
    for found in (
        set(labelled.findall(subject)),
        set(trailing.findall(subject.strip())),
        set(labelled.findall(body_text(message))),
    ):
        if len(found) == 1:
            return str(found.pop())
        if len(found) > 1:
            return None  # two different codes where one belongs: take neither
    return None


def body_text(message: EmailMessage) -> str:
    """The mail's text: its plain part, else its HTML part's text (tags and scripts dropped)."""
    part = message.get_body(preferencelist=("plain", "html"))
    if not isinstance(part, EmailMessage):
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError):  # an unknown charset or a broken encoding
        return ""
    if not isinstance(content, str):
        return ""
    if part.get_content_subtype() == "html":
        return _HtmlText.of(content)
    return content


class _HtmlText(HTMLParser):
    """The visible text of an HTML body."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    @classmethod
    def of(cls, html: str) -> str:
        parser = cls()
        parser.feed(html)
        parser.close()
        return " ".join(parser.parts)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head", "title"):
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head", "title") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)
