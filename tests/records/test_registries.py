"""Issue 18, items 1-2: the ledger keeps the registries apart. The TRF and the VSF are registries
of their own (a portal is known by where it is), distinct from the FCR and from each other, even
on one practice host that serves all three (the replica); fcr and fcr-classic stay one ledger.
Both halves of the guard are held: `Destination.holds` (unsettled rows) and the SQL behind
`Journal.submitted_numbers` (submitted ones)."""

from __future__ import annotations

from pathlib import Path

import pytest
from journalrows import new_attempt, submit

from assistant.portals import load_portal
from assistant.records import duplicates
from assistant.records.journal import Destination, Journal
from assistant.sitting.session import FillOptions

NUMBER = "+16195550100"
REPLICA = "http://127.0.0.1:8765/"


def _destination(portal: str, url: str | None = None) -> Destination:
    return FillOptions(portal=load_portal(portal), url=url).destination


def test_each_shipped_map_files_in_its_registry_at_its_host() -> None:
    assert _destination("fcr") == Destination("fcr", "www.freecallerregistry.com")
    assert _destination("fcr-classic") == Destination("fcr", "www.freecallerregistry.com")
    assert _destination("trf") == Destination("trf", "reportarobocall.com")
    assert _destination("vsf") == Destination("vsf", "voicespamfeedback.com")
    # The sister forms' other spelling, and the replica (practice: the map's registry).
    assert _destination("trf", "https://www.reportarobocall.com/trf/") == Destination(
        "trf", "www.reportarobocall.com"
    )
    assert _destination("vsf", REPLICA) == Destination("vsf", "127.0.0.1:8765", real=False)


def _blocked(journal: Journal, portal: str, url: str | None) -> list[str]:
    found = duplicates.findings(journal, _destination(portal, url), [NUMBER])
    return [f.registry for f in found]


@pytest.mark.parametrize("url", [None, REPLICA])
def test_a_number_sent_to_one_registry_is_not_blocked_in_another(
    tmp_path: Path, url: str | None
) -> None:
    with Journal.open(tmp_path) as journal:
        sent = _destination("fcr", url)
        submit(journal, NUMBER, registry=sent.registry, host=sent.host, real=sent.real)
        assert _blocked(journal, "fcr", url) == ["fcr"]
        assert _blocked(journal, "fcr-classic", url) == ["fcr"]  # one registry, one ledger
        assert _blocked(journal, "trf", url) == []
        assert _blocked(journal, "vsf", url) == []
        sent = _destination("trf", url)
        submit(journal, NUMBER, portal="trf", registry="trf", host=sent.host, real=sent.real)
        assert _blocked(journal, "trf", url) == ["trf"]
        assert _blocked(journal, "vsf", url) == []


def test_an_unsettled_attempt_blocks_only_its_own_registry_on_a_shared_practice_host(
    tmp_path: Path,
) -> None:
    with Journal.open(tmp_path) as journal:
        trf = _destination("trf", REPLICA)
        attempt = journal.begin(
            new_attempt(NUMBER, portal="trf", registry="trf", host=trf.host, real=False)
        )
        journal.intent(attempt, confirmed_by="alice", review_values={})
        journal.unknown(attempt, "the answer never came")
        assert _blocked(journal, "trf", REPLICA) == ["trf"]
        assert _blocked(journal, "vsf", REPLICA) == []
        assert _blocked(journal, "fcr", REPLICA) == []


def test_a_host_no_registry_is_known_at_is_still_one_ledger_whatever_maps_call_it(
    tmp_path: Path,
) -> None:
    """The old rule stands for maps of unknown hosts: two names for one portal are one
    ledger there (a portal is known by where it is)."""
    with Journal.open(tmp_path) as journal:
        submit(journal, NUMBER, portal="mine", registry="mine", host="forms.example.org")
        found = duplicates.findings(journal, Destination("ours", "forms.example.org"), [NUMBER])
        assert [f.registry for f in found] == ["mine"]
