"""The journal: the local memory of every submission attempt (see `store.Journal`)."""

from assistant.records.journal.models import (
    FEEDBACK_ID_PATTERN,
    OPEN,
    UNSETTLED,
    Attempt,
    Destination,
    DueNumber,
    InvalidTransition,
    NewAttempt,
    NumberRecord,
    State,
    describe_owner,
    owner_token,
)
from assistant.records.journal.schema import SCHEMA_VERSION, JournalDamaged, JournalUnreadable
from assistant.records.journal.store import Journal, iso, parse_iso, profile_sha256, utc_now

__all__ = [
    "FEEDBACK_ID_PATTERN",
    "OPEN",
    "SCHEMA_VERSION",
    "UNSETTLED",
    "Attempt",
    "Destination",
    "DueNumber",
    "InvalidTransition",
    "Journal",
    "JournalDamaged",
    "JournalUnreadable",
    "NewAttempt",
    "NumberRecord",
    "State",
    "describe_owner",
    "iso",
    "owner_token",
    "parse_iso",
    "profile_sha256",
    "utc_now",
]
