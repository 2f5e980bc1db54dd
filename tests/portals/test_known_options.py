"""Issue 19 item 4: the shipped maps carry the option lists the portal facts confirm, marked
partial, so `validate` warns about a category before any portal's page was seen (and says the
list is only partly known); a page's own list, once remembered, takes their place."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from clirun import run_assistant

from assistant.portals import load_portal, seen
from assistant.portals.loader import parse_portal
from assistant.portals.mapfile import PortalMapError
from assistant.portals.model import FieldAction
from assistant.replica.catalog import CATEGORIES

ROOT = Path(__file__).resolve().parents[2]
PROFILE = """\
label: Pinecrest USD
company:
  name: Pinecrest Unified School District
  website: https://pinecrest.example.org
  address: {line1: 1 Pine Rd, city: Pinecrest, state: CA, zip: '95364'}
contact: {name: Sam Ortiz, phone: (209) 555-0150, email: it@pinecrest.example.org}
calling:
  category: CATEGORY
  monthly_calls: 900
  service_provider: Bandwidth
numbers: [(209) 555-0101]
"""


def profile(folder: Path, category: str) -> Path:
    path = folder / "pinecrest.yaml"
    path.write_text(PROFILE.replace("CATEGORY", category), encoding="utf-8")
    return path


def validate(folder: Path, *args: str) -> tuple[int, list[str]]:
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(folder / "data")}
    result = run_assistant("validate", *args, "pinecrest.yaml", cwd=folder, env=env)
    assert result.stderr == ""
    return result.returncode, result.stdout.splitlines()


def test_a_category_typo_is_caught_before_any_page_was_seen(tmp_path: Path) -> None:
    """The newcomer's `Educaton` passed as "all valid"; no page of fcr was ever seen here."""
    profile(tmp_path, "Educaton")
    assert validate(tmp_path) == (
        0,
        [
            'pinecrest.yaml:8:13: warning: calling.category: "Educaton" is not among the 3 '
            "categories known for fcr: Telemarketing, Attorney / Law, Financial Services (only "
            "partly known, from the portal facts: the portal may offer it); `assistant check "
            "--portal fcr` reads the portal's own list",
            "1 profile, 1 number: all valid (1 warning)",
        ],
    )
    assert not (tmp_path / "data").exists()  # nothing written, nothing created


def test_a_near_miss_of_a_known_option_is_named(tmp_path: Path) -> None:
    profile(tmp_path, "telemarketng")
    assert validate(tmp_path, "--portal", "fcr-classic") == (
        0,
        [
            'pinecrest.yaml:8:13: warning: calling.category: "telemarketng" is not among the 2 '
            "categories known for fcr-classic: telemarketing, other (only partly known, from "
            "the portal facts: the portal may offer it); did you mean telemarketing?",
            "1 profile, 1 number: all valid (1 warning)",
        ],
    )


@pytest.mark.parametrize(
    ("portal", "category"), [("fcr", "attorney/law"), ("fcr-classic", "Other")]
)
def test_a_known_option_passes_in_any_spelling(tmp_path: Path, portal: str, category: str) -> None:
    profile(tmp_path, category)
    assert validate(tmp_path, "--portal", portal) == (0, ["1 profile, 1 number: all valid"])


def test_a_pages_list_takes_the_place_of_the_facts(tmp_path: Path) -> None:
    """Once `check` (or a fill) remembered the portal's own categories, they decide: the
    typo is named with the option meant, and a category the facts did not list passes."""
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    options = tuple((str(i), c) for i, c in enumerate(CATEGORIES, start=1))
    fcr = load_portal("fcr")
    seen.remember(data, "fcr", fcr.real_host, {"category": options})
    profile(tmp_path, "Educaton")
    code, lines = validate(tmp_path)
    assert code == 0
    assert lines[0].startswith(
        'pinecrest.yaml:8:13: warning: calling.category: "Educaton" is not among the '
        f"{len(CATEGORIES)} categories fcr showed on "
    )
    assert lines[0].endswith("; did you mean Education?")
    profile(tmp_path, "Education")
    assert validate(tmp_path) == (0, ["1 profile, 1 number: all valid"])


def test_a_partial_list_of_ranges_says_nothing_about_a_number_outside_it(tmp_path: Path) -> None:
    """Only "1 - 100" of the wizard's calls-per-month ranges is confirmed: 900 calls a month
    is not warned about (the profiles above all say 900)."""
    fcr = load_portal("fcr")
    ranges = [
        a.known_options
        for step in fcr.steps
        for a in step.actions
        if isinstance(a, FieldAction) and a.field == "calls per month"
    ]
    known = ranges[0]
    assert known is not None
    assert (known.ranges, known.partial) == (("1 - 100",), True)
    profile(tmp_path, "Telemarketing")
    assert validate(tmp_path) == (0, ["1 profile, 1 number: all valid"])


def test_known_options_must_fit_how_the_select_is_matched() -> None:
    text = (ROOT / "assistant" / "portals" / "fcr.yaml").read_text(encoding="utf-8")
    wrong = text.replace("labels: [Telemarketing,", "values: [Telemarketing,", 1)
    with pytest.raises(PortalMapError) as caught:
        parse_portal(wrong.encode(), "fcr.yaml")
    assert "known_options needs write: select, and labels for match: label" in str(caught.value)
