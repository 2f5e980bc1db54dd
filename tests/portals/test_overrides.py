"""A person's repairs of a shipped map (`CONFIG/portals/NAME.yaml`): merged over the map at
load, validated against it with line numbers, kept private, shown, compared and dropped with
`assistant map`. No browser."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.errors import ElementMissing, ExitCode, UnsafeDataDir
from assistant.portals import PortalMapError, load_portal
from assistant.portals.loader import load_shipped
from assistant.portals.model import Anchor, ClickAction, FieldAction
from assistant.portals.overrides import (
    EffectiveMap,
    ElementOverride,
    Overrides,
    overrides_path,
    parse_overrides,
    save_overrides,
)
from assistant.portals.plan import build_plan
from assistant.portals.repairs import pointing_to_repair, review_notes
from assistant.profiles import load_profile

ROOT = Path(__file__).resolve().parents[2]
LAKESIDE = load_profile(ROOT / "profiles" / "lakeside-closures.yaml").profile

REPAIRS = """\
steps:
  email:
    contact email:
      any:
        - {id: reg_mail}
  business:
    calls per month:
      any: [{id: volume_band}, {label: Monthly call volume}]
    service provider:
      absent: true
  numbers:
    display names:
      any: [{name: 'caller_{i}'}]
"""


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty config folder of this test's own; the overrides folder inside it."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path / "config" / "assistant" / "portals"


def _write(config: Path, text: str, name: str = "fcr") -> Path:
    config.mkdir(parents=True, mode=0o700, exist_ok=True)
    path = config / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(list(args))
    captured = capsys.readouterr()
    return int(done.value.code or 0), captured.out, captured.err


def test_every_command_loads_the_map_with_the_repairs_merged_in(config: Path) -> None:
    _write(config, REPAIRS)
    portal = load_portal("fcr")
    assert isinstance(portal, EffectiveMap)
    assert [r.where for r in portal.repairs] == [
        "email step, contact email",
        "business step, calls per month",
        "business step, service provider",
        "numbers step, display names",
    ]
    email, send = portal.steps[0].actions[:2]
    assert isinstance(email, FieldAction)
    # Yours first, the shipped anchors after them as fallbacks.
    assert [a.describe() for a in email.target.any] == [
        "#reg_mail",
        "type=email",
        "autocomplete=email",
        "label /e-?mail/",
        "#enterprise_contact_email",
    ]
    assert isinstance(send, ClickAction)
    assert send.click == load_shipped("fcr").steps[0].actions[1].click  # type: ignore[union-attr]
    # Absent: looked for nowhere, so the review says "not on this portal".
    business = {a.field: a for a in portal.steps[2].actions if isinstance(a, FieldAction)}
    assert business["service provider"].when_present
    assert business["service provider"].target.describe() == ":not(*)"
    # The plan (and so fill, batch and check) sees the same map.
    planned = build_plan(LAKESIDE, portal).submissions[0].steps[3].fields()[0]
    assert planned.display_name is not None  # type: ignore[union-attr]
    assert planned.display_name.with_index(2).first.name == "caller_2"  # type: ignore[union-attr]
    mine = "Your repair for www.freecallerregistry.com in use:"
    assert review_notes(portal) == [
        f"{mine} email step, contact email: #reg_mail tried first",
        f"{mine} business step, calls per month: #volume_band, else label "
        '"Monthly call volume" tried first',
        f"{mine} business step, service provider: not on this portal",
        f'{mine} numbers step, display names: name="caller_{{i}}" tried first',
    ]
    # A map without repairs is the shipped map, and says it has none.
    (config / "fcr.yaml").unlink()
    assert load_portal("fcr").repairs == ()  # type: ignore[attr-defined]


def test_a_typo_in_the_repairs_is_refused_naming_its_line(config: Path) -> None:
    path = _write(
        config,
        "steps:\n"
        "  email:\n"
        "    contact emial:\n"  # 3
        "      any: [{id: reg_mail}]\n"
        "  numbers:\n"
        "    numbers:\n"
        "      any:\n"
        "        - {id: phone}\n"  # 8
        "  review:\n"
        "    submit button: {absent: true}\n"  # 10
        "  revue:\n"  # 11
        "    wait for: {any: [{id: x}]}\n",
    )
    with pytest.raises(PortalMapError) as caught:
        load_portal("fcr")
    assert caught.value.exit_code == ExitCode.INVALID
    assert str(caught.value).splitlines() == [
        f"{path}:3:5: steps.email.contact emial: no element of that name in the email step; "
        "its elements: wait for, contact email, send code, after send code",
        f"{path}:8:11: steps.numbers.numbers.any.0: a number row's anchor must hold {{i}} "
        "(the row: 0, 1, …), e.g. {id: 'phone_{i}'}",
        f"{path}:10:5: steps.review.submit button: cannot be absent: the run cannot go on "
        "without it",
        f"{path}:11:3: steps.revue: no step of that name in the map fcr; its steps: email, "
        "code, business, numbers, review",
    ]
    _write(config, "steps:\n  email:\n    send code:\n      any:\n        - {idd: x}\n")
    with pytest.raises(PortalMapError) as caught:
        load_portal("fcr")
    assert str(caught.value) == f"{path}:5:12: steps.email.send code.any.0.idd: unknown key"


def test_repairs_are_written_private_and_refused_when_others_may_change_them(
    config: Path,
) -> None:
    shipped = load_shipped("fcr")
    mine = Overrides().changed(
        "business", "calls per month", ElementOverride(any=(Anchor(id="volume_band"),))
    )
    path = save_overrides("fcr", mine)
    assert path == overrides_path("fcr") == config / "fcr.yaml"
    assert os.stat(config).st_mode & 0o777 == 0o700
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert parse_overrides(path.read_bytes(), str(path), shipped) == mine
    path.chmod(0o664)
    with pytest.raises(UnsafeDataDir) as caught:
        load_portal("fcr")
    assert str(caught.value) == (
        f"{path} can be changed by other users (mode 0664), and it decides where your values "
        f"are typed; fix it with: chmod 600 {path}"
    )
    path.chmod(0o600)
    path.unlink()
    path.symlink_to(config.parent / "elsewhere.yaml")
    with pytest.raises(UnsafeDataDir):
        load_portal("fcr")
    path.unlink()
    assert save_overrides("fcr", Overrides()) == path
    assert not path.exists()


def test_a_missing_element_ends_with_the_command_that_repairs_it(config: Path) -> None:
    portal = load_portal("fcr")
    message = 'business step: field "city" (#enterprise_company_address_city): not found'
    with pytest.raises(ElementMissing) as caught, pointing_to_repair(portal, None, "/p/a b.yaml"):
        raise ElementMissing(f"{message} (run `assistant check`)")
    assert str(caught.value) == (
        f"{message}; to repair the map, run `assistant learn --portal fcr --profile '/p/a b.yaml'`"
    )
    # A map file of the person's own is repaired by editing it: the message stays.
    own = load_shipped("fcr")
    with pytest.raises(ElementMissing) as caught, pointing_to_repair(own, "http://x/", "p"):
        raise ElementMissing(message)
    assert str(caught.value) == message


def test_map_show_diff_and_reset(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys, "map", "diff", "fcr") == (
        0,
        "No repairs of yours for the map fcr: it is used as shipped.\n",
        "",
    )
    path = _write(config, REPAIRS)
    status, shown, _ = _run(capsys, "map", "show", "fcr")
    assert status == 0
    lines = shown.splitlines()
    assert lines[0] == (
        f"The map fcr (Free Caller Registry (wizard layout)), with 4 repairs of yours from {path}:"
    )
    assert lines[1:6] == [
        "email step",
        "  shipped  wait for: type=email, else autocomplete=email, else label /e-?mail/",
        "  yours    contact email: #reg_mail, then as shipped: type=email, else "
        "autocomplete=email, else label /e-?mail/, else #enterprise_contact_email",
        "  shipped  send code: button /send.*code/, else link /send.*code/, else button "
        "/(e-?mail|send) (me )?(a |the )?code/",
        "  shipped  after send code: autocomplete=one-time-code, else label "
        "/^(?!.*(zip|postal)).*\\bcode\\b/, else #captcha",
    ]
    assert "  yours    service provider: not on this portal" in lines
    assert "  shipped  city: #enterprise_company_address_city" in lines

    status, shown, _ = _run(capsys, "map", "diff", "fcr")
    assert (status, shown.splitlines()) == (
        0,
        [
            f"Your repairs of the map fcr ({path}), against the map as shipped:",
            "email step, contact email:",
            "+ #reg_mail",
            "  type=email",
            "  autocomplete=email",
            "  label /e-?mail/",
            "  #enterprise_contact_email",
            "business step, calls per month:",
            "+ #volume_band",
            '+ label "Monthly call volume"',
            "  a select of ranges",
            "  label /calls?\\b.*\\b(per|a|each) month|monthly call/",
            "business step, service provider:",
            "- #enterprise_service_provider",
            "- label /service provider|carrier/",
            "+ not on this portal",
            "numbers step, display names:",
            '+ name="caller_{i}"',
            "  #enterprise_displayName_{i}",
        ],
    )

    assert _run(capsys, "map", "reset", "fcr", "--element", "calls per month") == (
        0,
        f"Dropped your repair of business step, calls per month; 3 repairs left in {path}.\n",
        "",
    )
    assert load_portal("fcr").repairs[1].where == "business step, service provider"  # type: ignore[attr-defined]
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert _run(capsys, "map", "reset", "fcr", "--element", "continue") == (
        2,
        "",
        'Error: "continue" is in the steps business and numbers: name one, e.g. '
        '"business: continue"\n',
    )
    assert _run(capsys, "map", "reset", "fcr", "--element", "business: continue") == (
        2,
        "",
        "Error: You have no repair of business step, continue in the map fcr; "
        "`assistant map diff fcr` lists yours.\n",
    )
    assert _run(capsys, "map", "reset", "fcr") == (
        0,
        f"Dropped your 3 repairs of the map fcr ({path} removed); it is used as shipped.\n",
        "",
    )
    assert not path.exists()
    assert _run(capsys, "map", "show", "my-map.yaml")[0] == ExitCode.USAGE


# Nine levels of nine aliases: 9**9 (387 million) strings once expanded, in 306 bytes.
BOMB = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{b}: &{b} [{','.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)
# A run that expands the aliases must fail the test, not the machine.
GUARDED = ("prlimit", f"--as={2 * 1024**3}")


def test_an_alias_bomb_in_the_repairs_is_refused_before_it_grows(config: Path) -> None:
    """Issue 17: 310 bytes of aliases in a repair file made `plan` and `map show` grow past
    3.8 GB. Repairs refuse anchors and aliases, as profiles do, naming the place."""
    from clirun import run_assistant

    assert len(BOMB.encode()) == 306
    path = _write(config, BOMB)
    expected = (
        f"Error: {path}:1:4: anchors (&name) are not allowed in map repairs; write values out\n"
    )
    profile = str(ROOT / "profiles" / "lakeside-closures.yaml")
    for command in (["map", "show", "fcr"], ["plan", profile]):
        result = run_assistant(*command, prefix=GUARDED, timeout=60)
        assert (result.returncode, result.stdout, result.stderr) == (
            ExitCode.INVALID,
            "",
            expected,
        ), command


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("steps: &s\n  business: {}\n", "1:8: anchors (&name) are not allowed in map repairs; "
         "write values out"),
        ("steps:\n  business: *s\n", "2:13: aliases (*name) are not allowed in map repairs; "
         "write the value out"),
        ("steps:\n  business: !!map {}\n", "2:13: explicit tags such as !!map are not allowed "
         "in map repairs"),
        ("steps:\n  <<: {business: {}}\n", "2:3: merge keys (<<) are not allowed in map "
         "repairs; write the keys out"),
    ],
    ids=["anchor", "alias", "tag", "merge"],
)  # fmt: skip
def test_repairs_refuse_anchors_aliases_tags_and_merge_keys(text: str, message: str) -> None:
    with pytest.raises(PortalMapError) as caught:
        parse_overrides(text.encode(), "mine.yaml", load_shipped("fcr"))
    assert str(caught.value) == f"mine.yaml:{message}"


def test_a_map_of_ones_own_refuses_an_anchor(tmp_path: Path) -> None:
    shipped = (ROOT / "assistant" / "portals" / "fcr.yaml").read_text(encoding="utf-8")
    lines = shipped.splitlines(keepends=True)
    at = lines.index("steps:\n")
    lines[at] = "steps: &steps\n"
    path = tmp_path / "map.yaml"
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(PortalMapError) as caught:
        load_portal(str(path))
    assert str(caught.value) == (
        f"{path}:{at + 1}:8: anchors (&name) are not allowed in a portal map; write values out"
    )


def test_repairs_in_a_folder_others_may_change_are_refused_unless_it_is_sticky(
    config: Path,
) -> None:
    path = _write(config, REPAIRS)
    config.chmod(0o777)
    with pytest.raises(UnsafeDataDir) as caught:
        load_portal("fcr")
    stake = "decides where your values are typed"
    assert str(caught.value) == (
        f"{config} can be changed by other users (mode 0777), who could replace fcr.yaml in "
        f"it, which {stake}; fix it with: chmod 700 {config}"
    )
    config.chmod(0o1777)  # as /tmp: nobody else may replace a file of ours in it
    portal = load_portal("fcr")
    assert isinstance(portal, EffectiveMap)
    assert portal.source == str(path)


def test_what_every_command_prints_goes_through_the_redactor(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 17: not only errors and the lines said while filling: `map diff` prints a value
    of a file, and the mailbox password in the environment is masked there too."""
    from clirun import run_assistant

    secret = "Hunter2-env-Secret-9431"
    monkeypatch.setenv("ASSISTANT_IMAP_PASSWORD", secret)
    label = "steps:\n  business:\n    calls per month:\n      any: [{id: volume_band}]\n"
    path = _write(config, f"{label}      expect_label: {secret}\n")
    result = run_assistant("map", "diff", "fcr", env={**os.environ, "COLUMNS": "500"})
    assert (result.returncode, result.stderr, result.stdout.splitlines()) == (
        0,
        "",
        [
            f"Your repairs of the map fcr ({path}), against the map as shipped:",
            "business step, calls per month:",
            "+ #volume_band",
            "  a select of ranges",
            r"  label /calls?\b.*\b(per|a|each) month|monthly call/",
            '+ the label reads "[masked]"',
        ],
    )


