"""A step's screenshot is taken while its read-back waits for the page to be still, and kept
only when that read-back finds the page exactly as it was when the picture was taken.

Each test fills a two-field step of its own page (`fields.fill_step` with a `capture` that stands
in for the screenshot and says when it was called) and asserts whether the early picture was
kept (`state.shot`) or left for the caller to take again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from assistant.browser import fields, step_state
from assistant.portals.model import Target
from assistant.portals.plan import PlannedField, PlannedStep

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

FAST = step_state.Timeouts(step_ms=5_000, action_ms=5_000)
FORM = """
<label for=name>Company name</label><input id=name>
<label for=city>City</label><input id=city>
<p id=status></p>
"""
# Sets a short timer on every input, and changes nothing: the page is busy, not changed.
BUSY = FORM + "<script>addEventListener('input', () => setTimeout(() => {}, 150));</script>"


def _field(name: str, element: str, value: str) -> PlannedField:
    return PlannedField(
        step="business",
        field=name,
        target=Target.of(id=element),
        write="text",
        format="text",
        match="value",
        value=value,
        profile_value=value,
        optional=False,
    )


STEP = PlannedStep(
    name="business",
    wait_for=Target.of(id="name"),
    actions=(_field("company name", "name", "Harbor Fuel"), _field("city", "city", "Lakeside")),
)


class Camera:
    """Stands in for the screenshot: each picture is numbered; `meanwhile` is what the page
    does while the first one is taken."""

    def __init__(self, page: Page, meanwhile: str = "") -> None:
        self.page = page
        self.meanwhile = meanwhile
        self.taken = 0

    def __call__(self) -> bytes:
        self.taken += 1
        if self.meanwhile and self.taken == 1:
            self.page.evaluate(self.meanwhile)
        return f"picture {self.taken}".encode()


def test_a_picture_of_a_page_that_did_not_change_is_kept(page: Page) -> None:
    page.set_content(FORM)
    camera = Camera(page)
    state, values = fields.fill_step(page, STEP, FAST, capture=camera)
    assert camera.taken == 1
    assert state.shot is not None
    assert state.shot.image == b"picture 1"
    assert list(state.shot.values) == values == fields.read_back_steps(page, [state])
    # A later read-back of the same page is the page in the picture ...
    assert state.shot.shows(*fields.read_back_counted(page, [state]))
    # ... and not once the DOM has changed, or a value has.
    page.evaluate("document.getElementById('status').textContent = 'Saved'")
    assert not state.shot.shows(*fields.read_back_counted(page, [state]))
    unchanged = fields.read_back_counted(page, [state])[1]
    page.evaluate("document.getElementById('city').value = 'Elsewhere'")
    now, changes = fields.read_back_counted(page, [state])
    assert changes == unchanged  # a value set by a script is no DOM change ...
    assert not state.shot.shows(now, changes)  # ... but the values differ


def test_a_picture_taken_while_the_dom_changed_is_not_kept(page: Page) -> None:
    page.set_content(FORM)
    camera = Camera(page, "document.getElementById('status').textContent = 'Saved'")
    state, values = fields.fill_step(page, STEP, FAST, capture=camera)
    assert state.shot is None  # the caller takes it again, now that the page is still
    assert camera.taken == 1
    assert [v.shown for v in values] == ["Harbor Fuel", "Lakeside"]


def test_a_picture_taken_while_a_value_was_lost_is_not_kept(page: Page) -> None:
    """The page wipes a value as the picture is taken (no DOM change): the read-back types it
    again, so the page no longer is the one in the picture, though it holds the same values."""
    page.set_content(FORM)
    camera = Camera(page, "document.getElementById('city').value = ''")
    state, values = fields.fill_step(page, STEP, FAST, capture=camera)
    assert state.shot is None
    assert [v.shown for v in values] == ["Harbor Fuel", "Lakeside"]
    assert page.input_value("#city") == "Lakeside"


def test_a_picture_taken_while_a_value_was_reformatted_is_not_kept(page: Page) -> None:
    """The page writes a number its own way as the picture is taken (no DOM change): the value
    still counts as the one filled, but the page no longer looks as in the picture."""
    page.set_content("<label for=phone>Contact phone</label><input id=phone>")
    step = PlannedStep(
        name="business",
        wait_for=Target.of(id="phone"),
        actions=(
            _field("contact phone", "phone", "6195550142").model_copy(
                update={"format": "phone_digits"}
            ),
        ),
    )
    camera = Camera(page, "document.getElementById('phone').value = '619-555-0142'")
    state, values = fields.fill_step(page, step, FAST, capture=camera)
    assert state.shot is None
    assert [(v.shown, v.equal) for v in values] == [("619-555-0142", True)]


def test_a_picture_taken_while_the_page_had_a_timer_pending_is_not_kept(page: Page) -> None:
    """A short timer pending when the picture is taken may change the page any moment: the
    picture is not kept even if the timer changed nothing."""
    page.set_content(BUSY)
    camera = Camera(page)
    state, values = fields.fill_step(page, STEP, FAST, capture=camera)
    assert state.shot is None
    assert camera.taken == 1
    assert [v.shown for v in values] == ["Harbor Fuel", "Lakeside"]


def test_without_a_camera_no_picture_is_taken(page: Page) -> None:
    page.set_content(FORM)
    state, _ = fields.fill_step(page, STEP, FAST)
    assert state.shot is None
