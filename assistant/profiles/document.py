"""The profile document as written: a pydantic model of the YAML, and its errors as Problems.

The model checks and normalises every value (phones to E.164, states to USPS codes, ZIPs as
text) but keeps the document's shape: `numbers` still holds inline entries and `{file: …}`
references, which the loader expands. `validate_document` runs the model over the plain data
of a node tree and turns each pydantic error into a `Problem` at the node it is about, with
its dotted path (`numbers.2.number`), so a file's errors all come in one run.

Errors are built from pydantic's error *type* and our validators' messages, never from the
input, and the model hides input in its own messages, so a value is only repeated where a
validator chose to repeat it.
"""

from __future__ import annotations

import difflib
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
)

from assistant.errors import Problem
from assistant.profiles import values
from assistant.profiles.phones import normalise_phone
from assistant.profiles.yamlstrict import Mapping, Node, Scalar, Sequence
from assistant.terminal_text import excerpt


def _phone(text: str) -> str:
    """A calling number or the contact's phone: the message repeats the text as typed, so the
    person sees which value is wrong (a profile's phones are not secrets; logs and artifacts
    mask the contact's, `assistant.log`)."""
    try:
        return normalise_phone(text)
    except ValueError as error:
        raise ValueError(f"'{excerpt(text.strip())}' {error}") from None


Text = Annotated[str, AfterValidator(values.text)]
DisplayName = Annotated[
    str,
    AfterValidator(values.text),
    Field(description="Caller name shown on phones; at most 15 characters are shown."),
]
ListedNumber = Annotated[
    str,
    AfterValidator(_phone),
    Field(
        description="A US number in any common notation; stored as E.164.",
        examples=["(619) 555-0100"],
    ),
]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True, frozen=True)


class AddressDoc(_Doc):
    """A US postal address."""

    line1: Text
    line2: Text | None = None
    city: Text
    state: Annotated[
        str,
        AfterValidator(values.normalise_state),
        Field(description="USPS code or full name of a state, DC or territory; kept as the code."),
    ]
    zip: Annotated[
        str,
        AfterValidator(values.normalise_zip),
        Field(
            description="12345 or 12345-6789, written as text.",
            json_schema_extra={"pattern": r"^\d{5}(-?\d{4})?$"},
        ),
    ]


class CompanyDoc(_Doc):
    """The business that places the calls."""

    name: Text
    website: Annotated[
        str,
        AfterValidator(values.check_website),
        Field(description="Absolute http(s) URL.", examples=["https://lakeside.example.org"]),
    ]
    address: AddressDoc


class ContactDoc(_Doc):
    """The person to contact about the registration."""

    name: Text
    phone: Annotated[
        str,
        AfterValidator(_phone),
        Field(description="A US number in any common notation; stored as E.164."),
    ]
    email: Annotated[str, AfterValidator(values.check_email)]


class CallingDoc(_Doc):
    """Why and how often the business calls."""

    category: Text = Field(description="Matched against the portal's own options at run time.")
    monthly_calls: Annotated[
        int,
        BeforeValidator(values.parse_monthly_calls),
        Field(ge=1, description="Whole number of calls per month; 12000 or 12,000."),
    ]
    service_provider: Text = Field(description="The carrier that carries the calls.")
    notes: Text | None = None


class NumberEntryDoc(_Doc):
    """A number with its own caller name."""

    number: ListedNumber
    display_name: DisplayName | None = None


class NumberColumnsDoc(_Doc):
    """Which headers of a number file hold the numbers and the caller names."""

    number: Text = Field(description='The header of the numbers\' column, e.g. "Main Line".')
    display_name: Text | None = Field(
        default=None, description='The header of the caller names\' column, e.g. "Caller ID".'
    )


class NumberFileDoc(_Doc):
    """A .csv or .xlsx file of numbers: its header row names the columns (Number, Phone,
    Phone Number, Telephone, TN or DID; Display Name, Caller ID, Caller Name or CNAM), or
    `columns` says which headers to read; other columns are ignored."""

    file: Text = Field(description="Path relative to the profile file that lists it.")
    columns: NumberColumnsDoc | None = Field(
        default=None, description="The headers to read, when the file's are not the usual ones."
    )
    sheet: Text | None = Field(
        default=None, description="The sheet of an .xlsx to read (default: the first)."
    )


def _number_kind(value: Any) -> str | None:
    """Which of the three shapes a `numbers` item has (None: none of them)."""
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "file" if "file" in value else "entry"
    return None


NumberItem = Annotated[
    Annotated[ListedNumber, Tag("text")]
    | Annotated[NumberEntryDoc, Tag("entry")]
    | Annotated[NumberFileDoc, Tag("file")],
    Discriminator(
        _number_kind,
        custom_error_type="number_item",
        custom_error_message="each item is a number, {number:, display_name:} or {file:}",
    ),
]


