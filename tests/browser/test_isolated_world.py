"""The assistant reads each page in a JavaScript world of its own (`isolated_world`): the same
DOM, but builtins and DOM wrappers the page's scripts cannot reach. A page that patches what
scripts in its own world are told changes nothing the assistant reads back."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from assistant.browser import fields, locate
from assistant.browser.scripts import page_script
from assistant.browser.step_state import Timeouts
from assistant.errors import ReadBackMismatch
from assistant.portals.model import Target
from assistant.portals.plan import PlannedField, PlannedStep

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

pytestmark = pytest.mark.browser

URL = "http://portal.test/"
# A page that, once the company name is typed, changes it and tells every script of its world
# the typed value instead, and patches everything an evaluation there would go through.
LYING = """
<label for=name>Company name</label><input id=name>
<script>
  const real = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value");
  document.addEventListener("input", () => {
    const el = document.getElementById("name");
    const typed = real.get.call(el);
    if (typed !== "Harbor Fuel") return;
    real.set.call(el, typed + " Holdings");
    Object.defineProperty(HTMLInputElement.prototype, "value", {
      configurable: true,
      get() { return this === el ? typed : real.get.call(this); },
      set(v) { real.set.call(this, v); },
    });
  });
  const then0 = Promise.prototype.then;
  Promise.prototype.then = function (ok, no) {
    return then0.call(this, (v) => ok(typeof v === "object" ? {} : "lie"), no);
  };
  Object.defineProperty(Promise.prototype, "constructor", { value: function Other() {} });
  Object.prototype.toJSON = function () { return "lie"; };
  JSON.stringify = () => '"lie"';
  JSON.parse = () => ({});
  window.eval = () => () => "lie";
  // A short timer the page keeps pending: only the page's world can see it.
  window.pending = setTimeout(() => {}, 900);
  document.addEventListener("click", () => clearTimeout(window.pending));
</script>
"""
VALUE = "Harbor Fuel"
STEP = PlannedStep(
    name="business",
    wait_for=Target.of(id="name"),
    actions=(
        PlannedField(
            step="business",
            field="company name",
            target=Target.of(id="name"),
            write="text",
            format="text",
            match="value",
            value=VALUE,
            profile_value=VALUE,
            optional=False,
        ),
    ),
)


@pytest.fixture
def lying(context: BrowserContext) -> Page:
    context.add_init_script(script=page_script())  # as every portal context has it
    page = context.new_page()
    page.route(URL, lambda route: route.fulfill(body=LYING, content_type="text/html"))
    page.goto(URL)
    return page


def test_the_read_back_shows_what_a_lying_page_holds(lying: Page) -> None:
    with pytest.raises(ReadBackMismatch) as stopped:
        fields.fill_step(lying, STEP, Timeouts(step_ms=5_000, action_ms=5_000))
    assert str(stopped.value) == (
        "business step: field \"company name\" (#name): the page shows 'Harbor Fuel Holdings' "
        "after typing 'Harbor Fuel'; stopped before the review"
    )
    # What an evaluation in the page's world is told (Playwright's, through the page's eval):
    assert lying.locator("#name").evaluate("(el) => el.value") == "lie"
    [held] = locate.evaluate(lying, "(s) => window.__assistant.snapshot(s)", ['[id="name"]'])
    assert (held["count"], held["value"]) == (1, f"{VALUE} Holdings")
    # Plain data crosses both ways unchanged, from sync and async page functions alike.
    data = {"a": [1, "b", None, True], "c": {"d": 2.5}}
    assert locate.evaluate(lying, "(x) => x", data) == data
    assert locate.evaluate(lying, "async (x) => x", data) == data


def test_the_reader_sees_the_page_worlds_timers(lying: Page) -> None:
    """The page's timer is counted in the page's world and told to the reader when asked."""
    mark = locate.evaluate(lying, "(s) => window.__assistant.mark(s)", [])
    assert mark["busy"] is True
    lying.locator("#name").click()  # the page clears its timer
    mark = locate.evaluate(lying, "(s) => window.__assistant.mark(s)", [])
    assert mark["busy"] is False


def test_a_new_document_is_read_in_its_own_world(lying: Page) -> None:
    assert locate.evaluate(lying, "() => document.title", None) == ""
    lying.route(
        "http://portal.test/next",
        lambda route: route.fulfill(body="<title>Next</title><p>2</p>", content_type="text/html"),
    )
    lying.goto("http://portal.test/next")
    assert locate.evaluate(lying, "() => document.title", None) == "Next"
    # The script was in the new document's world from its start.
    assert locate.evaluate(lying, "() => Boolean(window.__assistant)", None) is True


def test_an_error_in_the_page_function_is_raised_with_its_message(lying: Page) -> None:
    from playwright.sync_api import Error

    with pytest.raises(Error, match="nope"):
        locate.evaluate(lying, "() => { throw new Error('nope'); }", None)
