"""Where a portal is: one spelling of every host, and the registries known by their hosts.

A host is compared and stored in one form only, `host_of(url)`: lower case, the trailing dot
of a fully qualified name dropped ("www.freecallerregistry.com." is the same site), the port
kept unless it is the scheme's default (80 for http, 443 for https), a Unicode name in its
IDNA `xn--` form (what the browser actually asks DNS for), an IPv6 address compressed and in
brackets: "www.freecallerregistry.com", "127.0.0.1:8765", "xn--bcher-kva.example", "[::1]:9000".
A host that cannot be written that way is refused (`InvalidHost`) rather than guessed at.

The ledger files a submission under the registry its host belongs to (`registry_of`): a copy
of a shipped map under another name, or a URL spelt differently, is still the same registry.

Nothing here talks to the network or imports the browser.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from encodings import idna
from urllib.parse import urlsplit

from assistant.errors import UsageError
from assistant.terminal_text import literal

# The registries by where they are. The Free Caller Registry is at www.freecallerregistry.com
# (its maps' start URL); the TNS robocall feedback form (TRF) and Verizon's voice spam feedback
# form (VSF) are its sister forms on the same engine, at reportarobocall.com/trf/ and
# voicespamfeedback.com/vsf/ (/work/shared/portal-facts.md, "Sister forms on the same TNS form
# engine"). Each is known with and without `www.`: both names reach the same registry.
REGISTRY_HOSTS: dict[str, str] = {
    "www.freecallerregistry.com": "fcr",
    "freecallerregistry.com": "fcr",
    "reportarobocall.com": "trf",
    "www.reportarobocall.com": "trf",
    "voicespamfeedback.com": "vsf",
    "www.voicespamfeedback.com": "vsf",
}

DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_NAME = 253  # characters of a whole DNS name, dots included
MAX_LABEL = 63
SHOWN = 80  # characters of a refused host quoted back

# Written differently by IDNA 2003 (Python's codec maps them away: "faß" -> "fass") and by
# browsers (UTS 46, which keeps them: "xn--fa-hia"); a name holding one could be filed under a
# host the browser never reached. Refused, with the xn-- spelling as the way out.
_DEVIATIONS = {"\u00df": "ß", "\u03c2": "ς", "\u200c": "U+200C", "\u200d": "U+200D"}
_DOTS = re.compile("[.\u3002\uff0e\uff61]")  # the full stops IDNA separates labels with
_ASCII_LABEL = re.compile(r"[a-z0-9_-]+")


class InvalidHost(UsageError, ValueError):
    """A URL or host name that is not a valid host (exit 2); a `ValueError` too, so that a map
    holding one is refused at load like any other invalid value."""


def quoted(text: str) -> str:
    """`text` in double quotes as a message may show it: escaped, and cut short."""
    short = text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"
    return f'"{literal(short)}"'


def _refuse(name: str, reason: str) -> InvalidHost:
    return InvalidHost(f"{quoted(name)} is not a valid host name: {reason}")


def _label(label: str, name: str) -> str:
    """One label of a domain name in its ASCII (IDNA) form, lower case."""
    if not label:
        raise _refuse(name, "it has an empty label (two dots in a row, or a dot at the start)")
    if label.isascii():
        ascii_label = label.lower()
        if ascii_label.startswith("xn--"):
            try:
                idna.ToUnicode(ascii_label.encode("ascii"))
            except UnicodeError:
                raise _refuse(name, f'"{ascii_label}" is not a valid xn-- (IDNA) label') from None
    else:
        for char, shown in _DEVIATIONS.items():
            if char in label:
                raise _refuse(
                    name,
                    f"{shown} is written differently by browsers and by IDNA 2003; "
                    "write the name in its xn-- form",
                )
        try:
            ascii_label = idna.ToASCII(label).decode("ascii").lower()
        except UnicodeError as error:
            raise _refuse(name, f"{quoted(label)} is not valid IDNA ({error})") from None
    if len(ascii_label) > MAX_LABEL:
        raise _refuse(name, f"a label is longer than {MAX_LABEL} characters")
    if not _ASCII_LABEL.fullmatch(ascii_label):
        raise _refuse(name, "it holds a character a host name cannot have")
    return ascii_label


def normal_name(name: str) -> str:
    """A host name alone (no port) in its one form: an IP address canonical (IPv6 without
    brackets, as a URL's `hostname` gives it), a domain name in lower case, IDNA `xn--`
    labels, without its trailing dot. Raises `InvalidHost`."""
    if not name:
        raise InvalidHost("the URL has no host name")
    bare = name[1:-1] if name.startswith("[") and name.endswith("]") else name
    if ":" in bare:
        if "%" in bare:
            raise _refuse(name, "an IPv6 zone (%…) cannot be used in a URL")
        try:
            return ipaddress.IPv6Address(bare).compressed
        except ValueError:
            raise _refuse(name, "it is not a valid IPv6 address") from None
    labels = _DOTS.split(bare)
    if len(labels) > 1 and labels[-1] == "":
        labels.pop()  # the trailing dot of a fully qualified name
    ascii_name = ".".join(_label(label, name) for label in labels)
    if len(ascii_name) > MAX_NAME:
        raise _refuse(name, f"it is longer than {MAX_NAME} characters")
    try:
        return str(ipaddress.IPv4Address(ascii_name))
    except ValueError:
        return ascii_name


def join(name: str, port: int | None) -> str:
    """`name` (normalised) and `port` as the journal files them: "[::1]:9000"."""
    shown = f"[{name}]" if ":" in name else name
    return f"{shown}:{port}" if port is not None else shown


def host_of(url: str) -> str:
    """The host `url` points at, in its one form ("https://WWW.FreeCallerRegistry.com.:443/x"
    -> "www.freecallerregistry.com"; "http://127.0.0.1:8765/" -> "127.0.0.1:8765").
    Raises `InvalidHost` for a URL without a valid host or with an invalid port."""
    try:
        parts = urlsplit(url)
    except ValueError as error:  # "Invalid IPv6 URL": a bracket not closed
        raise InvalidHost(f"{quoted(url)} is not a valid URL: {error}") from None
    try:
        port = parts.port
    except ValueError:
        raise InvalidHost(f"{quoted(url)} has an invalid port") from None
    name = normal_name(parts.hostname or "")
    if port == DEFAULT_PORTS.get(parts.scheme.lower()):
        port = None
    return join(name, port)


def normal_host(host: str) -> str:
    """A host as the journal filed it ("name" or "name:port", IPv6 in brackets) in its one
    form; the port is kept whatever it is (which scheme it was for is not known here)."""
    try:
        parts = urlsplit(f"//{host}")
    except ValueError as error:
        raise InvalidHost(f"{quoted(host)} is not a valid host: {error}") from None
    try:
        port = parts.port
    except ValueError:
        raise InvalidHost(f"{quoted(host)} has an invalid port") from None
    return join(normal_name(parts.hostname or ""), port)


def name_of(host: str) -> str:
    """The name of a normalised host, without its port or brackets."""
    try:
        return urlsplit(f"//{host}").hostname or ""
    except ValueError:
        return ""


def registry_of(host: str) -> str | None:
    """The registry a normalised host belongs to (`REGISTRY_HOSTS`, whatever the port), or
    None for a host no registry is known at."""
    return REGISTRY_HOSTS.get(name_of(host))


def registry_hosts(registry: str) -> list[str]:
    """The hosts `registry` is known at, in the table's order ([] for an unknown one)."""
    return [host for host, name in REGISTRY_HOSTS.items() if name == registry]


def browser_names(name: str) -> list[str]:
    """The spellings of the host name `name` a browser's requests to it may carry (what a
    URL's `hostname` gives): its one form and, for a domain name, the same with the trailing
    dot a URL may keep ("www.example.com", "www.example.com."). Raises `InvalidHost`."""
    normal = normal_name(name)
    try:
        ipaddress.ip_address(normal)
    except ValueError:
        return [normal, f"{normal}."]
    return [normal]


def allow_list(url: str | None, hosts: Sequence[str]) -> list[str]:
    """The host names a browser may talk to, every spelling its requests may carry: the `url`'s
    host and port alone when a run is pointed elsewhere (`--url`, as written: its trailing dot
    is kept, a Unicode name becomes its xn-- form; "127.0.0.1:8765"), else `hosts` (a map's
    `allowed_hosts`, any port)."""
    if not url:
        return [spelling for name in hosts for spelling in browser_names(name)]
    # A run pointed elsewhere reaches that port only: nothing else on the machine it names.
    parts = urlsplit(url)
    port = parts.port or DEFAULT_PORTS.get(parts.scheme.lower())
    return [join(spelling, port) for spelling in browser_names(name_of(host_of(url)))]
