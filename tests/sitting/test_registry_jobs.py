"""Issue 18, item 2, without a browser: a batch over several registries is a job per profile
and portal, each with its own map, start URL and ledger; one `--url` serves them all; the
`--portal` list is checked before anything opens."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from batchrun import profile_text
from clirun import run_assistant
from journalrows import FID, new_attempt

from assistant.errors import DuplicateSubmission, ExitCode, UsageError
from assistant.portals import load_portal
from assistant.profiles import load_profiles
from assistant.records.journal import Journal
from assistant.sitting.batch import Batch
from assistant.sitting.jobs import BatchOptions, plan_registry_jobs, portal_fills, start_url_for
from assistant.sitting.session import FillOptions
from assistant.sitting.terminal import Terminal

TRF_ID = "TRFFE10012026140300456"
TODAY = datetime.now(UTC).strftime("%Y-%m-%d")
DISPUTE = "dispute:\n  label: Spam Likely\n  shown_by: Verizon\n  seen_on: 2026-11-30\n"


@pytest.mark.parametrize(
    ("url", "portal", "expected"),
    [
        (None, "trf", None),
        ("http://127.0.0.1:8765", "trf", "http://127.0.0.1:8765/trf/"),
        ("http://127.0.0.1:8765/", "vsf", "http://127.0.0.1:8765/vsf/"),
        ("http://127.0.0.1:8765/", "fcr", "http://127.0.0.1:8765/fcr/"),
        ("http://127.0.0.1:8765/elsewhere/", "trf", "http://127.0.0.1:8765/elsewhere/"),
    ],
)
def test_an_origin_keeps_the_maps_own_path(url: str | None, portal: str, expected: str) -> None:
    assert start_url_for(url, load_portal(portal)) == expected


def test_one_page_for_several_portals_is_refused() -> None:
    with pytest.raises(UsageError) as caught:
        start_url_for("http://127.0.0.1:8765/trf/", load_portal("trf"), several=True)
    assert str(caught.value) == (
        "--url http://127.0.0.1:8765/trf/ names one page, and --portal names several portals: "
        "give only where they are (http://127.0.0.1:8765/), and each map's own path is kept"
    )


def test_two_maps_of_one_registry_are_refused() -> None:
    base = FillOptions(portal=load_portal("fcr"))
    with pytest.raises(UsageError) as caught:
        portal_fills([load_portal("fcr"), load_portal("trf"), load_portal("fcr-classic")], base)
    assert str(caught.value) == (
        "--portal names fcr and fcr-classic, two maps of one registry (fcr): a number is "
        "registered there once; name one of them"
    )


def test_each_profile_goes_through_each_registry_in_turn(tmp_path: Path) -> None:
    paths = []
    for n in (1, 2):
        path = tmp_path / f"harbor-{n}.yaml"
        path.write_text(profile_text(n, [f"(619) 555-0{n}00"]) + DISPUTE, encoding="utf-8")
        paths.append(path)
    loaded, problems = load_profiles(paths)
    assert problems == []
    portals = [load_portal(name) for name in ("fcr", "trf", "vsf")]
    base = FillOptions(portal=portals[0], url="http://127.0.0.1:8765/")
    jobs = plan_registry_jobs(loaded, portal_fills(portals, base))
    assert [(job.plan.label, job.plan.portal, job.plan.start_url) for job in jobs] == [
        (f"Harbor {n}", name, f"http://127.0.0.1:8765/{name}/")
        for n in (1, 2)
        for name in ("fcr", "trf", "vsf")
    ]
    assert [job.fill.destination.registry for job in jobs if job.fill] == ["fcr", "trf", "vsf"] * 2


@pytest.mark.parametrize(
    ("portal", "message"),
    [
        (
            "fcr,,trf",
            '--portal "fcr,,trf" has an empty name; write the maps separated by commas, '
            "e.g. --portal fcr,trf,vsf",
        ),
        ("trf,vsf,trf", "--portal names trf twice; name each map once"),
        (
            "fcr,fcr-classic",
            "--portal names fcr and fcr-classic, two maps of one registry (fcr): a number is "
            "registered there once; name one of them",
        ),
    ],
)
def test_the_portal_list_is_checked_before_anything_opens(
    tmp_path: Path, portal: str, message: str
) -> None:
    profile = tmp_path / "harbor-1.yaml"
    profile.write_text(profile_text(1, ["(619) 555-0100"]) + DISPUTE, encoding="utf-8")
    shown = run_assistant(
        "batch", str(profile), "--portal", portal, "--data-dir", str(tmp_path / "data")
    )
    assert shown.returncode == ExitCode.USAGE, shown.stderr
    assert shown.stderr == f"Error: {message}\n"


def test_a_dispute_form_in_the_list_refuses_a_profile_without_the_section(tmp_path: Path) -> None:
    profile = tmp_path / "harbor-1.yaml"
    profile.write_text(profile_text(1, ["(619) 555-0100"]), encoding="utf-8")
    shown = run_assistant(
        "batch", str(profile), "--portal", "fcr,vsf", "--data-dir", str(tmp_path / "data")
    )
    assert shown.returncode == ExitCode.INVALID, shown.stderr
    assert shown.stderr == (
        f"Error: {profile}:1:1: dispute: Verizon voice spam feedback form (--portal vsf) is a "
        "dispute form, and this profile has no dispute: section; add one with the label your "
        "calls were shown with (label), the carrier or app that showed it (shown_by) and the "
        'day it was seen (seen_on, YYYY-MM-DD): see "The dispute section" in docs/profiles.md\n'
    )


def test_numbers_sent_to_some_registries_are_skipped_only_there(tmp_path: Path) -> None:
    """A rerun of `batch --portal fcr,trf,vsf` after the FCR and the TRF took a profile's
    numbers: those two are skipped, each with its own Feedback ID, the VSF is still sent."""
    path = tmp_path / "harbor-1.yaml"
    path.write_text(profile_text(1, ["(619) 555-0100"]) + DISPUTE, encoding="utf-8")
    loaded, _ = load_profiles([path])
    portals = [load_portal(name) for name in ("fcr", "trf", "vsf")]
    fills = portal_fills(portals, FillOptions(portal=portals[0], url="http://127.0.0.1:8765/"))
    with Journal.open(tmp_path / "data") as journal:
        for fill, fid in zip(fills, (FID, TRF_ID), strict=False):
            sent = fill.destination
            attempt = journal.begin(
                new_attempt(
                    "+16195550100",
                    portal=fill.portal.name,
                    registry=sent.registry,
                    host=sent.host,
                    real=sent.real,
                )
            )
            journal.intent(attempt, confirmed_by="alice", review_values={})
            journal.submitted(attempt, fid)
        run = Batch(
            plan_registry_jobs(loaded, fills),
            BatchOptions(fill=fills[0], stop_on_duplicate=True),
            journal,
            Terminal(io.StringIO(), io.StringIO()),
        )
        skipped = [run._skip(job, job.plan.submissions[0]) for job in run.jobs]
        assert [(r.registry, r.state, r.reason) if r else None for r in skipped] == [
            ("fcr", "skipped", f"already submitted on {TODAY} ({FID})"),
            ("trf", "skipped", f"already submitted on {TODAY} ({TRF_ID})"),
            None,
        ]
        with pytest.raises(DuplicateSubmission) as caught:
            run.preflight()
    assert str(caught.value).splitlines() == [
        f"+16195550100 was submitted to fcr on {TODAY} as {FID}; pass --resubmit to send it again",
        f"+16195550100 was submitted to trf on {TODAY} as {TRF_ID}; pass --resubmit to send it "
        "again",
    ]