def test_repairs_in_a_linked_folder_are_refused(config: Path, tmp_path: Path) -> None:
    real = tmp_path / "elsewhere"
    _write(real, REPAIRS)
    config.parent.mkdir(parents=True, mode=0o700)
    config.symlink_to(real)
    with pytest.raises(UnsafeDataDir) as caught:
        load_portal("fcr")
    assert str(caught.value) == (
        f"{config} is a symbolic link; settings are read only from a real folder: replace the "
        "link with the folder it points to"
    )


ONE_REPAIR = "steps:\n  email:\n    contact email:\n      any: [{id: reg_mail}]\n"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        # Hosts, a start page, a registry or a limit of its own: a repair only moves anchors.
        ("allowed_hosts: [www.freecallerregistry.com, evil.example]\n" + ONE_REPAIR,
         "1:1: allowed_hosts"),
        (ONE_REPAIR + "start_url: https://evil.example/fcr/\n", "5:1: start_url"),
        ("allow_requests:\n  - {method: POST, url: 'https://evil.example/**'}\n" + ONE_REPAIR,
         "1:1: allow_requests"),
        ("registry: practice\n" + ONE_REPAIR, "1:1: registry"),
        ("number_limit: 50\n" + ONE_REPAIR, "1:1: number_limit"),
        # Keys no repair has, beside an element's anchors or in one.
        (ONE_REPAIR + "      allowed_hosts: [evil.example]\n",
         "5:7: steps.email.contact email.allowed_hosts"),
        ("steps:\n  email:\n    contact email:\n      any: [{id: reg_mail, host: evil.example}]\n",
         "4:28: steps.email.contact email.any.0.host"),
    ],
)  # fmt: skip
def test_a_repair_that_adds_hosts_or_carries_unknown_keys_is_refused_naming_its_line(
    config: Path, capsys: pytest.CaptureFixture[str], text: str, where: str
) -> None:
    path = _write(config, text)
    with pytest.raises(PortalMapError) as caught:
        load_portal("fcr")
    assert str(caught.value) == f"{path}:{where}: unknown key"
    # Every command that loads the map stops there, with the same words.
    code, out, err = _run(capsys, "plan", str(ROOT / "profiles" / "lakeside-closures.yaml"))
    assert (code, out, err) == (ExitCode.INVALID, "", f"Error: {path}:{where}: unknown key\n")


