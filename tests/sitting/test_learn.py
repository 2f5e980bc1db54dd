"""`assistant learn`: a person repairs a map by pointing at the page. The shipped map is broken
for three elements the replica's `renamed-ids` variant renames; the person (scripted
Playwright clicks, the overlay is page script either way) points at them, a wrong kind of
element first; the repairs are saved after a typed yes, and the next fill of the same profile
submits correctly. Nothing reaches the replica's submit during learning.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from pointing import ScriptedPerson
from ptyperson import PtyPerson
from replicarun import lakeside_fields
from replicas import Replicas

from assistant.browser import guarded_context
from assistant.browser.step_state import Timeouts
from assistant.hosts import host_of
from assistant.portals import load_portal, loader, parse_portal
from assistant.portals.elements import map_elements
from assistant.portals.overrides import EffectiveMap, Overrides, overrides_path
from assistant.portals.plan import build_plan
from assistant.profiles import load_profile
from assistant.records.journal import Journal
from assistant.records.journal.recorder import JournalRecorder
from assistant.sitting.code_sources import OutboxCodeSource
from assistant.sitting.learn import LearnOptions, learn, offer_to_save
from assistant.sitting.session import FillOptions, Session

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
LAKESIDE = load_profile(ROOT / "profiles" / "lakeside-closures.yaml").profile
SHIPPED = ROOT / "assistant" / "portals" / "fcr.yaml"

# Three elements whose shipped anchors the `renamed-ids` variant defeats, broken down to the ids
# of our own replica: the email box, the send button and the calls-per-month select.
BREAKS = {
    """        target:
          any:
            - {type: email}
            - {autocomplete: email}
            - {label: '/e-?mail/'}
            - {id: enterprise_contact_email}  # a guess: the classic layout's id (same engine)
""": "        target: {id: enterprise_contact_email}\n",
    """      - click:
          any:
            - {role: button, name: '/send.*code/'}
            - {role: link, name: '/send.*code/'}
            - {role: button, name: '/(e-?mail|send) (me )?(a |the )?code/'}
""": "      - click: {id: send-verification-code}\n",
    """        target:
          any:
            - {options: ranges}
            - {label: '/calls?\\b.*\\b(per|a|each) month|monthly call/'}
""": "        target: {id: enterprise_calls_per_month}\n",
}


@pytest.fixture
def broken_fcr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> EffectiveMap:
    """The shipped `fcr` map with three elements broken, as every command loads it; an empty
    config folder of this test's own."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    text = SHIPPED.read_text(encoding="utf-8")
    for shipped, broken in BREAKS.items():
        assert shipped in text
        text = text.replace(shipped, broken)
    broken_map = parse_portal(text.encode(), "portals/fcr.yaml")
    monkeypatch.setattr(loader, "load_shipped", lambda name: broken_map)
    portal = load_portal("fcr")
    assert isinstance(portal, EffectiveMap)
    return portal


