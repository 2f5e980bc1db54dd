"""Shared builders for the journal, guard, receipt and CLI journal tests (no tests here)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from assistant.records.journal import Destination, Journal, NewAttempt

FID = "FCRFE10012026140300123"
FCR_HOST = "www.freecallerregistry.com"
FCR = Destination("fcr", FCR_HOST)  # the real registry, as both shipped maps declare it


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


def at(text: str) -> datetime:
    """A UTC moment from 'YYYY-MM-DD HH:MM'."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


def new_attempt(
    *numbers: str,
    portal: str = "fcr",
    label: str = "Acme Dental",
    part: int = 1,
    parts: int = 1,
    registry: str = "",
    host: str = FCR_HOST,
    real: bool = True,
    owner: str = "",
) -> NewAttempt:
    """An attempt of `portal` (its registry: `registry`, else the portal's name), sent to the
    real FCR host unless `host`/`real` say otherwise."""
    return NewAttempt(
        run_id="run-1",
        portal=portal,
        profile_path=f"/profiles/{label.lower().replace(' ', '-')}.yaml",
        profile_sha256="ab" * 32,
        profile_label=label,
        numbers=numbers or ("+16195550100",),
        part=part,
        parts=parts,
        registry=registry,
        host=host,
        real_portal=real,
        owner=owner,
    )


def submit(
    journal: Journal,
    *numbers: str,
    fid: str = FID,
    portal: str = "fcr",
    label: str = "Acme Dental",
    registry: str = "",
    host: str = FCR_HOST,
    real: bool = True,
) -> int:
    attempt = new_attempt(
        *numbers, portal=portal, label=label, registry=registry, host=host, real=real
    )
    attempt_id = journal.begin(attempt)
    journal.intent(attempt_id, confirmed_by="alice", review_values={"company": "Acme"})
    journal.submitted(attempt_id, fid)
    return attempt_id


def opener(tmp_path: Path, clock: FakeClock) -> Callable[[], Journal]:
    folder = tmp_path / "data"
    return lambda: Journal.open(folder, clock=clock)