# -- repairs belong to a host (issue 19 item 6) ------------------------------------------------

REPLICA = "http://127.0.0.1:8765/fcr/"
FOR_REPLICA = """\
hosts:
  127.0.0.1:8765:
    steps:
      business:
        calls per month:
          any: [{id: volume_band}]
"""


def test_a_repair_made_for_a_replica_leaves_the_real_portals_plan_alone(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(config, FOR_REPLICA)
    real = load_portal("fcr")
    assert isinstance(real, EffectiveMap)
    assert (real.repairs, real.host, real.elsewhere) == (
        (),
        "www.freecallerregistry.com",
        ("127.0.0.1:8765",),
    )
    # The real portal's review says where your repairs are, in one line.
    assert review_notes(real) == [
        "No repairs of yours for www.freecallerregistry.com (yours for 127.0.0.1:8765 apply "
        "only there)."
    ]
    practice = load_portal("fcr", REPLICA)
    assert isinstance(practice, EffectiveMap)
    assert [r.where for r in practice.repairs] == ["business step, calls per month"]
    assert review_notes(practice) == [
        "Your repair for 127.0.0.1:8765 in use: business step, calls per month: #volume_band "
        "tried first"
    ]
    # plan names the repairs in force, and the host they are for.
    status, shown, _ = _run(capsys, "plan", str(ROOT / "profiles" / "lakeside-closures.yaml"))
    assert status == 0
    assert shown.endswith(
        "\n\nNo repairs of yours for www.freecallerregistry.com (yours for 127.0.0.1:8765 apply "
        "only there).\n"
    )
    status, shown, _ = _run(
        capsys, "plan", str(ROOT / "profiles" / "lakeside-closures.yaml"), "--url", REPLICA
    )
    assert status == 0
    assert shown.endswith(
        "\n\nYour 1 repair for 127.0.0.1:8765 in force: business step, calls per month "
        f"(from {path}).\n"
    )


def test_a_file_without_hosts_is_the_real_portals_and_is_said_so_once(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(config, f"# made by hand in 2026\n{REPAIRS}")
    assert load_portal("fcr", REPLICA).repairs == ()  # type: ignore[attr-defined]
    assert len(load_portal("fcr").repairs) == 4  # type: ignore[attr-defined]
    plan = ("plan", str(ROOT / "profiles" / "lakeside-closures.yaml"))
    status, shown, _ = _run(capsys, *plan)
    assert status == 0
    in_force = (
        "Your 4 repairs for www.freecallerregistry.com in force: email step, contact email; "
        "business step, calls per month; business step, service provider; numbers step, "
        f"display names (from {path}; `assistant map diff fcr`)."
    )
    assert shown.endswith(
        f"\n\nYour repairs of the map fcr in {path} name no host: since repairs belong to a "
        "host, they apply to the real portal (www.freecallerregistry.com) only, not to a "
        "replica or another --url. The file now says so (hosts: www.freecallerregistry.com); "
        "if you made them for a replica, move them under its host (e.g. 127.0.0.1:8765).\n"
        f"{in_force}\n"
    )
    # The file now says what it means, its own lines (and comment) kept.
    text = path.read_text(encoding="utf-8")
    assert text.startswith(
        "# made by hand in 2026\nhosts:\n  www.freecallerregistry.com:  # the real portal\n"
        "    steps:\n      email:\n"
    )
    assert os.stat(path).st_mode & 0o777 == 0o600
    # Said once: the next plan only names the repairs in force.
    status, again, _ = _run(capsys, *plan)
    assert again.endswith(f"\n\n{in_force}\n")
    assert load_portal("fcr", REPLICA).repairs == ()  # type: ignore[attr-defined]


def test_saving_one_hosts_repairs_keeps_the_others(config: Path) -> None:
    _write(config, FOR_REPLICA)
    mine = Overrides(steps={"email": {"contact email": ElementOverride(any=(Anchor(id="m"),))}})
    path = save_overrides("fcr", mine)  # the real portal's
    real = load_portal("fcr")
    practice = load_portal("fcr", REPLICA)
    assert [r.where for r in real.repairs] == ["email step, contact email"]  # type: ignore[attr-defined]
    assert [r.where for r in practice.repairs] == ["business step, calls per month"]  # type: ignore[attr-defined]
    save_overrides("fcr", Overrides(), "127.0.0.1:8765")
    assert load_portal("fcr", REPLICA).repairs == ()  # type: ignore[attr-defined]
    assert path.exists()
    save_overrides("fcr", Overrides())
    assert not path.exists()  # none left for any host


def test_a_host_that_is_not_one_is_refused_naming_its_line(config: Path) -> None:
    _write(config, FOR_REPLICA.replace("127.0.0.1:8765", "'127.0.0.1:99999'"))
    with pytest.raises(PortalMapError) as caught:
        load_portal("fcr")
    assert [str(p) for p in caught.value.problems] == [
        f'{config / "fcr.yaml"}:2:3: hosts.127.0.0.1:99999: "127.0.0.1:99999" has an invalid port'
    ]
