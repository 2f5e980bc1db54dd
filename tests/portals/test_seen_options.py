"""The options a portal showed, remembered per map and host (`assistant.portals.seen`), the
select checks that read them (every misspelt value named at once, with the option meant), and
the failures a profile's own values cause (`by_profile`: its other submissions would fail)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from assistant.browser import clicks, preflight, step_state
from assistant.errors import NoMatchingOption, PortalError, UnsafeDataDir, ValueRefused
from assistant.portals import load_portal, seen
from assistant.portals.model import ClickAction, Target
from assistant.portals.plan import PlannedField, PlannedStep
from assistant.profiles import load_profile
from assistant.replica.catalog import CATEGORIES, STATES

if TYPE_CHECKING:
    from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
FCR = load_portal("fcr")
HOST = FCR.real_host
WHEN = datetime(2026, 11, 29, 10, 4, 5, tzinfo=UTC)
CATEGORY_OPTIONS = tuple((str(i), c) for i, c in enumerate(CATEGORIES, start=1))
STATE_OPTIONS = tuple((name, name) for _, name in STATES)
RANGE_OPTIONS = tuple((r, r) for r in ("1 - 100", "101 - 1,000", "1,001 - 10,000"))


def _profile(tmp_path: Path, category: str, calls: int = 900) -> Path:
    path = tmp_path / "riverbend.yaml"
    path.write_text(
        "label: Riverbend Clinic\n"
        "company:\n"
        "  name: Riverbend Clinic\n"
        "  website: https://riverbend.example.org\n"
        "  address: {line1: 1 River Rd, city: Salem, state: OR, zip: '97301'}\n"
        "contact: {name: Sam Ortiz, phone: (503) 555-0150, email: it@riverbend.example.org}\n"
        "calling:\n"
        f"  category: {category}\n"
        f"  monthly_calls: {calls}\n"
        "  service_provider: Bandwidth\n"
        "numbers: [(503) 555-0101]\n",
        encoding="utf-8",
    )
    return path


def _remembered(data: Path, host: str = HOST, when: datetime = WHEN) -> dict[str, seen.Seen]:
    data.mkdir(mode=0o700, exist_ok=True)
    seen.remember(
        data,
        "fcr",
        host,
        {"category": CATEGORY_OPTIONS, "state": STATE_OPTIONS, "calls per month": RANGE_OPTIONS},
        now=when,
    )
    return seen.recall(data, "fcr", host)


def test_options_are_remembered_per_map_and_host_dated_and_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    lists = _remembered(data)
    assert lists["category"] == seen.Seen(CATEGORY_OPTIONS, WHEN)
    assert set(lists) == {"category", "state", "calls per month"}
    # A replica's options never stand for the real portal's, nor the other way round.
    assert seen.recall(data, "fcr", "127.0.0.1:8765") == {}
    assert seen.recall(data, "fcr-classic", HOST) == {}
    seen.remember(data, "fcr", "127.0.0.1:8765", {"category": (("1", "Other"),)}, now=WHEN)
    assert seen.recall(data, "fcr", HOST)["category"].options == CATEGORY_OPTIONS
    # A later list of one field replaces that field's only.
    later = WHEN + timedelta(days=3)
    seen.remember(data, "fcr", HOST, {"category": (("1", "Healthcare"),)}, now=later)
    again = seen.recall(data, "fcr", HOST)
    assert again["category"] == seen.Seen((("1", "Healthcare"),), later)
    assert again["state"].options == STATE_OPTIONS
    file = data / "options" / "fcr.json"
    assert file.stat().st_mode & 0o777 == 0o600
    assert file.parent.stat().st_mode & 0o777 == 0o700
    assert json.loads(file.read_text(encoding="utf-8"))["hosts"][HOST]["category"] == {
        "seen": later.isoformat(),
        "options": [["1", "Healthcare"]],
    }


def test_a_garbled_file_is_forgotten_and_a_planted_link_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _remembered(data)
    file = data / "options" / "fcr.json"
    file.write_text('{"version": 1, "hosts": {"', encoding="utf-8")
    assert seen.recall(data, "fcr", HOST) == {}
    _remembered(data)  # replaced whole by the next list
    assert set(seen.recall(data, "fcr", HOST)) == {"category", "state", "calls per month"}
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text(file.read_text(encoding="utf-8"), encoding="utf-8")
    file.unlink()
    file.symlink_to(elsewhere)
    with pytest.raises(UnsafeDataDir, match="is a symbolic link"):
        seen.recall(data, "fcr", HOST)
    with pytest.raises(UnsafeDataDir, match="is a symbolic link"):
        _remembered(data)
    assert os.readlink(file) == str(elsewhere)  # neither followed nor replaced


def test_nothing_remembered_reads_nothing_and_creates_nothing(tmp_path: Path) -> None:
    assert seen.remembered(tmp_path / "none", "fcr", HOST) == {}
    assert not (tmp_path / "none").exists()


def test_a_value_not_among_the_options_is_a_warning_where_the_profile_wrote_it(
    tmp_path: Path,
) -> None:
    path = _profile(tmp_path, "Helth Care", calls=5_000_000)
    loaded = load_profile(path)
    lists = _remembered(tmp_path / "data")
    now = WHEN + timedelta(days=2)
    assert [str(p) for p in seen.warnings(loaded, FCR, lists, host=HOST, now=now)] == [
        f'{path}:8:13: warning: calling.category: "Helth Care" is not among the 16 categories '
        "fcr showed on 2026-11-29; did you mean Healthcare?",
        f"{path}:9:18: warning: calling.monthly_calls: 5000000 is in none of the 3 calls per "
        "month options fcr showed on 2026-11-29",
    ]
    # Matched ignoring spaces, case and punctuation: nothing to say.
    fine = load_profile(_profile(tmp_path, "health care"))
    assert seen.warnings(fine, FCR, lists, host=HOST, now=now) == []
    # Only fields whose options were seen are checked.
    assert seen.warnings(loaded, FCR, {"state": lists["state"]}, host=HOST, now=now) == []


def test_an_old_list_says_how_old_and_does_not_refuse(tmp_path: Path) -> None:
    loaded = load_profile(_profile(tmp_path, "Basket weaving"))
    lists = _remembered(tmp_path / "data", host="127.0.0.1:8765")
    now = WHEN + timedelta(days=seen.OLD_DAYS + 15)
    [item] = seen.unseen(FCR, loaded.profile, lists, host="127.0.0.1:8765", now=now)
    assert item.old
    assert item.message == (
        '"Basket weaving" is not among the 16 categories fcr at 127.0.0.1:8765 showed on '
        "2026-11-29 (45 days ago; `assistant check` reads the portal's options again)"
    )
    [fresh] = seen.unseen(FCR, loaded.profile, lists, host="127.0.0.1:8765", now=WHEN)
    assert not fresh.old


SELECTS = """
<label for=state>State</label>
<select id=state><option value="">Select</option>{states}</select>
<label for=category>Category</label>
<select id=category><option value="">Select</option>{categories}</select>
"""


def _select(field: str, value: str) -> PlannedField:
    return PlannedField(
        step="business",
        field=field,
        target=Target.of(id=field),
        write="select",
        format="text",
        match="label",
        value=value,
        profile_value=value,
        optional=False,
    )


def test_every_select_without_the_value_is_named_at_once_with_the_option_meant(
    page: Page,
) -> None:
    def options(pairs: tuple[tuple[str, str], ...]) -> str:
        return "".join(f'<option value="{v}">{label}</option>' for v, label in pairs)

    page.set_content(
        SELECTS.format(states=options(STATE_OPTIONS), categories=options(CATEGORY_OPTIONS))
    )
    step = PlannedStep(
        name="business",
        wait_for=Target.of(id="state"),
        actions=(_select("state", "Kansus"), _select("category", "Helth Care")),
    )
    with pytest.raises(NoMatchingOption) as caught:
        preflight.check_step(page, step, step_state.Timeouts(step_ms=5_000, action_ms=5_000))
    states = ", ".join(name for _, name in STATE_OPTIONS)
    categories = ", ".join(CATEGORIES)
    assert str(caught.value) == (
        'business step: field "state" (#state): no option matches "Kansus"; did you mean '
        f'Kansas? Options found: {states}; also business step: field "category" '
        '(#category): no option matches "Helth Care"; did you mean Healthcare? Options found: '
        f"{categories}"
    )
    assert caught.value.by_profile
    assert caught.value.options == {"state": STATE_OPTIONS, "category": CATEGORY_OPTIONS}
    # Spelt differently but the same words: chosen.
    spaced = PlannedStep(
        name="business",
        wait_for=Target.of(id="state"),
        actions=(_select("state", "kansas"), _select("category", "Health Care")),
    )
    chosen = preflight.check_step(page, spaced, step_state.Timeouts(step_ms=5_000, action_ms=5_000))
    assert chosen.chosen == {"state": ("Kansas", "Kansas"), "category": ("7", "Healthcare")}


REFUSING_FORM = """
<label>ZIP <input id=zip value="9730"></label>
<p class=error id=problem role=alert hidden></p>
<button id=next onclick="const p = document.getElementById('problem');
  p.textContent = '{message}'.replace('N', ++window.clicks); p.hidden = false;">Continue</button>
<script>window.clicks = 0;</script>
"""


def test_the_page_refusing_the_values_on_moving_on_is_the_profiles_doing(page: Page) -> None:
    page.set_content(REFUSING_FORM.format(message="Enter a 5-digit ZIP code."))
    fast = step_state.Timeouts(step_ms=3_000, action_ms=3_000)
    with pytest.raises(ValueRefused) as caught:
        clicks.click(page, "business", ClickAction(click=Target.of(id="next")), fast)
    assert str(caught.value) == (
        "business step: after clicking button #next, the page says 'Enter a 5-digit ZIP code.'"
    )
    assert caught.value.by_profile
    # A click the map retries (sending the code) meets a hiccup of the portal, not a value.
    page.set_content(REFUSING_FORM.format(message="Something went wrong (N)."))
    retried = ClickAction(click=Target.of(id="next"), retry_on="#problem", attempts=2)
    with pytest.raises(PortalError) as hiccup:
        clicks.click(page, "email", retried, fast)
    assert str(hiccup.value).endswith("the page says 'Something went wrong (2).'")
    assert not hiccup.value.by_profile
