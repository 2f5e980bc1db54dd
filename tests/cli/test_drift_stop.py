"""Issue 19 item 4: after `check` found a field drifted, `fill` stops before the emailed code
is sent, naming the command that repairs the map; a repair made since lets it go on. And item
6: a repair belongs to the host it was made for."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from clirun import run_assistant
from person import Person
from replicas import Replicas

from assistant.errors import ExitCode
from assistant.hosts import host_of

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
PROFILE = ROOT / "profiles" / "lakeside-closures.yaml"


def at_terminal(*args: str, env: dict[str, str]) -> tuple[int | None, str]:
    with Person(*args, size=(50, 200), env=env) as person:
        return person.wait(), person.before


def test_a_drifted_field_stops_fill_before_the_code_until_it_is_repaired(
    tmp_path: Path, replica: Replicas
) -> None:
    portal = replica(faults=("missing-field",))  # no #enterprise_company_address_city
    host = host_of(portal.url)
    config = tmp_path / "config"
    env = {"ASSISTANT_DATA_DIR": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(config)}
    status, checked = at_terminal("check", "--url", portal.url, "--headless", env=env)
    assert status == ExitCode.PORTAL, checked
    assert "  DRIFT city" in checked
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    record = json.loads((tmp_path / "data" / "checks" / "fcr.json").read_text("utf-8"))
    assert [(d["step"], d["element"], d["repair"]) for d in record["hosts"][host]["drift"]] == [
        ("business", "city", None)
    ]

    requests = len(portal.requests())  # the check's
    status, filled = at_terminal("fill", str(PROFILE), "--url", portal.url, "--headless", env=env)
    assert portal.outbox() == []  # no code was sent: the browser never even opened
    assert len(portal.requests()) == requests
    assert portal.submissions() == []
    assert status == ExitCode.PORTAL, filled
    assert " ".join(filled.split()) == " ".join(
        (
            f"Error: The last `assistant check` on {today} found this element of the map fcr "
            f"at {host} not as the map says, with no repair of yours since: business step, "
            "city: not found (tried #enterprise_company_address_city: none). A fill would spend "
            "an emailed code and fail there, so nothing was opened or sent. To go on, repair the "
            "map with `assistant learn "
            f"--portal fcr --url {portal.url} --profile {PROFILE} --element 'business: city'`, "
            f"or, if the portal is as the map says again, run `assistant check --portal fcr "
            f"--url {portal.url}`."
        ).split()
    )

    # The real portal was not checked: its fills are not stopped by the replica's drift.
    real = run_assistant(
        "fill", str(PROFILE), "--headless", env={**os.environ, **env}, cwd=tmp_path
    )
    assert real.returncode == ExitCode.NOT_CONFIRMED, real.stderr  # (no terminal here)

    # A repair for the replica's host, made since (by hand here; `learn` writes the same).
    config.joinpath("assistant", "portals").mkdir(parents=True, mode=0o700)
    repairs = config / "assistant" / "portals" / "fcr.yaml"
    repairs.write_text(
        f"hosts:\n  {host}:\n    steps:\n      business:\n"
        "        city: {any: [{label: Town}]}\n",
        encoding="utf-8",
    )
    repairs.chmod(0o600)
    again = run_assistant(
        "fill", str(PROFILE), "--url", portal.url, "--headless", env={**os.environ, **env}
    )
    assert again.returncode == ExitCode.NOT_CONFIRMED, again.stderr  # past the drift stop
    assert again.stderr.startswith("Error: Input is not a terminal")
    assert portal.outbox() == []

    # check names the repair in force, finds that it does not hold (no label "Town" either),
    # and from then on the fill is stopped again: that repair was seen to fail.
    status, checked = at_terminal("check", "--url", portal.url, "--headless", env=env)
    assert status == ExitCode.PORTAL
    assert f"Your 1 repair for {host} in force: business step, city (from {repairs})." in " ".join(
        checked.split()
    )
    status, filled = at_terminal("fill", str(PROFILE), "--url", portal.url, "--headless", env=env)
    assert status == ExitCode.PORTAL
    assert "with no repair of yours since: business step, city: not found" in " ".join(
        filled.split()
    )
    assert portal.outbox() == []
