"""The fail-closed guard on a page of the test's own: a page that needs a request it sends by
itself (not as the effect of a button of the map) does not get it, and the run stops saying so.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import pytest
from localsite import QuietHandler, serve
from ptyperson import PtyPerson

from assistant.browser.request_guard import REPAIR
from assistant.browser.step_state import Timeouts
from assistant.errors import RequestRefused
from assistant.portals import parse_portal
from assistant.portals.plan import build_plan
from assistant.profiles import load_profile
from assistant.records.journal import Journal
from assistant.records.journal.recorder import JournalRecorder
from assistant.sitting.code_sources import CodeRequest
from assistant.sitting.session import FillOptions, Session

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
LAKESIDE = load_profile(ROOT / "profiles" / "lakeside-closures.yaml").profile

# "Next" only starts a timer; 1.2 s later the page saves a draft by itself and shows step 2
# when the save succeeds.
PAGE = b"""<!doctype html><title>Needs its own save</title>
<label for=name>Company name</label><input id=name>
<button id=next type=button>Next</button>
<section id=step2 hidden><label><input type=checkbox id=terms> I agree</label>
<button id=send type=button>Send</button></section>
<script>
document.getElementById('next').addEventListener('click', () => {
  setTimeout(() => {
    fetch('/save', {method: 'POST', body: 'draft'}).then((r) => {
      if (r.ok) document.getElementById('step2').hidden = false;
    }).catch(() => {});
  }, 1200);
});
</script>"""

MAP = b"""name: own-save
title: A page that saves by itself
start_url: http://127.0.0.1/
allowed_hosts: [127.0.0.1]
number_limit: 20
steps:
  - name: start
    wait_for: {id: name}
    actions:
      - field: company name
        value: company.name
        target: {id: name}
      - click: {id: next}
  - name: second
    wait_for: {id: step2}
    actions:
      - field: terms
        const: 'yes'
        target: {id: terms}
        write: checkbox
      - gate: review
      - submit: {id: send}
"""


class _Page(QuietHandler):
    posts: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def do_POST(self) -> None:
        self.posts.append(self.path)
        self.send_response(204)
        self.end_headers()


@pytest.fixture
def site() -> Iterator[str]:
    _Page.posts = []
    server = serve(_Page)
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


class _NoCode:
    def code(self, request: CodeRequest) -> str | None:
        raise AssertionError("this page asks for no code")


def test_a_page_that_needs_a_request_it_sends_by_itself_stops_the_run_saying_so(
    browser: Browser, tmp_path: Path, site: str
) -> None:
    portal = parse_portal(MAP, "own-save.yaml")
    person = PtyPerson("submit")
    run_dir = tmp_path / "run"
    run_dir.mkdir(mode=0o700)
    with Journal.open(tmp_path / "data") as journal:
        session = Session(
            browser,
            FillOptions(
                portal=portal,
                url=site,
                data_dir=tmp_path / "data",
                timeouts=Timeouts(step_ms=20_000, action_ms=4_000),
            ),
            person.terminal,
            _NoCode(),
            run_dir=run_dir,
            recorder=JournalRecorder(journal),
        )
        [submission] = build_plan(LAKESIDE, portal, site).submissions
        started = time.monotonic()
        with pytest.raises(RequestRefused) as caught:
            session.run_submission(LAKESIDE, submission)
        took = time.monotonic() - started
    person.close()
    assert str(caught.value) == (
        "the page tried to send a POST request to /save by itself, with no button pressed: the "
        f"portal has changed; nothing was sent. {REPAIR}."
    )
    assert caught.value.exit_code == 4
    assert took < 10  # at once (its timer fires at 1.2 s), not when the step's 20 s are up
    assert _Page.posts == []  # nothing it sent by itself reached the server
