"""The shipped maps run in process against a replica: one way to make the `Session` that fills
the lakeside profile, and the `Batch` that runs some profiles, with codes from the replica's
outbox (no person needed for them) and short time-outs; and what a replica must receive for
the lakeside profile."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.browser.step_state import Timeouts
from assistant.portals import load_portal
from assistant.portals.plan import build_plan
from assistant.profiles import load_profile, load_profiles
from assistant.records.journal import Journal
from assistant.records.journal.recorder import JournalRecorder
from assistant.replica import Replica
from assistant.replica.catalog import category_options
from assistant.sitting.batch import Batch
from assistant.sitting.code_sources import CodeSource, OutboxCodeSource
from assistant.sitting.jobs import BatchOptions, plan_jobs
from assistant.sitting.session import FillOptions, Outcome, Session
from assistant.sitting.terminal import Terminal

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ROOT = Path(__file__).resolve().parent.parent
LAKESIDE = load_profile(ROOT / "profiles" / "lakeside-closures.yaml").profile
FAST = Timeouts(step_ms=10_000, action_ms=8_000)


def lakeside_fields(layout: str, variants: tuple[str, ...]) -> dict[str, str]:
    """Every field the replica must have received for LAKESIDE, under its canonical name."""
    categories = {label: value for value, label in category_options(layout, renamed=False)}
    phones = {f"enterprise_phone_{i}": n.national for i, n in enumerate(LAKESIDE.numbers)}
    common = {
        "enterprise_contact_email": "it@lakeside.example.org",
        "enterprise_company_name": "Lakeside Unified School District",
        "enterprise_company_address_line_1": "100 Main St",
        "enterprise_company_address_line_2": "Suite 200",
        "enterprise_company_address_city": "Lakeside",
        "enterprise_company_address_zip": "92040",
        "enterprise_company_url": "https://lakeside.example.org",
        "enterprise_contact_name": "Dana Reyes",
        "enterprise_contact_phone": "6195550142",
        "enterprise_category": categories["Education"],
        **phones,
    }
    names = ["LAKESIDE USD", "LAKESIDE USD", "LAKESIDE NURSE", "LAKESIDE USD"]
    caller_names = {f"enterprise_displayName_{i}": name for i, name in enumerate(names)}
    notes = {"additional_feedback": LAKESIDE.calling.notes or ""}
    if layout == "classic":
        out = {
            **common,
            **caller_names,
            **notes,
            "enterprise_company_address_state": "CA",
            "enterprise_service_provider": "Bandwidth",
            "call_count": "12000",
        }
        if "no-optional" not in variants:
            out["enableCheckbox"] = "on"
        return out
    worded = "captions" in variants
    out = {
        **common,
        "enterprise_company_address_state": "California",
        "enterprise_calls_per_month": "10,001 to 100,000" if worded else "10,001 - 100,000",
        "enableCheckbox": "on",
    }
    if "no-optional" not in variants:
        out |= {"enterprise_service_provider": "Bandwidth", **notes}
        if "display-names" in variants:
            out |= caller_names
    return out


def map_for(portal: Replica) -> str:
    """The shipped map of the replica's layout."""
    return "fcr" if portal.layout == "wizard" else "fcr-classic"


@dataclass
class Filled:
    """What filling the lakeside profile came to: each submission's outcome, or the error
    that stopped the run."""

    session: Session
    outcomes: list[Outcome]
    error: Exception | None


def fill_lakeside(
    browser: Browser,
    portal: Replica,
    terminal: Terminal,
    journal: Journal,
    run_dir: Path,
    data_dir: Path,
) -> Filled:
    """Fill the lakeside profile on `portal` with its layout's shipped map, the person at
    `terminal`; every submission, in order, until one raises."""
    portal_map = load_portal(map_for(portal))
    session = Session(
        browser,
        FillOptions(portal=portal_map, url=portal.url, data_dir=data_dir, timeouts=FAST),
        terminal,
        OutboxCodeSource(portal),
        run_dir=run_dir,
        recorder=JournalRecorder(journal),
    )
    outcomes: list[Outcome] = []
    try:
        for submission in build_plan(LAKESIDE, portal_map, portal.url).submissions:
            outcomes.append(session.run_submission(LAKESIDE, submission))
    except Exception as error:  # the test asserts on it
        return Filled(session, outcomes, error)
    return Filled(session, outcomes, None)


def batch_of(
    paths: Sequence[Path],
    portal: Replica,
    journal: Journal,
    terminal: Terminal,
    data_dir: Path,
    source: CodeSource | None = None,
) -> Batch:
    """A batch of the profiles at `paths` on `portal`, codes from its outbox unless `source`
    says otherwise."""
    loaded, problems = load_profiles(list(paths))
    assert problems == []
    portal_map = load_portal(map_for(portal))
    options = BatchOptions(
        fill=FillOptions(portal=portal_map, url=portal.url, data_dir=data_dir, timeouts=FAST)
    )
    jobs = plan_jobs(loaded, portal_map, portal.url)
    code_source = source if source is not None else OutboxCodeSource(portal)
    return Batch(jobs, options, journal, terminal, code_source)
