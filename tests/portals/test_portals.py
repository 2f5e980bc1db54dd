"""Portal maps: the shipped ones load; a broken map is refused with file:line: path: message."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import ExitCode
from assistant.portals import PortalMapError, available_portals, load_portal, parse_portal
from assistant.portals.model import (
    Anchor,
    ClickAction,
    CodeGate,
    FieldAction,
    PortalMap,
    ReviewGate,
    RowsAction,
    SubmitAction,
    Target,
)

SHIPPED = Path(__file__).resolve().parents[2] / "assistant" / "portals"


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


# Where each shipped map's portal is, and the registry (ledger) it files into.
MAP_PLACES = {
    "fcr": ("https://www.freecallerregistry.com/fcr/", ["www.freecallerregistry.com"], "fcr"),
    "fcr-classic": (
        "https://www.freecallerregistry.com/fcr/",
        ["www.freecallerregistry.com"],
        "fcr",
    ),
    "trf": (
        "https://reportarobocall.com/trf/",
        ["reportarobocall.com", "www.reportarobocall.com"],
        "trf",
    ),
    "vsf": (
        "https://voicespamfeedback.com/vsf/",
        ["voicespamfeedback.com", "www.voicespamfeedback.com"],
        "vsf",
    ),
}


def test_shipped_maps_load_and_end_with_review_then_submit() -> None:
    assert available_portals() == ["fcr", "fcr-classic", "trf", "vsf"]
    for name in available_portals():
        portal = load_portal(name)
        assert portal.name == name
        assert (portal.start_url, portal.allowed_hosts, portal.registry) == MAP_PLACES[name]
        assert portal.number_limit == 20
        actions = [a for step in portal.steps for a in step.actions]
        assert isinstance(actions[-1], SubmitAction)
        assert isinstance(actions[-2], ReviewGate)
        assert actions[-1].request is None  # nobody has seen the submit endpoint
        assert portal.allow_requests == []


# Ids the facts document (/work/shared/portal-facts.md), per layout.
BUSINESS_IDS = {
    "enterprise_company_name",
    "enterprise_company_address_line_1",
    "enterprise_company_address_line_2",
    "enterprise_company_address_city",
    "enterprise_company_address_state",
    "enterprise_company_address_zip",
    "enterprise_company_url",
    "enterprise_contact_name",
    "enterprise_contact_phone",
    "enterprise_category",
    "enterprise_phone_0",  # the wizard step waits for the first row
    "enterprise_phone_{i}",
}
DOCUMENTED = {
    "fcr": BUSINESS_IDS | {"nextButton1", "nextButton2", "enableCheckbox", "submitButton"},
    "fcr-classic": BUSINESS_IDS
    | {
        "nextButton",
        "enterprise_displayName_{i}",
        "add-number-command",
        "enterprise_contact_email",
        "enterprise_service_provider",
        "call_count",
        "additional_feedback",
        "send-verification-code",
        "captcha",
        "submitButton",
    },
}
# The sister forms (the facts' last section): what the one public script used.
SISTER_IDS = {
    "nextButton",
    "type_enterprise",
    "enterprise_contact_email",
    "enterprise_phone_0",
    "enterprise_phone_{i}",
    "enterpriseFile",
    "enterprise_company_name",
    "enterprise_company_address",
    "enterprise_category",
    "enterprise_contact_name",
    "enterprise_contact_phone",
    "enterprise_service_provider",
    "call_count",
}
DOCUMENTED["trf"] = SISTER_IDS | {
    "claim_enterprise",
    "send-verification-code",
    "captcha",
    "submitButton",
}
DOCUMENTED["vsf"] = SISTER_IDS | {"type-enterprise"}


def _targets(portal: PortalMap) -> list[tuple[Target, bool]]:
    """Every target of a map, with whether the page may lack it (`when_present`)."""
    found: list[tuple[Target, bool]] = []
    for step in portal.steps:
        found.append((step.wait_for, False))
        for action in step.actions:
            if isinstance(action, FieldAction):
                found.append((action.target, action.when_present))
            elif isinstance(action, RowsAction):
                found.append((action.number, False))
                if action.display_name:
                    found.append((action.display_name, action.display_name_when_present))
                if action.add:
                    found.append((action.add, False))
            elif isinstance(action, ClickAction):
                found += [(action.click, False)] + (
                    [(action.expect, False)] if action.expect else []
                )
            elif isinstance(action, CodeGate):
                found += [(action.input, False)]
                found += [(t, False) for t in (action.confirm, action.accepted) if t]
            elif isinstance(action, SubmitAction):
                found.append((action.submit, False))
    return found


@pytest.mark.parametrize("name", ["fcr", "fcr-classic", "trf", "vsf"])
def test_the_shipped_maps_lean_on_nothing_only_our_replica_does(name: str) -> None:
    text = (SHIPPED / f"{name}.yaml").read_text(encoding="utf-8")
    assert "data-ready" not in text
    assert "ready:" not in text
    portal = load_portal(name)
    for target, maybe in _targets(portal):
        first = target.first
        if first.kind == "id" and not maybe:
            # An id the facts do not document never leads (a guess may follow better anchors).
            assert first.id in DOCUMENTED[name], f"{first.id} leads {target.describe()}"
        for anchor in target.any:
            # Ids of the replica's own message elements are never anchors.
            assert anchor.kind != "id" or not str(anchor.id).endswith(("-error", "-status"))


def test_a_target_lists_anchors_in_order_and_one_anchor_is_short_for_a_list() -> None:
    one = Target.model_validate({"id": "captcha", "expect_label": "Code"})
    assert one == Target(any=(Anchor(id="captcha"),), expect_label="Code")
    assert Target.model_validate("#x").first.css == "#x"
    many = Target.model_validate(
        {"any": [{"role": "button", "name": "/send.*code/"}, {"name": "email"}, {"type": "email"}]}
    )
    assert [a.kind for a in many.any] == ["role", "name", "type"]
    assert [a.describe() for a in many.any] == ["button /send.*code/", 'name="email"', "type=email"]
    assert Target.model_validate({"id": "phone_{i}"}).with_index(3).first.id == "phone_3"


def test_a_map_without_a_review_gate_before_submit_is_refused() -> None:
    text = _fcr_text().replace("      - gate: review\n", "")
    assert _problems(text) == [
        f"fcr.yaml:{_line(text, 'name: fcr')}:1: the submit action must come right after a "
        "review gate (gate: review), "
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
        .replace("  - name: code\n", "  - name: code\n    colour: red\n")
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


def test_an_action_of_no_known_kind_and_anchors_that_are_not_one_kind() -> None:
    text = _fcr_text().replace(
        "      - click:\n          any:\n            - {id: nextButton1}",
        "      - clack:\n          any:\n            - {id: nextButton1}",
    )
    text = text.replace(
        "target: {id: enterprise_company_name, expect_label: Company name}",
        "target: {id: enterprise_company_name, css: '#x'}",
    )
    text = text.replace(
        "            - {label: '/e-?mail/'}\n            - {id: enterprise_contact_email}",
        "            - {label: '/e-?mail(/'}\n            - {}",
    )
    kinds = "id, label, role (+ name), placeholder, name, type, autocomplete, options or css"
    assert _problems(text) == [
        f"fcr.yaml:{_line(text, 'e-?mail(')}:15: steps.0.actions.0.target.any.2: label is not a "
        "valid regular expression: missing ), unterminated subpattern at position 7",
        f"fcr.yaml:{_line(text, '- {}')}:15: steps.0.actions.0.target.any.3: an anchor needs "
        f"exactly one of {kinds}",
        f"fcr.yaml:{_line(text, 'css: ' + chr(39) + '#x')}:17: steps.2.actions.0.target: an "
        f"anchor needs exactly one of {kinds}",
        f"fcr.yaml:{_line(text, 'clack')}:9: steps.2.actions.13: an action needs one of: "
        "field, rows, click, gate, submit",
    ]


def test_unknown_portal_name_and_invalid_yaml() -> None:
    with pytest.raises(PortalMapError) as caught:
        load_portal("fcr-2031")
    assert str(caught.value) == (
        "fcr-2031:1:1: no portal map of that name; known: fcr, fcr-classic, trf, vsf"
    )
    assert _problems("steps: [\n")[0].startswith("fcr.yaml:2:1: invalid YAML:")
    assert _problems("- a list\n") == [
        "fcr.yaml:1:1: a portal map is a mapping of keys (name, start_url, steps, …)"
    ]


def test_a_users_own_map_file_loads_by_path(tmp_path: Path) -> None:
    own = tmp_path / "mine.yaml"
    own.write_text(_fcr_text().replace("name: fcr\n", "name: mine\n"), encoding="utf-8")
    assert load_portal(str(own)).name == "mine"


def test_a_click_is_tried_at_most_five_times() -> None:
    text = _fcr_text().replace("        attempts: 3\n", "        attempts: 9\n")
    [problem] = _problems(text)
    assert problem == (
        f"fcr.yaml:{_line(text, 'attempts: 9')}:19: steps.0.actions.1.attempts: "
        "Input should be less than or equal to 5"
    )


def test_a_users_map_of_the_fcr_registry_cannot_raise_its_number_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The registry takes at most 20 numbers per submission: that is its rule, not the map's,
    so a copy of the map saying 50 is refused at load, naming the line."""
    from assistant.cli import main

    own = tmp_path / "mine.yaml"
    text = (
        _fcr_text()
        .replace("name: fcr\n", "name: mine\n")
        .replace("number_limit: 20\n", "number_limit: 50\n")
    )
    own.write_text(text, encoding="utf-8")
    refusal = (
        f"{own}:{_line(text, 'number_limit')}:15: number_limit: the fcr registry takes at most "
        "20 numbers per submission, not 50"
    )
    with pytest.raises(PortalMapError) as caught:
        load_portal(str(own))
    assert str(caught.value) == refusal
    # From the command line, before anything is planned.
    monkeypatch.chdir(SHIPPED.parent.parent)
    with pytest.raises(SystemExit) as exited:
        main(["plan", "profiles/county-weather.yaml", "--portal", str(own)])
    assert exited.value.code == ExitCode.INVALID
    assert capsys.readouterr() == ("", f"Error: {refusal}\n")
    # Fewer at a time is the person's choice; another registry has rules of its own.
    own.write_text(text.replace("number_limit: 50\n", "number_limit: 10\n"), encoding="utf-8")
    assert load_portal(str(own)).number_limit == 10
    elsewhere = (
        text.replace("registry: fcr\n", "registry: elsewhere\n")
        .replace("https://www.freecallerregistry.com/fcr/", "https://registry.example.org/")
        .replace("[www.freecallerregistry.com]", "[registry.example.org]")
    )
    own.write_text(elsewhere, encoding="utf-8")
    assert load_portal(str(own)).number_limit == 50


def test_a_whole_address_goes_only_on_one_line_and_only_the_address() -> None:
    """`format: address_line` (the sister forms' one address field) takes `company.address`
    and nothing else; `company.address` is a group anywhere else."""
    trf = (SHIPPED / "trf.yaml").read_text(encoding="utf-8")
    text = trf.replace("        value: company.address\n", "        value: company.name\n")
    together = (
        "format address_line and value company.address go together: the address is written "
        "whole, on one line, only where a form has one field for it"
    )
    where = _line(trf, "- field: address")
    assert _problems(text) == [f"fcr.yaml:{where}:9: steps.1.actions.2: {together}"]
    text = trf.replace("        format: address_line\n", "")
    assert _problems(text) == [f"fcr.yaml:{where}:9: steps.1.actions.2: {together}"]
