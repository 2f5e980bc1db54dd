"""The shipped maps, unchanged and given only the replica's URL, against portals that match the
published facts as well as our replica does (`assistant/replica/variants.py`): every variant and
the sensible combinations go through to a confirmed submission whose every field the replica
received right; a required field no map knows stops the run before the review; a page that
posts by itself gets nothing out. In process: real Chromium (one per test session), a person at
a real pseudo-terminal, the journal in a temporary folder.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from clirun import run_assistant
from person import Person
from ptyperson import PtyPerson
from replicarun import fill_lakeside, lakeside_fields
from replicas import Replicas

from assistant.browser.request_guard import REPAIR
from assistant.browser.step_state import Timeouts
from assistant.errors import PortalMismatch, RequestRefused
from assistant.records.journal import Journal
from assistant.replica import Replica
from assistant.sitting.session import Outcome, Session
from assistant.sitting.terminal import Terminal

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
FAST = Timeouts(step_ms=10_000, action_ms=8_000)
ALL_BUT_ABSENCE = ("renamed-ids", "captions", "submit-endpoint", "late-feedback", "display-names")


@dataclass
class Run:
    portal: Replica
    person: PtyPerson
    session: Session
    outcomes: list[Outcome]
    error: Exception | None

    @property
    def fields(self) -> dict[str, Any]:
        [record] = self.portal.submissions()
        return dict(record["fields"])


class _HeldTerminal(Terminal):
    """The person's terminal, but they read the review for `seconds` before answering."""

    def __init__(self, inner: Terminal, seconds: float) -> None:
        super().__init__(inner.input, inner.output)
        self.seconds = seconds

    def ask(self, prompt: str, *, cancel: threading.Event | None = None) -> str | None:
        if 'Type "submit"' in prompt:  # (after PRACTICE and the host, on the replica)
            time.sleep(self.seconds)  # the test's person reading; the assistant waits for them
        return super().ask(prompt, cancel=cancel)


@pytest.fixture
def fill_variant(browser: Browser, replica: Replicas, tmp_path: Path) -> Iterator[Any]:
    opened: list[PtyPerson] = []
    journal = Journal.open(tmp_path / "data")

    def run(
        layout: str,
        variants: tuple[str, ...] = (),
        faults: tuple[str, ...] = (),
        *,
        reads_for: float = 0.0,
    ) -> Run:
        portal = replica(layout, faults, variants=variants)
        person = PtyPerson("submit")
        opened.append(person)
        run_dir = tmp_path / f"run-{len(opened)}"
        run_dir.mkdir(mode=0o700)
        terminal = _HeldTerminal(person.terminal, reads_for) if reads_for else person.terminal
        filled = fill_lakeside(browser, portal, terminal, journal, run_dir, tmp_path / "data")
        session, outcomes, error = filled.session, filled.outcomes, filled.error
        return Run(portal, person, session, outcomes, error)

    yield run
    for person in opened:
        person.close()
    journal.close()


def received(run: Run) -> dict[str, str]:
    """What the replica received, without the code, the token and empty spare rows."""
    skip = {"captcha", "verification_token"}
    return {k: v for k, v in run.fields.items() if k not in skip and v != ""}


@pytest.mark.parametrize(
    ("layout", "variants"),
    [
        ("wizard", ("renamed-ids",)),
        ("wizard", ("captions",)),
        ("wizard", ("submit-endpoint",)),
        ("wizard", ("late-feedback",)),
        ("wizard", ("display-names",)),
        ("wizard", ("no-optional",)),
        ("wizard", ALL_BUT_ABSENCE),
        ("wizard", ("no-optional", "renamed-ids", "captions", "submit-endpoint")),
        ("classic", ("renamed-ids", "captions", "submit-endpoint", "late-feedback")),
        ("classic", ("no-optional",)),
    ],
    ids=lambda v: "+".join(v) if isinstance(v, tuple) else v,
)
def test_the_shipped_maps_fill_every_variant_through_to_a_confirmed_submission(
    fill_variant: Any, layout: str, variants: tuple[str, ...]
) -> None:
    run = fill_variant(layout, variants)
    assert run.error is None, run.error
    [outcome] = run.outcomes
    [record] = run.portal.submissions()
    assert outcome.state == "submitted"
    assert outcome.feedback_id == record["feedback_id"]
    assert received(run) == lakeside_fields(layout, variants)
    assert run.portal.submit_attempts() == 1
    screen = run.person.screen(expect="Feedback ID")
    absent = [line for line in screen.splitlines() if "not on this portal" in line]
    # A wizard without caller-name fields: one line says what that means, not a row.
    no_names = "This portal takes no caller names; the display names of these numbers"
    if layout == "wizard" and "display-names" not in variants:
        assert no_names in screen
    else:
        assert no_names not in screen
    if layout == "wizard" and "no-optional" in variants:
        assert [line.split("│")[2].strip() for line in absent] == ["service provider", "notes"]
    elif layout == "wizard" and "display-names" not in variants:
        assert absent == []
    elif layout == "classic" and "no-optional" in variants:
        assert [line.split("│")[2].strip() for line in absent] == ["terms accepted"]
    else:
        assert absent == []
    if layout == "wizard" and "renamed-ids" in variants and "no-optional" not in variants:
        assert (
            "business step, service provider: found by label /service provider|carrier/ "
            "(anchor 2 of 2)" in screen
        )


