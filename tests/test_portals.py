"""Portal maps: the shipped ones load; a broken map is refused with file:line: path: message."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import ExitCode
from assistant.portals import PortalMapError, available_portals, load_portal, parse_portal
from assistant.portals.model import ReviewGate, SubmitAction

SHIPPED = Path(__file__).resolve().parent.parent / "assistant" / "portals"


def _fcr_text() -> str:
    return (SHIPPED / "fcr.yaml").read_text(encoding="utf-8")


def _line(text: str, needle: str) -> int:
    """The 1-based line of the first line holding `needle`."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def _problems(text: str) -> list[str]:
    with pytest.raises(PortalMapError) as caught:
        parse_portal(text.encode(), "fcr.yaml")
    assert caught.value.exit_code == ExitCode.INVALID
    return str(caught.value).splitlines()


def test_shipped_maps_load_and_end_with_review_then_submit() -> None:
    assert available_portals() == ["fcr", "fcr-classic"]
    for name in available_portals():
        portal = load_portal(name)
        assert portal.name == name
        assert portal.start_url == "https://www.freecallerregistry.com/fcr/"
        assert portal.allowed_hosts == ["www.freecallerregistry.com"]
        assert portal.number_limit == 20
        actions = [a for step in portal.steps for a in step.actions]
        assert isinstance(actions[-1], SubmitAction)
        assert isinstance(actions[-2], ReviewGate)
        assert actions[-1].request.url == "**/fcr/submit"


def test_a_map_without_a_review_gate_before_submit_is_refused() -> None:
    text = _fcr_text().replace("      - gate: review\n", "")
    assert _problems(text) == [
        "fcr.yaml:4:1: the submit action must come right after a review gate (gate: review), "
        "so nothing is sent that a person has not just reviewed"
    ]


def test_a_review_gate_with_a_field_between_it_and_submit_is_refused() -> None:
    text = _fcr_text().replace(
        "      - gate: review\n      - submit:",
        "      - gate: review\n      - field: x\n        const: 'y'\n"
        "        target: {id: z}\n      - submit:",
    )
    assert "the submit action must come right after a review gate" in _problems(text)[0]


def test_every_problem_is_reported_with_its_line_and_dotted_path() -> None:
    text = (
        _fcr_text()
        .replace("value: company.address.city", "value: company.address.town")
        .replace("    wait_for: '#captcha'", "    wait_for: '#captcha'\n    colour: red")
    )
    lines = _problems(text)
    assert lines == [
        f"fcr.yaml:{_line(text, 'colour')}:13: steps.1.colour: unknown key",
        f"fcr.yaml:{_line(text, 'address.town')}:16: steps.2.actions.3.value: "
        '"company.address.town" is not a profile value: '
        "company.address has line1, line2, city, state, zip",
    ]


def test_a_key_written_twice_names_both_lines() -> None:
    text = _fcr_text().replace("  - name: numbers\n", "  - name: numbers\n    name: again\n")
    first = _line(text, "- name: numbers")
    assert _problems(text) == [
        f"fcr.yaml:{first + 1}:5: steps.3.name: written twice (lines {first} and {first + 1})"
    ]


def test_an_action_of_no_known_kind_and_a_target_with_two_anchors() -> None:
    text = _fcr_text().replace("- click: {id: nextButton1}", "- clack: {id: nextButton1}")
    text = text.replace(
        "target: {id: enterprise_company_name, expect_label: Company name}",
        "target: {id: enterprise_company_name, css: '#x'}",
    )
    assert _problems(text) == [
        f"fcr.yaml:{_line(text, 'css:')}:17: steps.2.actions.0.target: give exactly one of id, "
        "css, label or role",
        f"fcr.yaml:{_line(text, 'clack')}:9: steps.2.actions.12: an action needs one of: "
        "field, rows, click, gate, submit",
    ]


def test_unknown_portal_name_and_invalid_yaml() -> None:
    with pytest.raises(PortalMapError) as caught:
        load_portal("fcr-2031")
    assert str(caught.value) == (
        "fcr-2031:1:1: no portal map of that name; known: fcr, fcr-classic"
    )
    assert _problems("steps: [\n")[0].startswith("fcr.yaml:2:1: invalid YAML:")
    assert _problems("- a list\n") == [
        "fcr.yaml:1:1: a portal map is a mapping of keys (name, start_url, steps, …)"
    ]


def test_a_users_own_map_file_loads_by_path(tmp_path: Path) -> None:
    own = tmp_path / "mine.yaml"
    own.write_text(_fcr_text().replace("name: fcr\n", "name: mine\n"), encoding="utf-8")
    assert load_portal(str(own)).name == "mine"


def test_a_retried_click_needs_the_selector_that_shows_it_worked() -> None:
    text = _fcr_text().replace("        expect: '#captcha'\n", "")
    [problem] = _problems(text)
    assert problem.endswith(
        "steps.0.actions.1: retry_on needs expect: the selector that shows the click worked"
    )
    assert problem.startswith(f"fcr.yaml:{_line(text, 'Send verification code')}:")


def test_a_click_is_tried_at_most_five_times() -> None:
    text = _fcr_text().replace("        attempts: 3\n", "        attempts: 9\n")
    [problem] = _problems(text)
    assert problem == (
        f"fcr.yaml:{_line(text, 'attempts: 9')}:19: steps.0.actions.1.attempts: "
        "Input should be less than or equal to 5"
    )