def test_learn_repairs_three_elements_by_pointing_and_the_next_fill_submits(
    browser: Browser, broken_fcr: EffectiveMap, replica: Replicas, tmp_path: Path
) -> None:
    shipped = loader.load_shipped("fcr")
    portal = replica(
        variants=("renamed-ids",),
        faults=("renamed-label",),  # "Company name" reads "Organization name"
    )
    person = ScriptedPerson(
        {
            "contact email": ["#btn-request", "#reg_mail"],  # a button first: refused
            "send code": ["#btn-request"],
            "company name": ["#enterprise_company_name"],
            "calls per month": ["label[for=volume_band]", "#volume_band"],  # its label first
        }
    )
    terminal = PtyPerson("yes")
    guard = guarded_context.GuardedContext(browser, ["127.0.0.1"])
    try:
        learnt = learn(
            guard,
            shipped,
            Overrides(),
            LAKESIDE,
            person=person,
            code_source=OutboxCodeSource(portal),
            say=terminal.terminal.say,
            options=LearnOptions(
                url=portal.url,
                reteach=frozenset({("business", "company name")}),  # --element
                timeouts=Timeouts(10_000, 8_000),
                ask_after_ms=500,
            ),
        )
        assert guard.submits_sent == 0  # the submit gate never opened
    finally:
        guard.close()
    # Learning never submits: the replica received nothing at its submit endpoint.
    assert portal.submit_attempts() == 0
    assert portal.submissions() == []
    assert learnt.stopped == ""
    assert [where for where, _, _ in person.asked] == [
        "email step, contact email",
        "email step, send code",
        "business step, company name",
        "business step, calls per month",
    ]
    assert person.asked[0][1:] == (
        "Click the field for: Contact email",
        "The map cannot find it (tried #enterprise_contact_email: none).",
    )
    assert learnt.refusals == [
        "That is the button “Send verification code”, not a box to type in. Click the box itself.",
        "That is the label “Calls per month”, not a list to choose from. Click the list itself.",
    ]
    replica_host = host_of(portal.url)  # what cli/learn passes for --url
    path = offer_to_save(terminal.terminal, "fcr", shipped, learnt, replica_host)
    assert path == overrides_path("fcr")
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert os.stat(path.parent).st_mode & 0o777 == 0o700
    screen = terminal.screen()
    assert screen.splitlines()[-15:] == [
        f"Proposed repairs of the map fcr for {replica_host}, against the map as shipped:",
        "email step, contact email:",
        "+ #reg_mail",
        "  #enterprise_contact_email",
        "email step, send code:",
        "+ #btn-request",
        "  #send-verification-code",
        "business step, company name:",
        "+ #enterprise_company_name",
        '- the label reads "Company name"',
        '+ the label reads "Organization name"',
        "business step, calls per month:",
        "+ #volume_band",
        "  #enterprise_calls_per_month",
        f'Save them to {path}, for {replica_host} only? Type "yes" to save: yes',  # once asked
    ]
    terminal.close()

    # Made for the replica, they apply to the replica only (issue 19 item 6): the real
    # portal's map is as shipped, and says where the repairs are.
    real = load_portal("fcr")
    assert isinstance(real, EffectiveMap)
    assert (real.repairs, real.elsewhere) == ((), (replica_host,))
    assert real.model_dump() == shipped.model_dump()
    # The next fill of the same profile, with the map as every command now loads it.
    repaired = load_portal("fcr", portal.url)
    person_at_review = PtyPerson("submit")
    journal = Journal.open(tmp_path / "data")
    try:
        run_dir = tmp_path / "run"
        run_dir.mkdir(mode=0o700)
        session = Session(
            browser,
            FillOptions(portal=repaired, url=portal.url, timeouts=Timeouts(10_000, 8_000)),
            person_at_review.terminal,
            OutboxCodeSource(portal),
            run_dir=run_dir,
            recorder=JournalRecorder(journal),
        )
        [submission] = build_plan(LAKESIDE, repaired, portal.url).submissions
        outcome = session.run_submission(LAKESIDE, submission)
        review = person_at_review.screen(expect="Feedback ID")
    finally:
        journal.close()
        person_at_review.close()
    assert outcome.state == "submitted"
    [record] = portal.submissions()
    received = {
        k: v
        for k, v in record["fields"].items()
        if k not in ("captcha", "verification_token") and v != ""
    }
    assert received == lakeside_fields("wizard", ("renamed-ids",))
    # The review's footer named every repair in use.
    for line in (
        "email step, contact email: #reg_mail tried first",
        "email step, send code: #btn-request tried first",
        "business step, company name: #enterprise_company_name tried first",
        "business step, calls per month: #volume_band tried first",
    ):
        line = f"Your repair for {replica_host} in use: {line}"
        assert line in review
    # `assistant check` now expects the label the person saw.
    company = next(e for e in map_elements(repaired) if e.name == "company name")
    assert company.target.expect_label == "Organization name"


def test_without_a_display_learn_says_how_to_get_one_and_exits_5(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from assistant.cli import main

    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr("platform.system", lambda: "Linux")
    with pytest.raises(SystemExit) as done:
        main(["learn", "--profile", str(ROOT / "profiles" / "lakeside-closures.yaml")])
    assert done.value.code == 5
    assert capsys.readouterr() == (
        "",
        "Error: learn shows you the portal in a browser window to click in, and this machine "
        "has no display (DISPLAY and WAYLAND_DISPLAY are not set): run it at your desktop, over "
        "`ssh -X`, or under `xvfb-run` with a VNC viewer (e.g. x11vnc) to see and click in that "
        "window.\n",
    )


def test_nothing_is_saved_unless_the_person_types_yes(broken_fcr: EffectiveMap) -> None:
    from assistant.errors import NotConfirmed
    from assistant.portals.model import Anchor
    from assistant.portals.overrides import ElementOverride
    from assistant.sitting.learn import Learnt
    from assistant.sitting.terminal import Terminal

    shipped = loader.load_shipped("fcr")
    mine = ElementOverride(any=(Anchor(id="volume_band"),))
    learnt = Learnt(Overrides(), Overrides().changed("business", "calls per month", mine))
    person = PtyPerson("no")
    try:
        with pytest.raises(NotConfirmed) as caught:
            offer_to_save(person.terminal, "fcr", shipped, learnt)
    finally:
        person.close()
    assert str(caught.value) == 'You typed "no", not "yes"; nothing was saved.'
    with open(os.devnull) as nothing, open(os.devnull, "w") as shown:
        no_tty = Terminal(nothing, shown)
        with pytest.raises(NotConfirmed) as caught:
            offer_to_save(no_tty, "fcr", shipped, learnt)
        assert str(caught.value) == (
            "Input is not a terminal, so nobody could say yes; nothing was saved. Run "
            "`assistant learn` in a terminal."
        )
        # Nothing new: nothing asked, nothing written.
        assert offer_to_save(no_tty, "fcr", shipped, Learnt(Overrides(), Overrides())) is None
    assert not overrides_path("fcr").exists()
