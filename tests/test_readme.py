"""The README and the command line must not drift apart (pipx keeps its docs honest this way)."""

from __future__ import annotations

import re
from pathlib import Path

from typer.main import get_command

from assistant.cli import load_commands

README = Path(__file__).resolve().parent.parent / "README.md"


def _commands() -> set[str]:
    group = get_command(load_commands())
    return set(getattr(group, "commands", {}))


def _documented() -> set[str]:
    return set(re.findall(r"^### assistant ([a-z-]+)", README.read_text(encoding="utf-8"), re.M))


def test_every_command_has_a_readme_section() -> None:
    assert _commands() - _documented() == set()


def test_every_readme_section_names_a_real_command() -> None:
    assert _documented() - _commands() == set()


def test_readme_gives_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert "make demo" in text
    assert "make test" in text
