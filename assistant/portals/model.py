"""The shape of a portal map: which steps a portal has and what each one asks for.

A map is data (`assistant/portals/<name>.yaml`). It names every element the assistant touches
by anchors tried in order of certainty (id, label, role and accessible name, placeholder,
name, type, autocomplete, CSS), which profile value goes where and in which format, which
fields the portal may not have (`when_present`), which buttons move on, where the human gates
sit and how success is recognised on the page. Every model forbids unknown keys, so a typo in
a map is an error at load. Nothing in a map may rely on a marker a page sets for us.

Invariant checked here, at load: the map has exactly one `submit` action, and the action right
before it is the `review` gate, so nothing can be sent that a human has not just reviewed.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from assistant.hosts import host_of as host_of  # also known here, where maps' hosts are read
from assistant.hosts import normal_name, quoted, registry_hosts, registry_of
from assistant.portals.limits import NUMBERS_PER_SUBMISSION
from assistant.profiles.model import Profile
from assistant.terminal_text import excerpt

# How a profile value is written into a field (see `assistant.portals.plan.format_value`).
ValueFormat = Literal[
    "text",  # as the profile holds it
    "state_code",  # "CA"
    "state_name",  # "California"
    "phone_digits",  # "6195550142"
    "phone_dashed",  # "619-555-0142"
    "phone_e164",  # "+16195550142"
    "count",  # monthly calls as a plain number, "12000"
    "range",  # monthly calls as the select option whose range contains it
    # the whole address on one line, "100 Main St, Suite 200, Lakeside, CA 92040" (value:
    # company.address), for a form with one address field
    "address_line",
]
# The one group of values a field may take whole, written on one line (format address_line).
ONE_LINE_GROUPS = frozenset({"company.address"})
WriteKind = Literal["text", "select", "checkbox", "upload"]
# How a select's live options are matched against the wanted value (always ignoring case).
MatchRule = Literal["value", "label", "value_or_label", "range"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# The kinds of anchor a target may list, most certain first as maps usually order them.
ANCHOR_KINDS = (
    "id",
    "label",
    "role",
    "placeholder",
    "name",
    "type",
    "autocomplete",
    "options",
    "css",
)


def text_pattern(text: str) -> tuple[str, bool]:
    """How a label, accessible name or placeholder is matched: `(pattern, is_regex)`.

    `/…/` is a regular expression searched case-insensitively; anything else matches when equal
    ignoring case, surrounding spaces and punctuation ("Send Verification Code!" = "send
    verification code").
    """
    if len(text) >= 2 and text.startswith("/") and text.endswith("/"):
        return text[1:-1], True
    return text, False


def _shown(text: str) -> str:
    """A text to match as a message shows it: a regex as `/…/`, anything else in quotes."""
    return text if text_pattern(text)[1] else f'"{text}"'


class Anchor(_Model):
    """One way to find an element: exactly one of `id`, `label`, `role` (with `name`, its
    accessible name), `placeholder`, `name` (alone: the form field's `name` attribute), `type`
    (an input's type), `autocomplete`, `options` (`ranges`: a select whose options are numeric
    ranges) or `css`."""

    id: str | None = None
    label: str | None = None
    role: str | None = None
    name: str | None = None
    placeholder: str | None = None
    type: str | None = None
    autocomplete: str | None = None
    options: Literal["ranges"] | None = None
    css: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Anchor:
        kinds = [k for k in ANCHOR_KINDS if getattr(self, k) and not (k == "name" and self.role)]
        if len(kinds) != 1:
            raise ValueError(
                "an anchor needs exactly one of id, label, role (+ name), placeholder, name, "
                "type, autocomplete, options or css"
            )
        for key in ("label", "name", "placeholder"):
            pattern, is_regex = text_pattern(getattr(self, key) or "")
            if is_regex:
                try:
                    re.compile(pattern)
                except re.error as error:
                    raise ValueError(f"{key} is not a valid regular expression: {error}") from None
        return self

    @property
    def kind(self) -> str:
        """Which kind of anchor this is ("id", "role", …)."""
        return next(k for k in ANCHOR_KINDS if getattr(self, k) and not (k == "name" and self.role))

    def describe(self) -> str:
        """A short human name: `#id`, `label "X"`, `button "Send code"`, `button /send.*code/`,
        `type=email`…"""
        if self.id:
            return f"#{self.id}"
        if self.role:
            return f"{self.role} {_shown(self.name)}" if self.name else f"any {self.role}"
        if self.label:
            return f"label {_shown(self.label)}"
        if self.placeholder:
            return f"placeholder {_shown(self.placeholder)}"
        if self.name:
            return f'name="{self.name}"'
        if self.type:
            return f"type={self.type}"
        if self.autocomplete:
            return f"autocomplete={self.autocomplete}"
        if self.options:
            return f"a select of {self.options}"
        return str(self.css)

    def with_index(self, index: int) -> Anchor:
        """This anchor with `{i}` replaced by a row index."""
        data = {
            k: v.replace("{i}", str(index)) if isinstance(v, str) else v
            for k, v in self
            if v is not None
        }
        return Anchor(**data)


class Target(_Model):
    """Which element: a list of anchors tried in order (`any:`); the first that finds exactly
    one visible element wins. A mapping with one anchor's keys (`{id: x}`) is short for a
    one-item `any:`, and a plain string for a CSS selector.

    `expect_label` records the label a person sees next to the element; `assistant check`
    reports when the live label reads differently (the element is still found by its anchor).
    """

    any: tuple[Anchor, ...] = Field(min_length=1)
    expect_label: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"any": [{"css": data}]}
        if isinstance(data, dict) and "any" not in data:
            anchor = {k: v for k, v in data.items() if k != "expect_label"}
            out: dict[str, Any] = {"any": [anchor]}
            if "expect_label" in data:
                out["expect_label"] = data["expect_label"]
            return out
        return data

    @classmethod
    def of(cls, **anchor: str) -> Target:
        """A target with one anchor, e.g. `Target.of(id="captcha")`."""
        return cls.model_validate(anchor)

    @property
    def first(self) -> Anchor:
        """The most certain anchor (listed first)."""
        return self.any[0]

    def describe(self) -> str:
        """A short human name for the element, by its first anchor."""
        return self.first.describe()

    def with_index(self, index: int) -> Target:
        """This target with `{i}` replaced by a row index (for repeated number rows)."""
        return Target(
            any=tuple(a.with_index(index) for a in self.any), expect_label=self.expect_label
        )


def profile_path_error(path: str) -> None:
    """Raise ValueError unless `path` names a scalar of `Profile` ("company.address.state")."""
    model: type[BaseModel] = Profile
    parts = path.split(".")
    for depth, part in enumerate(parts):
        info = model.model_fields.get(part)
        if info is None:
            known = ", ".join(model.model_fields)
            where = ".".join(parts[:depth]) or "the profile"
            raise ValueError(f'"{excerpt(path)}" is not a profile value: {where} has {known}')
        annotation = info.annotation
        nested = [t for t in getattr(annotation, "__args__", (annotation,)) if isinstance(t, type)]
        sub = next((t for t in nested if issubclass(t, BaseModel)), None)
        if depth == len(parts) - 1:
            if sub is not None or part == "numbers":
                raise ValueError(f'"{excerpt(path)}" is a group of values, not one value')
        elif sub is None:
            raise ValueError(f'"{excerpt(path)}" goes below {part}, which is a single value')
        else:
            model = sub


class KnownOptions(_Model):
    """Options of a select that the portal facts confirm, known before any page was seen:
    `validate` and `plan` warn about a profile value not among them (the options a page
    showed, remembered by `check` and `fill`, take their place once there are some).

    `labels` (for `match: label`) or `values` (for `match: value`) as the facts give them, or
    `ranges` (for `match: range`); `partial`: the facts name only some of the options (the
    portal may offer a value not listed); `sure`: how sure the facts are (HIGH, MED, LOW, or
    `unrated` where they say it without a rating); `source`: where they say it.
    """

    labels: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    ranges: tuple[str, ...] = ()
    partial: bool
    sure: Literal["HIGH", "MED", "LOW", "unrated"]
    source: str

    @model_validator(mode="after")
    def _one_kind(self) -> KnownOptions:
        if sum(1 for kind in (self.labels, self.values, self.ranges) if kind) != 1:
            raise ValueError("give one of labels, values or ranges, with at least one option")
        return self

    @property
    def options(self) -> tuple[tuple[str, str], ...]:
        """As (value, label) pairs: a label's value, or a value's label, is itself."""
        return tuple((o, o) for o in (*self.labels, *self.values, *self.ranges))

    def fits(self, match: MatchRule) -> bool:
        """Whether these options can be matched under `match`."""
        if self.ranges:
            return match == "range"
        return match in ("value_or_label", "label" if self.labels else "value")


class FieldAction(_Model):
    """Write one profile value (a dotted path into the profile, or a constant) into one element."""

    field: str
    value: str | None = None  # dotted path into Profile, e.g. "company.address.state"
    const: str | None = None
    target: Target
    write: WriteKind = "text"
    format: ValueFormat = "text"
    match: MatchRule = "value"
    optional: bool = False  # an empty profile value leaves the element empty
    # The facts do not say whether the portal has this field: fill and read it back where the
    # page has it; where it has not, the review says "not on this portal". Never an error.
    when_present: bool = False
    known_options: KnownOptions | None = None  # a select's options the facts confirm

    @field_validator("value")
    @classmethod
    def _profile_path(cls, value: str | None) -> str | None:
        if value is not None and value not in ONE_LINE_GROUPS:
            profile_path_error(value)
        return value

    @model_validator(mode="after")
    def _value_or_const(self) -> FieldAction:
        if (self.value is None) == (self.const is None):
            raise ValueError("give exactly one of value (a profile path) or const")
        if (self.format == "address_line") != (self.value in ONE_LINE_GROUPS):
            raise ValueError(
                "format address_line and value company.address go together: the address is "
                "written whole, on one line, only where a form has one field for it"
            )
        if self.format == "range" and (self.write != "select" or self.match != "range"):
            raise ValueError("format range needs write: select and match: range")
        known = self.known_options
        if known is not None and (self.write != "select" or not known.fits(self.match)):
            raise ValueError(
                "known_options needs write: select, and labels for match: label, values for "
                "match: value, ranges for match: range (either of the first two for "
                "value_or_label)"
            )
        return self


class RowsAction(_Model):
    """The profile's numbers, one per repeated row; `{i}` in the targets is the 0-based row.

    A row may exist already, appear as the previous one is typed, or appear when `add` is
    clicked. `display_name_when_present`: the facts do not say whether rows carry a caller
    name; where the page has none, the review says so.
    """

    rows: Literal["numbers"]
    number: Target
    display_name: Target | None = None
    display_name_when_present: bool = False
    add: Target | None = None  # a button that adds a row; without it a row appears by itself
    format: ValueFormat = "phone_digits"


# Where a page shows that something went wrong: regions, not one element (CSS).
ERROR_REGIONS = '[role="alert"], .error, .error-summary, .alert-danger, .alert-error'


# What a request may carry of a submission, as the request guard recognises it
# (`assistant.browser.request_content`); a map declares what a click's or a request's writes may
# carry.
Carried = Literal["contact email", "verification code", "numbers", "company name"]


class ClickAction(_Model):
    """Click a button that moves on (never the submit button: that is `submit`).

    While its effects settle, the click may send at most `writes` requests that write (POST,
    PUT, a beacon…), carrying at most what `carries` names of the submission; sending the code
    is one write carrying the contact email, a step's "continue" none. Anything more is
    refused by the request guard and stops the run. With `expect`, the click worked once that
    element is visible. For clicks that are safe to repeat (sending the code, never the
    submit): `retry_on`, where the page shows its "try again" message (a CSS selector of
    regions), and how many clicks at most (each with its own `writes`).
    """

    click: Target
    # How personal overrides, `assistant learn` and `assistant map` name this button ("send
    # code"); unnamed buttons are "button 1", "button 2"… in the order of their step.
    name: str = ""
    expect: Target | None = None
    retry_on: str | None = None
    attempts: int = Field(default=1, ge=1, le=5)
    writes: int = Field(default=0, ge=0, le=5)
    carries: tuple[Carried, ...] = ()

    @model_validator(mode="after")
    def _registration_only_at_submit(self) -> ClickAction:
        if {"numbers", "company name"} & set(self.carries):
            raise ValueError(
                "only the submit may carry the registration (numbers, company name); a click "
                "may carry the contact email and the verification code"
            )
        return self


class CodeGate(_Model):
    """A human gate: the emailed verification code goes into `input`.

    With `confirm`, the page checks the code at once: `accepted` appears when it was right,
    `error` when it was refused (the person may type it again). Without `confirm`, the code is
    checked by the portal only at submit.
    """

    gate: Literal["verification_code"]
    input: Target
    confirm: Target | None = None
    accepted: Target | None = None
    error: str = ERROR_REGIONS
    digits: int = 5
    # The requests the confirm click may send (carrying the contact email and the code).
    writes: int = Field(default=1, ge=0, le=5)


class ReviewGate(_Model):
    """A human gate: show every value read back from the page and wait for `submit` typed."""

    gate: Literal["review"]


class SubmitRequest(_Model):
    """A request the portal is known to send with the submit (method and URL glob). When a map
    names one, that request is blocked at all times except right after the confirmation."""

    method: str = "POST"
    url: str


class SubmitAction(_Model):
    """The one click that sends the registration (and, optionally, the request it sends).

    Its first request that writes or carries the registration is the submission: it leaves
    only if it carries every value the person reviewed and no number they did not, and it is
    the only one (`writes` says how many requests of the click may write; 1 unless a portal
    needs more)."""

    submit: Target
    request: SubmitRequest | None = None
    writes: int = Field(default=1, ge=1, le=5)


def _action_kind(data: Any) -> str | None:
    keys: set[str]
    if isinstance(data, dict):
        keys = {str(k) for k in data}
    else:
        keys = {k for k in ("field", "rows", "click", "gate", "submit") if hasattr(data, k)}
    if "gate" in keys:
        gate = data["gate"] if isinstance(data, dict) else data.gate
        return "review" if gate == "review" else "verification_code"
    for kind in ("field", "rows", "click", "submit"):
        if kind in keys:
            return kind
    return None


Action = Annotated[
    Annotated[FieldAction, Tag("field")]
    | Annotated[RowsAction, Tag("rows")]
    | Annotated[ClickAction, Tag("click")]
    | Annotated[CodeGate, Tag("verification_code")]
    | Annotated[ReviewGate, Tag("review")]
    | Annotated[SubmitAction, Tag("submit")],
    Discriminator(
        _action_kind,
        custom_error_type="action_kind",
        custom_error_message="an action needs one of: field, rows, click, gate, submit",
    ),
]
ACTION_TAGS = frozenset({"field", "rows", "click", "verification_code", "review", "submit"})


class Step(_Model):
    """One page or wizard step: wait for `wait_for` to be visible, then run the actions in order."""

    name: str
    wait_for: Target
    actions: list[Action] = Field(min_length=1)


class Success(_Model):
    """How the answer to the submit is read from the page: the Feedback ID in
    `feedback_selector` or anywhere in the page's text (`feedback_pattern`), or an error shown
    in `error_selector`; waited for up to `timeout_s`."""

    feedback_selector: str = ".feedback-id"
    feedback_pattern: str = r"FCRFE\d{17}"
    error_selector: str = ERROR_REGIONS
    timeout_s: float = Field(default=60.0, gt=0)

    @model_validator(mode="after")
    def _pattern_compiles(self) -> Success:
        try:
            re.compile(self.feedback_pattern)
        except re.error as error:
            raise ValueError(
                f"feedback_pattern is not a valid regular expression: {error}"
            ) from None
        return self


class AllowedRequest(_Model):
    """A request the portal is known to send by itself (a saved draft, its own telemetry on
    its own host): its name, method, URL glob (over scheme://host/path), and what it may carry
    of the submission. It may never carry the registration itself."""

    name: str
    method: str
    url: str
    carries: tuple[Carried, ...] = ()

    @model_validator(mode="after")
    def _never_the_registration(self) -> AllowedRequest:
        if {"numbers", "company name"} & set(self.carries):
            raise ValueError(
                f"request {self.name!r}: only the submit may carry the registration (numbers, "
                "company name)"
            )
        return self


class PortalMap(_Model):
    """A whole portal layout.

    `registry` names the registry the layout registers with, and so the ledger its submissions
    are filed in (see `assistant.records.journal.Destination`). A portal is known by where it
    is: the
    registry defaults to the one its start URL's host belongs to (`assistant.hosts`: "fcr" for
    www.freecallerregistry.com), or for a host no registry is known at, that host itself; never
    to the map's name or file, so a copy of a map shares its registry's ledger. A map that names
    another registry than its host's, or a known registry's name at another host, is refused.
    """

    name: str
    title: str
    start_url: str = Field(pattern=r"^https?://")
    registry: str = Field(default="", validate_default=True)
    allowed_hosts: list[str] = Field(min_length=1)
    number_limit: int = Field(ge=1)
    steps: list[Step] = Field(min_length=1)
    success: Success = Success()
    # Writes leave the browser only through the map's own clicks (`writes:`); these the portal
    # may send by itself (say why in the map). None of the shipped maps has one.
    allow_requests: list[AllowedRequest] = Field(default_factory=list)

    @field_validator("start_url")
    @classmethod
    def _start_host(cls, url: str) -> str:
        host_of(url)  # InvalidHost (a ValueError) names what is wrong with it
        return url

    @field_validator("registry")
    @classmethod
    def _registry_of_the_host(cls, registry: str, info: ValidationInfo) -> str:
        url = info.data.get("start_url")
        if not isinstance(url, str):
            return registry  # the start_url's own error says why
        host = host_of(url)
        known = registry_of(host)
        if not registry:
            return known or host
        if known is not None and registry != known:
            raise ValueError(
                f"{quoted(registry)} is not the registry at {host} (this map's start_url): "
                f"that host is {known}'s, and a portal is known by where it is, so every map of "
                f"it files its submissions in {known}'s records; leave registry out, or write "
                f"registry: {known}"
            )
        if known is None and registry_hosts(registry):
            home = registry_hosts(registry)[0]
            raise ValueError(
                f"{quoted(registry)} is the registry at {home}, not at {host} (this map's "
                "start_url): a portal is known by where it is; leave registry out to file this "
                f"map's submissions under {host}"
            )
        return registry

    @field_validator("allowed_hosts")
    @classmethod
    def _normal_hosts(cls, hosts: list[str]) -> list[str]:
        return [normal_name(host) for host in hosts]

    @field_validator("number_limit")
    @classmethod
    def _within_the_registrys_limit(cls, value: int, info: ValidationInfo) -> int:
        registry = str(info.data.get("registry") or "")  # (validated before number_limit)
        most = NUMBERS_PER_SUBMISSION.get(registry)
        if most is not None and value > most:
            raise ValueError(
                f"the {registry} registry takes at most {most} numbers per submission, not {value}"
            )
        return value

    @property
    def real_host(self) -> str:
        """The host of the map's own start URL, normalised (`assistant.hosts.host_of`): a run
        elsewhere (`--url`) is practice unless it is another host of the same registry."""
        return host_of(self.start_url)

    @model_validator(mode="after")
    def _review_before_submit(self) -> PortalMap:
        flat = [a for step in self.steps for a in step.actions]
        submits = [i for i, a in enumerate(flat) if isinstance(a, SubmitAction)]
        if len(submits) != 1:
            raise ValueError(f"a map needs exactly one submit action; found {len(submits)}")
        index = submits[0]
        if index == 0 or not isinstance(flat[index - 1], ReviewGate):
            raise ValueError(
                "the submit action must come right after a review gate (gate: review), "
                "so nothing is sent that a person has not just reviewed"
            )
        if index != len(flat) - 1:
            raise ValueError("the submit action must be the last action of the map")
        return self

    def submit_action(self) -> SubmitAction:
        """The map's one submit action."""
        for step in self.steps:
            for action in step.actions:
                if isinstance(action, SubmitAction):
                    return action
        raise AssertionError("validated maps always hold a submit action")
