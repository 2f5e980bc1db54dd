"""The resolved profile: what a registration says once its file is loaded and checked.

These are the shapes every later stage (plan, fill, review, journal) reads. The loader turns a
YAML file (with `extends:` and number files) into exactly one `Profile`; values here are
already normalised: phone numbers in E.164, the state as its USPS code, the ZIP as text.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Address(_Model):
    """A postal address in the United States."""

    line1: str
    line2: str | None = None
    city: str
    state: str  # USPS code, e.g. "CA"
    zip: str  # "12345" or "12345-6789"


class Company(_Model):
    """The business that places the calls."""

    name: str
    website: str  # absolute http(s) URL
    address: Address


class Contact(_Model):
    """The person the analytics engines contact about the registration."""

    name: str
    phone: str  # E.164, e.g. "+16195550142"
    email: str


class Calling(_Model):
    """Why and how often the business calls."""

    category: str
    monthly_calls: int
    service_provider: str
    notes: str | None = None


class PhoneNumber(_Model):
    """One outbound calling number, with the caller name to show and where it was listed."""

    number: str  # E.164, e.g. "+16195550100"
    display_name: str | None = None
    origin: str = ""  # "profiles/x.yaml:12:5" or "profiles/numbers/x.csv row 4"

    @property
    def national(self) -> str:
        """The 10 bare digits, e.g. "6195550100"."""
        return self.number[-10:]


class Dispute(_Model):
    """What a dispute form asks about the label phones showed (the profile's `dispute:`)."""

    label: str  # e.g. "Spam Likely"
    shown_by: str  # the carrier or app
    seen_on: str  # YYYY-MM-DD
    sample_numbers: tuple[str, ...] = ()  # E.164, each one of the profile's numbers


class Profile(_Model):
    """One registration: who calls, from which numbers, why and how often."""

    label: str
    company: Company
    contact: Contact
    calling: Calling
    display_name: str | None = None
    numbers: tuple[PhoneNumber, ...]
    dispute: Dispute | None = None  # only the dispute forms (trf, vsf) need it
