"""The request guard: every decision about a request leaving the browser, in one place.

The person's `submit` is worth only what the browser lets out. `assistant.browser.launch.
GuardedContext` shows this guard every request of its context (every page, frame, worker and
popup; every method; navigations, form posts, fetches, beacons) before it is sent, and does
what it says. The guard knows the submission (`Fingerprint`: its numbers, the company name,
the contact email, the codes typed) and the map's declared clicks, and decides in this order:

1. **After the decision** (`shut`): nothing leaves.
2. **Another host**: refused. A request to it that carries anything of the submission, or
   writes, is a violation; a plain load (an image, a popup) is only noted.
3. **A popup or another page** of the context: none of its requests leaves.
4. **The submit** (`submitting`, after the person typed `submit`): the first request that
   writes or carries the registration is the submission. It leaves only when it carries every
   value the person reviewed and no number they did not (`request_content.compare`), and
   only once; every later one is refused.
5. **A click of the map** (`clicking`): writes leave up to the number the map declares for
   that click (`writes:`; sending the code and verifying it: one each, a step's "continue":
   none), carrying nothing but what the map declares for it (the contact email and the code
   for those two). Anything more is refused and is a violation.
6. **Otherwise** the page acts by itself: a request the map declares (`allow_requests`,
   with what it may carry) leaves; any other write, or any request carrying anything of the
   submission, is refused and is a violation. Plain loads leave.

Recognising the content is the second line (content can be encoded or encrypted; base64 is
read, encryption is not); the first is the count of writes. Headers and the cookies a page set
are read for the registration and the code. A violation stops the run at once
(`RequestRefused`, raised by the session at its next step), with a sentence naming what
tried, what it carried and where.
A decision that raises refuses the request (`GuardedContext` fails closed).

Safe methods (GET, HEAD, OPTIONS) are not writes: they leave unless they carry something.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from urllib.parse import urlsplit

from assistant.browser import request_content
from assistant.browser.fence import HostList, normal_host
from assistant.browser.request_content import REGISTRATION, Body, Expected, Fingerprint, Kind
from assistant.log import get_logger

log = get_logger(__name__)

_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
# Methods that change nothing on a server (RFC 9110's safe methods).
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# What the person is told to do when the page did something the map does not declare.
REPAIR = (
    "Look at the portal in a browser; if it really needs this request now, declare it in a "
    "map of your own (`writes:` on that click, or `allow_requests:`; see "
    "docs/portal-maps.md), else report it"
)
# Kinds a click of the map may carry when it declares none: nothing.
NOTHING: frozenset[Kind] = frozenset()
EMAIL_AND_CODE: frozenset[Kind] = frozenset({"contact email", "verification code"})


@dataclass(frozen=True, slots=True)
class Seen:
    """What the guard needs of one request."""

    method: str
    url: str
    body: bytes | None = None
    content_type: str = ""
    own_page: bool = True  # made by the context's own page (not a popup or another page)
    headers: tuple[tuple[str, str], ...] = ()  # cookies the page set included
    unread_body: bool = False  # it has a body the browser does not hand over (a stream)

    @property
    def write(self) -> bool:
        """Whether the request may change something on the server."""
        return self.method.upper() not in SAFE_METHODS

    @property
    def host(self) -> str:
        """The host it goes to, as the guard compares hosts."""
        return normal_host(urlsplit(self.url).hostname or "")

    @property
    def port(self) -> int | None:
        """The port it goes to (the scheme's when the URL names none)."""
        parts = urlsplit(self.url)
        try:
            port = parts.port
        except ValueError:
            return None
        return port if port is not None else _DEFAULT_PORTS.get(parts.scheme.lower())

    def where(self, portal: HostList) -> str:
        """ "/fcr/submit" on the portal, "127.0.0.2:8000/x" elsewhere."""
        parts = urlsplit(self.url)
        path = parts.path or "/"
        return path if portal.allows(self.host, self.port) else f"{parts.netloc}{path}"

    def line(self) -> str:
        """ "POST 127.0.0.1:8765/fcr/submit", as the logs name a request."""
        parts = urlsplit(self.url)
        return f"{self.method.upper()} {parts.netloc}{parts.path}"


@dataclass(frozen=True, slots=True)
class Click:
    """A click of the map while it settles: how the person is told about it ("clicking
    "Continue to next step""), how many writes it may make, and what they may carry."""

    name: str
    writes: int = 0
    carries: frozenset[Kind] = NOTHING


@dataclass(frozen=True, slots=True)
class Declared:
    """A request the map says the portal sends by itself (`allow_requests`)."""

    name: str
    method: str
    url: str  # a glob over scheme://host/path
    carries: frozenset[Kind] = NOTHING

    def matches(self, request: Seen) -> bool:
        """Whether `request` is this one (query and fragment ignored)."""
        parts = urlsplit(request.url)
        bare = f"{parts.scheme}://{parts.netloc}{parts.path}"
        return request.method.upper() == self.method.upper() and fnmatchcase(bare, self.url)


@dataclass(frozen=True, slots=True)
class Released:
    """The one submit request the guard let out, and what it carried."""

    request: str  # "POST www.freecallerregistry.com/fcr/submit"
    numbers: tuple[str, ...]  # the numbers in it (10 digits each)

    def describe(self) -> str:
        """ "POST …/fcr/submit carrying 4 numbers" """
        count = len(self.numbers)
        return f"{self.request} carrying {count} number{'s' if count != 1 else ''}"


@dataclass(frozen=True, slots=True)
class Verdict:
    """Let the request out, or refuse it (`note`: why, for the log)."""

    allow: bool
    note: str = ""


@dataclass
class _Submit:
    expected: tuple[Expected, ...]
    writes: int
    named: Declared | None
    used: int = 0


@dataclass
class _Clicking:
    click: Click
    used: int = 0


@dataclass
class RequestGuard:
    """See the module docstring. Not thread-safe: Playwright calls it from one thread."""

    hosts: HostList
    fingerprint: Fingerprint
    declared: tuple[Declared, ...] = ()
    submit_request: Declared | None = None  # the map's own submit request, if it names one
    tried: list[str] = field(default_factory=list)  # what each violation was, in a few words
    blocked_hosts: list[str] = field(default_factory=list)
    blocked_writes: list[str] = field(default_factory=list)
    released: Released | None = None
    refused_submit: str | None = None  # why the submit request was not let out
    after_submit: list[str] = field(default_factory=list)  # refused once the submit went
    late: list[str] = field(default_factory=list)  # refused after the decision
    _clicking: _Clicking | None = None
    _submit: _Submit | None = None
    _shut: bool = False

    @classmethod
    def for_hosts(
        cls,
        hosts: Sequence[str],
        fingerprint: Fingerprint,
        declared: Sequence[Declared] = (),
        submit_request: Declared | None = None,
    ) -> RequestGuard:
        """A guard for a context that may talk to `hosts` only."""
        return cls(HostList.of(hosts), fingerprint, tuple(declared), submit_request)

    # -- phases ----------------------------------------------------------------------------

    def knows_code(self, code: str) -> None:
        """A code was typed: requests carrying it are recognised from now on."""
        self.fingerprint = self.fingerprint.with_code(code)

    def clicking(self, click: Click | None) -> None:
        """A click of the map settles from now on (None: it has settled)."""
        self._clicking = _Clicking(click) if click is not None else None

    def submitting(self, expected: Sequence[Expected] | None, writes: int = 1) -> None:
        """The person typed `submit`: the one submit request may leave if it carries exactly
        `expected` (None: the submit click has settled)."""
        if expected is None:
            self._submit = None
            return
        self._submit = _Submit(tuple(expected), writes, self.submit_request)

    def shut(self) -> None:
        """The context's decision is made: nothing leaves from now on."""
        self._shut = True
        self._clicking = None
        self._submit = None

    @property
    def is_submitting(self) -> bool:
        """Whether the submit click is being made and settles now."""
        return self._submit is not None

    def could_not_judge(self, method: str, url: str, error: BaseException) -> None:
        """A decision raised `error`: the request was refused, and the run stops."""
        seen = Seen(method, url)
        self.blocked_writes.append(seen.line())
        self._violation(
            f"the request guard could not judge {method.upper()} {seen.where(self.hosts)} "
            f"({type(error).__name__}), and refused it"
        )

    @property
    def is_shut(self) -> bool:
        """Whether nothing leaves any more."""
        return self._shut

    @property
    def violations(self) -> list[str]:
        """Each thing the page did that stops the run, as the person is told it."""
        return [
            f"{what}: the portal has changed; nothing was sent. {REPAIR}." for what in self.tried
        ]

    @property
    def violation(self) -> str | None:
        """The first thing the page did that stops the run, if any."""
        return self.violations[0] if self.tried else None

    @property
    def submit_stopped(self) -> str | None:
        """Why the submit request was stopped in the browser, when nothing was let out (its
        values were not those reviewed): nothing was sent, and no answer will come."""
        return self.refused_submit if self.released is None else None

    # -- the decision ----------------------------------------------------------------------

    def decide(self, request: Seen) -> Verdict:
        """Whether `request` may leave (see the module docstring)."""
        if self._shut:
            self.late.append(request.line())
            return Verdict(False, "the decision was made; nothing leaves any more")
        found = request_content.read(
            Body(request.url, request.body, request.content_type, request.headers)
        )
        carried = request_content.kinds(self.fingerprint, found)
        where = request.where(self.hosts)
        if not self.hosts.allows(request.host, request.port):
            return self._offsite(request, carried, where)
        if not request.own_page:
            if carried or request.write:
                self._violation(
                    f"a popup of the page tried to send {self._what(request, carried)} to {where}"
                )
            return Verdict(False, "a popup or a page other than the portal's own")
        if self._submit is not None:
            return self._submitting(request, carried, found)
        if self._clicking is not None:
            return self._during_click(request, carried, where)
        return self._by_itself(request, carried, where)

    def _offsite(self, request: Seen, carried: frozenset[Kind], where: str) -> Verdict:
        self.blocked_hosts.append(request.host)
        if request.write:
            self.blocked_writes.append(request.line())
        if carried or request.write:
            self._violation(
                f"{self._who()} tried to send {self._what(request, carried)} to {where}, which "
                "is not a host of this portal"
            )
        log.warning(
            "Blocked a request to %s: not a host of this portal.", request.host or request.url[:40]
        )
        return Verdict(False)

    def _submitting(
        self, request: Seen, carried: frozenset[Kind], found: request_content.Read
    ) -> Verdict:
        submit = self._submit
        assert submit is not None
        if not (request.write or carried & REGISTRATION):
            return Verdict(True)  # a load the submit causes (its answer, the next page)
        if submit.used >= submit.writes or self.refused_submit is not None:
            self.after_submit.append(request.line())
            self.blocked_writes.append(request.line())
            return Verdict(False, "the submit request has been decided; nothing more leaves")
        if submit.named is not None and not submit.named.matches(request):
            self.after_submit.append(request.line())
            self.blocked_writes.append(request.line())
            return Verdict(False, "not the submit request the map names")
        submit.used += 1
        if request.unread_body:
            self.refused_submit = (
                f"the submit request ({request.line()}) has a body the browser does not hand "
                "over, so it could not be checked against what you reviewed"
            )
            self.blocked_writes.append(request.line())
            return Verdict(False, self.refused_submit)
        mismatch = request_content.compare(submit.expected, found)
        if mismatch:
            self.refused_submit = (
                f"the submit request ({request.line()}) does not carry what you reviewed: "
                f"{mismatch.describe()}"
            )
            self.blocked_writes.append(request.line())
            return Verdict(False, self.refused_submit)
        # The registration's numbers it carries (the contact phone is a value of the form).
        found_numbers = request_content.phone_numbers(found.text) & self.fingerprint.numbers
        numbers = tuple(sorted(found_numbers))
        self.released = Released(request.line(), numbers)
        return Verdict(True)

    def _during_click(self, request: Seen, carried: frozenset[Kind], where: str) -> Verdict:
        clicking = self._clicking
        assert clicking is not None
        click = clicking.click
        extra = carried - click.carries
        if extra:
            self.blocked_writes.append(request.line())
            self._violation(
                f"clicking {click.name} tried to send {request_content.describe(extra)} to {where}"
            )
            return Verdict(False, f"it carries {request_content.describe(extra)}")
        if not request.write:
            return Verdict(True)
        if clicking.used < click.writes:
            clicking.used += 1
            return Verdict(True)
        self.blocked_writes.append(request.line())
        declared = (
            "no request for that click"
            if click.writes == 0
            else f"{click.writes} request{'s' if click.writes != 1 else ''} for that click"
        )
        self._violation(
            f"clicking {click.name} tried to send {request.method.upper()} {where}; the map "
            f"declares {declared}"
        )
        return Verdict(False, f"more writes than the map declares for {click.name}")

    def _by_itself(self, request: Seen, carried: frozenset[Kind], where: str) -> Verdict:
        for rule in self.declared:
            if rule.matches(request):
                extra = carried - rule.carries
                if not extra:
                    return Verdict(True)
                self.blocked_writes.append(request.line())
                self._violation(
                    f"the page's {rule.name} request tried to send "
                    f"{request_content.describe(extra)} to {where}"
                )
                return Verdict(False, f"it carries {request_content.describe(extra)}")
        if not (carried or request.write):
            return Verdict(True)
        self.blocked_writes.append(request.line())
        self._violation(
            f"the page tried to send {self._what(request, carried)} to {where} by itself, "
            "with no button pressed"
        )
        return Verdict(False, "the page sent it by itself, not through a button of the map")

    # -- words -----------------------------------------------------------------------------

    def _who(self) -> str:
        if self._clicking is not None:
            return f"clicking {self._clicking.click.name}"
        return "the page"

    @staticmethod
    def _what(request: Seen, carried: frozenset[Kind]) -> str:
        if carried:
            return request_content.describe(carried)
        return f"a {request.method.upper()} request"

    def _violation(self, what: str) -> None:
        if what not in self.tried:
            self.tried.append(what)
        log.info("Blocked: %s", what)  # the run says it in full when it stops
