"""The journal: the local memory of every submission attempt (see `store.Journal`)."""

from assistant.journal.models import (
    FEEDBACK_ID_PATTERN,
    UNSETTLED,
    Attempt,
    DueNumber,
    InvalidTransition,
    NewAttempt,
    NumberRecord,
    State,
)
from assistant.journal.schema import SCHEMA_VERSION, JournalUnreadable
from assistant.journal.store import Journal, iso, parse_iso, profile_sha256, utc_now

__all__ = [
    "FEEDBACK_ID_PATTERN",
    "SCHEMA_VERSION",
    "UNSETTLED",
    "Attempt",
    "DueNumber",
    "InvalidTransition",
    "Journal",
    "JournalUnreadable",
    "NewAttempt",
    "NumberRecord",
    "State",
    "iso",
    "parse_iso",
    "profile_sha256",
    "utc_now",
]
