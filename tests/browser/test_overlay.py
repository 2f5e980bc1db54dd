"""`assistant learn`'s overlay, in a page of our own: the person's click is checked in the
page (the wrong kind of element refused, an area narrowed to the one element it holds, several
look-alikes told apart by a short path or refused), the anchor that finds exactly that element
is derived, and the page itself sees none of it. One page, a few prompts: fast."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from pointing import ABSENT, BY_PAGE, SKIP, ScriptedPerson

from assistant.browser import overlay
from assistant.browser.overlay import Answer, Prompt
from assistant.portals.elements import Element, Kind
from assistant.portals.model import Anchor, Target

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

PAGE = """
<form id="registration" onsubmit="window.seen.push('submit'); return false">
  <div class="field"><label for="st">State <span>*</span></label>
    <select id="st"><option>CA</option><option>NY</option></select></div>
  <div class="field" id="mail-field"><label for="em">Email</label><input id="em" type="email"></div>
  <div id="phones">
    <label>Phone <input id="input-17"></label> <label>Phone <input id="input-18"></label>
  </div>
  <div><div><div><div><span><input class="x"> <input class="x"></span></div></div></div></div>
  <button type="button" id="send">Send code</button>
  <button type="submit" id="go">Submit</button>
</form>
<script>
  window.seen = [];
  for (const type of ["mousedown", "click", "keydown"]) {
    document.addEventListener(type, (e) => window.seen.push(type + " " + (e.target.id || "")));
  }
</script>
"""


def _element(name: str, kind: Kind) -> Element:
    return Element("business", name, Target.of(css="#nowhere"), kind, "target", 0, True)


def _ask(page: Page, name: str, kind: Kind, *moves: str) -> Answer:
    person = ScriptedPerson({name: moves})
    return overlay.ask(page, Prompt(_element(name, kind), "The map cannot find it."), person)


def test_the_wrong_kind_is_refused_and_an_area_narrowed_to_its_one_field(page: Page) -> None:
    page.set_content(PAGE)
    # The page's own script "clicking" counts for nothing: only the person's clicks do.
    fake = 'document.getElementById("go").dispatchEvent(new PointerEvent("pointerdown"))'
    chosen = _ask(page, "state", "select", BY_PAGE + fake, "label[for=st]", "#send", "#st")
    assert chosen == Answer(
        "picked",
        Anchor(id="st"),
        label="State",
        refusals=(
            "That is the label “State”, not a list to choose from. Click the list itself.",
            "That is the button “Send code”, not a list to choose from. Click the list itself.",
        ),
    )
    chosen = _ask(page, "contact email", "text", "#go", "#mail-field")
    assert chosen == Answer(
        "picked",
        Anchor(id="em"),
        label="Email",
        refusals=("That is the button “Submit”, not a box to type in. Click the box itself.",),
    )
    # Nothing reached the page: no click, no key, no submit.
    assert page.evaluate("window.seen") == []


def test_look_alikes_are_told_apart_by_a_short_path_or_refused(page: Page) -> None:
    page.set_content(PAGE)
    # Made-up ids, one label for two boxes: passed over for a path from a stable id.
    chosen = _ask(page, "phone", "text", "#phones", "#input-18")
    assert chosen == Answer(
        "picked",
        Anchor(css='[id="phones"] > label:nth-of-type(2) > input:nth-of-type(1)'),
        label="Phone",
        tried=('label "Phone": 2 elements', 'textbox "Phone": 2 elements'),
        refusals=("That area holds 2 boxes to type in; click the one for “Phone”.",),
    )
    # Nothing stable near it at all: refused, and the person skips.
    skipped = _ask(page, "other", "text", "input.x >> nth=1", SKIP)
    assert skipped == Answer(
        "skip",
        refusals=(
            "Several elements on the page look just like that one, and nothing that will last "
            "tells it apart from them; click another, or press Skip.",
        ),
    )
    assert _ask(page, "notes", "text", ABSENT) == Answer("absent")
    assert page.evaluate("window.seen") == []
