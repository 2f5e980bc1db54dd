"""The project's exceptions, and the exit code each one maps to.

    AssistantError                 exit 1 unless a subclass says otherwise
    ├── ProfileError               1  a profile (or a number file) is invalid; holds every Problem
    ├── UsageError                 2  the command line itself is wrong
    ├── NotConfirmed               3  the human did not confirm; nothing was submitted
    │   └── Stopped                3  stopped with Ctrl-C or Ctrl-D (not a "no": nothing typed)
    ├── PortalError                4  the portal did not match its map, or failed
    │   ├── PortalMismatch         4  a mapped element or option is missing, doubled or renamed
    │   │   └── ElementMissing     4  an element is missing or doubled: `assistant learn` repairs
    │   │   └── NoMatchingOption   4  a select has no option for a profile's value
    │   ├── ValueRefused           4  the page answered a step's values with its own error
    │   ├── RequestRefused         4  the page tried to send what the map does not declare
    │   └── ReadBackMismatch       4  a value on the page differs from what was written
    │       └── ChangedAfterReview 4  the page changed a value between the review and the click
    ├── BrowserMissing             5  no usable browser; the message says what to install
    │   └── NoDisplay              5  `assistant learn` needs a display to show the browser on
    ├── DuplicateSubmission        6  numbers were already submitted (or may have been)
    │   ├── ConcurrentSubmission   6  another run confirmed them while this one was at the review
    │   └── ProfileBusy            6  another run holds the profile (its run lock)
    ├── OutcomeUnknown             7  the submit click was made but its result is not known
    │   └── OutcomeNotRecorded     7  clicked, but the journal could not record the outcome
    ├── DataFolderError               the private data folder (or a file in it) is unusable
    │   ├── UnsafeDataDir          8  readable by others, or a symbolic link; or a settings
    │   │                             file (config.toml, map repairs) others could have written
    │   ├── DataDirUnusable        9  not a folder, a journal that is not a regular file
    │   │                             or not a readable journal, or a damaged one
    │   ├── DataDirReadOnly       10  it cannot be written (permissions, read-only disk)
    │   │   └── JournalWriteFailed 10  a journal write failed: the disk is full or failing
    │   └── JournalBusy           11  another process holds the journal's write lock
    └── MailboxError              12  the mailbox for codes is not set up, unreachable or refused

Core code raises these; only the CLI turns them into `Error: …` and an exit code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum

from assistant.terminal_text import EXCERPT, excerpt


class ExitCode(IntEnum):
    """Exit codes of the `assistant` command, one per outcome a script may want to tell apart."""

    OK = 0
    INVALID = 1
    USAGE = 2
    NOT_CONFIRMED = 3
    PORTAL = 4
    NO_BROWSER = 5
    DUPLICATE = 6
    OUTCOME_UNKNOWN = 7
    UNSAFE_DATA = 8
    DATA_UNUSABLE = 9
    DATA_READ_ONLY = 10
    JOURNAL_BUSY = 11
    MAILBOX = 12


class AssistantError(Exception):
    """Base of every error the assistant reports to a person."""

    exit_code: ExitCode = ExitCode.INVALID


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in a profile: where it is and what is wrong."""

    file: str
    line: int
    column: int
    path: str
    message: str
    severity: str = "error"

    def __post_init__(self) -> None:
        # The dotted path is made of the file's own keys: each part is quoted as an excerpt.
        if len(self.path) > EXCERPT or not self.path.isprintable():
            parts = ".".join(excerpt(part) for part in self.path.split("."))
            object.__setattr__(self, "path", parts)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        path = f" {self.path}:" if self.path else ""
        prefix = " warning:" if self.severity == "warning" else ""
        return f"{where}:{prefix}{path} {self.message}"


class ProfileError(AssistantError):
    """A profile is invalid. `problems` holds every error found, in file order."""

    exit_code = ExitCode.INVALID

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class UsageError(AssistantError):
    """The command line is wrong (a missing file, an unknown portal name, conflicting options)."""

    exit_code = ExitCode.USAGE


class NotConfirmed(AssistantError):
    """The human declined, typed something else, closed input, or had no terminal."""

    exit_code = ExitCode.NOT_CONFIRMED


class Stopped(NotConfirmed):
    """The person stopped the run (Ctrl-C, or Ctrl-D at a prompt) rather than answering no."""


