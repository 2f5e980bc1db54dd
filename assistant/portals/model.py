"""The shape of a portal map: which steps a portal has and what each one asks for.

A map is data (`assistant/portals/<name>.yaml`). It names every element the assistant touches
(by id, CSS, label or role), which profile value goes where and in which format, which buttons
move on, where the human gates sit, what the submit request looks like and how success is
recognised. Every model forbids unknown keys, so a typo in a map is an error at load.

Invariant checked here, at load: the map has exactly one `submit` action, and the action right
before it is the `review` gate, so nothing can be sent that a human has not just reviewed.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from assistant.profiles.model import Profile

# How a profile value is written into a field (see `assistant.plan.format_value`).
ValueFormat = Literal[
    "text",  # as the profile holds it
    "state_code",  # "CA"
    "state_name",  # "California"
    "phone_digits",  # "6195550142"
    "phone_dashed",  # "619-555-0142"
    "phone_e164",  # "+16195550142"
    "count",  # monthly calls as a plain number, "12000"
    "range",  # monthly calls as the select option whose range contains it
]
WriteKind = Literal["text", "select", "checkbox", "upload"]
# How a select's live options are matched against the wanted value (always ignoring case).
MatchRule = Literal["value", "label", "value_or_label", "range"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Target(_Model):
    """Which element: exactly one of `id`, `css`, `label` or `role` (with its accessible `name`).

    `expect_label` records the label a person sees next to the element; `assistant check`
    reports when the live label reads differently (the element is still found by its anchor).
    """

    id: str | None = None
    css: str | None = None
    label: str | None = None
    role: str | None = None
    name: str | None = None
    expect_label: str | None = None

    @model_validator(mode="after")
    def _one_anchor(self) -> Target:
        anchors = [a for a in (self.id, self.css, self.label, self.role) if a]
        if len(anchors) != 1:
            raise ValueError("give exactly one of id, css, label or role")
        if self.name and not self.role:
            raise ValueError("name is only meaningful with role")
        return self

    def describe(self) -> str:
        """A short human name for the element, as messages show it: `#id`, `label "X"`…"""
        if self.id:
            return f"#{self.id}"
        if self.css:
            return self.css
        if self.label:
            return f'label "{self.label}"'
        return f'{self.role} "{self.name}"' if self.name else str(self.role)

    def with_index(self, index: int) -> Target:
        """This target with `{i}` replaced by a row index (for repeated number rows)."""
        data = {k: v.replace("{i}", str(index)) if isinstance(v, str) else v for k, v in self}
        return Target(**data)


def profile_path_error(path: str) -> None:
    """Raise ValueError unless `path` names a scalar of `Profile` ("company.address.state")."""
    model: type[BaseModel] = Profile
    parts = path.split(".")
    for depth, part in enumerate(parts):
        info = model.model_fields.get(part)
        if info is None:
            known = ", ".join(model.model_fields)
            where = ".".join(parts[:depth]) or "the profile"
            raise ValueError(f'"{path}" is not a profile value: {where} has {known}')
        annotation = info.annotation
        nested = [t for t in getattr(annotation, "__args__", (annotation,)) if isinstance(t, type)]
        sub = next((t for t in nested if issubclass(t, BaseModel)), None)
        if depth == len(parts) - 1:
            if sub is not None or part == "numbers":
                raise ValueError(f'"{path}" is a group of values, not one value')
        elif sub is None:
            raise ValueError(f'"{path}" goes below {part}, which is a single value')
        else:
            model = sub


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

    @field_validator("value")
    @classmethod
    def _profile_path(cls, value: str | None) -> str | None:
        if value is not None:
            profile_path_error(value)
        return value

    @model_validator(mode="after")
    def _value_or_const(self) -> FieldAction:
        if (self.value is None) == (self.const is None):
            raise ValueError("give exactly one of value (a profile path) or const")
        if self.format == "range" and (self.write != "select" or self.match != "range"):
            raise ValueError("format range needs write: select and match: range")
        return self


class RowsAction(_Model):
    """The profile's numbers, one per repeated row; `{i}` in the targets is the 0-based row."""

    rows: Literal["numbers"]
    number: Target
    display_name: Target | None = None
    add: Target | None = None  # a button that adds a row; without it a row appears by itself
    format: ValueFormat = "phone_digits"


class ClickAction(_Model):
    """Click a button that moves on (never the submit button: that is `submit`)."""

    click: Target
    expect: str | None = None  # a selector that becomes visible once the click took effect
    # For clicks that are safe to repeat (sending the code, never the submit): a selector of
    # the page's "try again" message, and how many clicks at most. Needs `expect`.
    retry_on: str | None = None
    attempts: int = Field(default=1, ge=1, le=5)

    @model_validator(mode="after")
    def _retry_needs_expect(self) -> ClickAction:
        if self.retry_on is not None and self.expect is None:
            raise ValueError("retry_on needs expect: the selector that shows the click worked")
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
    accepted: str | None = None
    error: str = '.error, [role="alert"]'
    digits: int = 5


class ReviewGate(_Model):
    """A human gate: show every value read back from the page and wait for `submit` typed."""

    gate: Literal["review"]


class SubmitRequest(_Model):
    """The request the submit click sends: its method and a URL glob (`**/fcr/submit`)."""

    method: str = "POST"
    url: str


class SubmitAction(_Model):
    """The one click that sends the registration, and the request it is expected to send."""

    submit: Target
    request: SubmitRequest


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
    """One page or wizard step: wait for `wait_for`, then run the actions in order."""

    name: str
    wait_for: str
    actions: list[Action] = Field(min_length=1)


class Success(_Model):
    """How the answer to the submit is read: the Feedback ID element, then a text pattern."""

    feedback_selector: str = ".feedback-id"
    feedback_pattern: str = r"FCRFE\d{17}"
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


def host_of(url: str) -> str:
    """The host a URL points at, as the journal files it: lower case, with the port unless it
    is the scheme's default ("www.freecallerregistry.com", "127.0.0.1:8765")."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if ":" in host:  # IPv6
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    return f"{host}:{port}" if port is not None and port != default else host


class PortalMap(_Model):
    """A whole portal layout.

    `registry` names the registry the layout registers with (default: the map's `name`): maps
    of one registry share one ledger, so numbers sent through one are refused through another.
    """

    name: str
    registry: str = ""
    title: str
    start_url: str = Field(pattern=r"^https?://")
    allowed_hosts: list[str] = Field(min_length=1)
    ready: str | None = None  # a selector the page shows once its scripts are done
    number_limit: int = Field(ge=1)
    steps: list[Step] = Field(min_length=1)
    success: Success = Success()

    @model_validator(mode="before")
    @classmethod
    def _registry_defaults_to_name(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("registry") and "name" in data:
            return {**data, "registry": data["name"]}
        return data

    @property
    def real_host(self) -> str:
        """The host of the map's own start URL: runs elsewhere (`--url`) are practice."""
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