@pytest.mark.parametrize("layout", ["wizard", "classic"])
def test_a_required_field_no_map_knows_stops_before_the_review_naming_it(
    fill_variant: Any, layout: str
) -> None:
    run = fill_variant(layout, ("extra-required",))
    assert isinstance(run.error, PortalMismatch)
    step = "business" if layout == "wizard" else "form"
    assert str(run.error) == (
        f'{step} step: the page requires "Federal tax ID (EIN)", which the map does not fill; '
        "the portal has changed. Nothing was submitted; run `assistant check` and update the map."
    )
    assert run.error.exit_code == 4
    assert "please review" not in run.person.screen()
    assert run.portal.submit_attempts() == 0
    assert run.portal.outbox() == ([] if layout == "classic" else run.portal.outbox())


@pytest.mark.parametrize("layout", ["wizard", "classic"])
def test_a_page_that_posts_by_itself_gets_nothing_out_and_stops_the_run(
    fill_variant: Any, layout: str
) -> None:
    # The page posts the form by itself as soon as the code is typed (to the submit endpoint
    # and to a draft endpoint): refused, and the run stops there, saying what tried and where.
    variants = ("submit-endpoint",) if layout == "wizard" else ()
    run = fill_variant(layout, variants, faults=("self-post",))
    assert isinstance(run.error, RequestRefused)
    submit = run.portal.names.submit_path
    carried = "the contact email and the verification code"
    if layout == "classic":  # one form: the registration is in it by then
        carried = (
            "the registration (its numbers and the company name), the contact email and the "
            "verification code"
        )
    assert str(run.error) == (
        f"the page tried to send {carried} to {submit} by itself, with no button pressed: the "
        f"portal has changed; nothing was sent. {REPAIR}."
    )
    assert run.error.exit_code == 4
    assert run.portal.drafts() == []
    assert run.portal.submit_attempts() == 0
    assert run.portal.submissions() == []
    assert "please review" not in run.person.screen()


def test_the_real_command_fills_a_portal_built_differently_given_only_its_url(
    tmp_path: Path, replica: Replicas
) -> None:
    portal = replica(variants=ALL_BUT_ABSENCE)
    # (os.environ, not the process's own: a terminal library may have set COLUMNS there)
    checked = run_assistant(
        "check", "--url", portal.url, "--headless", cwd=ROOT, env=dict(os.environ)
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # One line per element (a long one may wrap: its continuation is indented).
    lines = [line.strip() for line in re.sub(r"\n {6}(?! )", " ", checked.stdout).splitlines()]
    assert "ok    contact email found by type=email" in lines
    assert "ok    calls per month found by a select of ranges" in lines
    assert (
        "ok    service provider found by label /service provider|carrier/ (anchor 2 of 2)" in lines
    )
    assert "ok    display names found by #enterprise_displayName_0" in lines
    with Person.practice("fill", portal, tmp_path / "data", size=(60, 160)) as person:
        person.expect(r"Type the 5-digit code: ")
        person.type(portal.latest_code("it@lakeside.example.org"))
        person.answer(r'Type "submit" to send', "submit")
        person.expect(r"Submitted 1 of 1\. Feedback ID: (FCRFE\d{17})")
        assert person.wait() == 0
    [record] = portal.submissions()
    fields = {
        k: v
        for k, v in record["fields"].items()
        if k not in ("captcha", "verification_token") and v
    }
    assert fields == lakeside_fields("wizard", ALL_BUT_ABSENCE)