class DisputeDoc(_Doc):
    """What the dispute forms (`--portal trf`, `vsf`) ask about a label phones showed."""

    label: Text = Field(description='The label the calls were shown with, e.g. "Spam Likely".')
    shown_by: Text = Field(
        description="The carrier or app that showed it, e.g. Verizon or Hiya.",
        examples=["Verizon"],
    )
    seen_on: Annotated[
        str,
        AfterValidator(values.seen_date),
        Field(
            description="The day it was seen, YYYY-MM-DD (not in the future).",
            examples=["2026-11-30"],
        ),
    ]
    sample_numbers: list[ListedNumber] | None = Field(
        default=None,
        min_length=1,
        description="Some of this profile's numbers that were shown with the label.",
    )


class ProfileDocument(_Doc):
    """One registration profile as written in YAML (the format: docs/profiles.md)."""

    extends: Text | None = Field(
        default=None, description="A profile of shared defaults, relative to this file."
    )
    label: Text | None = Field(default=None, description="Defaults to the file name.")
    company: CompanyDoc
    contact: ContactDoc
    calling: CallingDoc
    display_name: DisplayName | None = None
    numbers: list[NumberItem] = Field(min_length=1)
    dispute: DisputeDoc | None = Field(
        default=None, description="Needed by the dispute forms (trf, vsf) only."
    )


_TAGS = frozenset({"text", "entry", "file"})
_MODELS: dict[str, type[BaseModel]] = {
    "": ProfileDocument,
    "company": CompanyDoc,
    "company.address": AddressDoc,
    "contact": ContactDoc,
    "calling": CallingDoc,
    "dispute": DisputeDoc,
    "numbers.*.columns": NumberColumnsDoc,
}
_ITEM_KEYS = sorted(set(NumberEntryDoc.model_fields) | set(NumberFileDoc.model_fields))


def validate_document(root: Mapping) -> tuple[ProfileDocument | None, list[Problem]]:
    """Validate a (merged) node tree; return the document, or None and every problem found."""
    from assistant.profiles.yamlstrict import to_data

    try:
        return ProfileDocument.model_validate(to_data(root)), []
    except ValidationError as error:
        problems = [
            _problem(root, err["type"], err["loc"], err["msg"], err.get("ctx"))
            for err in error.errors(include_url=False, include_input=False)
        ]
        return None, problems


def _problem(
    root: Mapping, kind: str, loc: tuple[int | str, ...], msg: str, ctx: dict[str, Any] | None
) -> Problem:
    """One pydantic error as a Problem at its node."""
    parts = [
        p for i, p in enumerate(loc) if not (p in _TAGS and i > 0 and isinstance(loc[i - 1], int))
    ]
    parent, node = _locate(root, parts)
    path = ".".join(str(p) for p in parts)
    if kind == "missing":
        where = parent
        return Problem(where.file, where.line, where.column, path, "required key is missing")
    if kind == "extra_forbidden" and isinstance(parent, Mapping):
        key = str(parts[-1])
        entry = parent.entries.get(key)
        where = entry.key if entry is not None else parent
        return Problem(where.file, where.line, where.column, path, _unknown_key(key, parts[:-1]))
    where = node if node is not None else parent
    return Problem(where.file, where.line, where.column, path, _message(kind, msg, ctx, node))


def _locate(root: Node, parts: list[int | str]) -> tuple[Node, Node | None]:
    """The deepest existing node on the path, and the node itself (None when it is absent)."""
    parent: Node = root
    node: Node | None = root
    for part in parts:
        parent = node if node is not None else parent
        if isinstance(node, Mapping) and isinstance(part, str) and part in node.entries:
            node = node.entries[part].value
        elif isinstance(node, Sequence) and isinstance(part, int) and part < len(node.items):
            node = node.items[part]
        else:
            node = None
    return parent, node


def _unknown_key(key: str, parent: list[int | str]) -> str:
    """`unknown key 'x'`, with the closest allowed key when the mistake looks like a typo."""
    shape = ".".join("*" if isinstance(p, int) else p for p in parent)
    model = _MODELS.get(shape)
    allowed = sorted(model.model_fields) if model is not None else _ITEM_KEYS
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else f"; allowed: {', '.join(allowed)}"
    return f"unknown key '{excerpt(key)}'{hint}"


def _kind_of(node: Node | None) -> str:
    if isinstance(node, Mapping):
        return "a mapping"
    if isinstance(node, Sequence):
        return "a list"
    return "text"


def _message(kind: str, msg: str, ctx: dict[str, Any] | None, node: Node | None) -> str:
    """A person's message for one pydantic error type."""
    if isinstance(node, Scalar) and node.value is None:
        return "is empty; write a value"
    if kind == "value_error" and ctx is not None:
        return str(ctx.get("error", msg))
    if kind == "string_type":
        return f"should be text, not {_kind_of(node)}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"should be a mapping of keys, not {_kind_of(node)}"
    if kind == "list_type":
        return f"should be a list, not {_kind_of(node)}"
    if kind == "too_short":
        return "list at least one number"
    return msg