class PortalError(AssistantError):
    """The portal failed or behaved in a way its map does not describe."""

    exit_code = ExitCode.PORTAL
    # True when a value of the profile caused it (no option matches it, the page refuses it):
    # every other submission of that profile would fail the same way, after its own code.
    by_profile = False


class PortalMismatch(PortalError):
    """A mapped element or option is missing, found more than once, or renamed."""


class ElementMissing(PortalMismatch):
    """A mapped element is not on the page, or is there more than once: pointing at it with
    `assistant learn` repairs the map."""


class NoMatchingOption(PortalMismatch):
    """A select of the page holds no option for a profile's value; `options` holds the live
    options of every select the step read, by field name (as (value, label) pairs)."""

    by_profile = True

    def __init__(self, message: str, options: Mapping[str, tuple[tuple[str, str], ...]]) -> None:
        super().__init__(message)
        self.options = dict(options)


class ValueRefused(PortalError):
    """The page answered the values of a step with an error message of its own."""

    by_profile = True


class RequestRefused(PortalError):
    """The page tried to send something the map does not declare (the registration, a write
    no click of the map makes, anything to another host): the request guard refused it, and
    the run stops saying what tried, what it carried and where."""


class ReadBackMismatch(PortalError):
    """After writing (and retyping) a value, the page still holds something else."""


class ChangedAfterReview(ReadBackMismatch):
    """After the person typed `submit`, the page no longer held what they reviewed: the
    click was refused, nothing was sent."""


class BrowserMissing(AssistantError):
    """No usable browser was found; the message says exactly what to install."""

    exit_code = ExitCode.NO_BROWSER


class NoDisplay(BrowserMissing):
    """A browser the person can see and click is needed, and this machine shows none."""


class DuplicateSubmission(AssistantError):
    """Numbers were submitted recently, or their last submission's outcome is unknown."""

    exit_code = ExitCode.DUPLICATE


class ConcurrentSubmission(DuplicateSubmission):
    """Right before the click, the journal showed the numbers sent (or being sent) by another
    submission confirmed since this one's review: this one was not sent."""


class ProfileBusy(DuplicateSubmission):
    """Another run of the assistant holds this profile's run lock; nothing was opened."""


class OutcomeUnknown(AssistantError):
    """The submit click was made and then something failed: only a human can settle it."""

    exit_code = ExitCode.OUTCOME_UNKNOWN


class OutcomeNotRecorded(OutcomeUnknown):
    """The submit click was made, but the journal could not record what came of it (the
    Feedback ID, a refusal, an unknown outcome): the message carries what the portal answered
    (the ID), and how to settle it once the journal can be written."""


class DataFolderError(AssistantError):
    """The private data folder, or the journal or an artifact in it, cannot be used as it is.

    Each subclass has its own exit code; the message names the path and what to do.
    """


class UnsafeDataDir(DataFolderError):
    """The private data folder (or a file in it) can be read by other users, or is a symbolic
    link, through which private files would be written somewhere else; or a settings file
    (`config.toml`, the repairs of a map) or its folder could have been written by another
    user (see `assistant.paths.refuse_unsafe_settings`)."""

    exit_code = ExitCode.UNSAFE_DATA


class DataDirUnusable(DataFolderError):
    """The data folder is not a folder (a file, a link to nothing), or the journal in it is not
    a regular file or not a journal SQLite can read."""

    exit_code = ExitCode.DATA_UNUSABLE


class DataDirReadOnly(DataFolderError):
    """The data folder (or the journal) cannot be written: permissions or a read-only disk."""

    exit_code = ExitCode.DATA_READ_ONLY


class JournalWriteFailed(DataDirReadOnly):
    """A write to the journal failed part-way: the disk is full, or it reported an I/O error.
    Nothing of that write was kept. `cause` says what happened ("the disk is full: …"),
    `advice` what to do about it, both as parts of a sentence."""

    def __init__(self, message: str, *, cause: str = "", advice: str = "") -> None:
        super().__init__(message)
        self.cause = cause
        self.advice = advice


class JournalBusy(DataFolderError):
    """Another process holds the journal's write lock longer than the assistant waits."""

    exit_code = ExitCode.JOURNAL_BUSY


class MailboxError(AssistantError):
    """The mailbox the codes come from is not set up, cannot be reached, or refused the login."""

    exit_code = ExitCode.MAILBOX
