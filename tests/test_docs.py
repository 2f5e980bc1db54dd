"""The reference in docs/, its site and the README must not drift from the command line (pipx
keeps its docs honest this way): the site builds strictly, every command and every option its
`--help` lists has its place in docs/commands.md, docs/exit-codes.md holds exactly the exit
codes, and the README stays a short welcome whose links all land."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

import pytest
import typer
import yaml
from typer.main import get_command

from assistant.cli import load_commands
from assistant.errors import ExitCode

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CONFIG = ROOT / "mkdocs.yml"
README = ROOT / "README.md"
COMMANDS_PAGE = DOCS / "commands.md"
EXIT_CODES_PAGE = DOCS / "exit-codes.md"
README_MOST_LINES = 200


@dataclass(frozen=True, slots=True)
class Build:
    returncode: int
    output: str
    site: Path


def _build(config: Path, site: Path, *, strict: bool = True) -> Build:
    """`mkdocs build` as `make docs` runs it, into `site`."""
    command = [sys.executable, "-m", "mkdocs", "build", "--config-file", str(config)]
    result = subprocess.run(
        [*command, "-d", str(site), *(["--strict"] if strict else [])],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        # The theme's end-of-life banner is not the site's business.
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    return Build(result.returncode, result.stdout + result.stderr, site)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The site, built once for this module's tests."""
    return _build(CONFIG, tmp_path_factory.mktemp("site"))


# --- the site -------------------------------------------------------------------------------


def _warnings(output: str) -> list[str]:
    """mkdocs's warnings, each with its continuation lines (a list of pages follows its line)."""
    records = re.split(r"^(?=[A-Z]+ +- )", output, flags=re.M)
    return [record for record in records if record.startswith("WARNING")]


def test_the_site_builds_strictly_without_a_warning(built: Build) -> None:
    assert built.returncode == 0, built.output
    assert _warnings(built.output) == []
    assert (built.site / "index.html").is_file()
    assert (built.site / "learn-overlay.png").is_file()


def test_a_broken_link_an_unlisted_page_or_a_missing_page_fails_the_build(
    tmp_path: Path,
) -> None:
    """Built without `--strict` on the command line: the config itself must be strict, and set to
    warn about every kind of broken reference, so that `mkdocs build` alone fails too."""
    shutil.copytree(DOCS, tmp_path / "docs")
    config: dict[str, Any] = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    config["nav"] = [*config["nav"], {"Broken": "broken.md"}, {"Gone": "gone.md"}]
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (tmp_path / "docs" / "broken.md").write_text(
        "# Broken\n\n"
        "[a page that is not there](missing.md)\n\n"
        "[a heading that is not there](commands.md#assistant-frobnicate)\n\n"
        "[an absolute link](/commands.md)\n\n"
        "[a folder, not a page](portals/)\n",
        encoding="utf-8",
    )
    (tmp_path / "docs" / "unlisted.md").write_text("# Not in the nav\n", encoding="utf-8")

    result = _build(tmp_path / "mkdocs.yml", tmp_path / "site", strict=False)

    assert result.returncode != 0, result.output
    warnings = "\n".join(_warnings(result.output))
    assert "'missing.md'" in warnings
    assert "'#assistant-frobnicate'" in warnings
    assert "'/commands.md'" in warnings
    assert "'portals/'" in warnings
    assert "gone.md" in warnings
    assert "unlisted.md" in warnings
    assert "Aborted with 6 warnings in strict mode!" in result.output


class _Assets(HTMLParser):
    """Every URL a page loads by itself (scripts, styles, images, frames), not the links."""

    LOADS: ClassVar[dict[str, str]] = {
        "script": "src",
        "link": "href",
        "img": "src",
        "iframe": "src",
        "source": "src",
    }

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = self.LOADS.get(tag)
        for name, value in attrs:
            if name == wanted and value:
                self.urls.append(value)


def test_the_site_loads_nothing_from_elsewhere(built: Build) -> None:
    """Readable offline: no web fonts, no script or style from another site."""
    pages = sorted(built.site.rglob("*.html"))
    assert len(pages) > 10
    outside: list[str] = []
    for page in pages:
        parser = _Assets()
        parser.feed(page.read_text(encoding="utf-8"))
        outside += [f"{page.name}: {url}" for url in parser.urls if re.match(r"(https?:)?//", url)]
    assert outside == []


# --- commands and options -------------------------------------------------------------------


ROOT_COMMAND = get_command(load_commands())


def _commands(group: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every command and subcommand as it is typed ("fill", "mailbox setup"), groups included."""
    for name, command in getattr(group, "commands", {}).items():
        yield f"{prefix}{name}", command
        yield from _commands(command, f"{prefix}{name} ")


COMMANDS: dict[str, Any] = {"": ROOT_COMMAND, **dict(_commands(ROOT_COMMAND))}


def _listed_options(path: str) -> set[str]:
    """The long options `assistant PATH --help` lists (not --help itself); "" is `assistant`."""
    command = COMMANDS[path]
    text: str = command.get_help(typer.Context(command, info_name=path or "assistant"))
    listed = text.partition("\nOptions:\n")[2].partition("\n\n")[0]
    return set(re.findall(r"^ {2}(?:-\w, )?(--[a-z][a-z0-9-]*)", listed, re.M)) - {"--help"}


def _sections(text: str) -> dict[str, str]:
    """Each `assistant …` heading's text, from the heading up to the next heading of the same or
    a higher level (its subsections included)."""
    headings = [
        (match.start(), len(match.group(1)), match.group(2).strip())
        for match in re.finditer(r"^(#{1,6}) (.+)$", text, re.M)
    ]
    sections: dict[str, str] = {}
    for index, (start, level, title) in enumerate(headings):
        named = re.fullmatch(r"assistant ([a-z-]+(?: [a-z-]+)*)", title)
        if named is None:
            continue
        end = next((s for s, lvl, _ in headings[index + 1 :] if lvl <= level), len(text))
        assert named.group(1) not in sections, f"two sections for assistant {named.group(1)}"
        sections[named.group(1)] = text[start:end]
    return sections


SECTIONS = _sections(COMMANDS_PAGE.read_text(encoding="utf-8"))


def test_the_checker_sees_each_commands_own_options_and_sections() -> None:
    assert {"--data-dir", "--resubmit", "--code-timeout"} <= _listed_options("fill")
    assert "--url" not in _listed_options("due")  # named in a help text, not an option of due
    assert _listed_options("map reset") == {"--element"}
    assert _listed_options("schema") == set()
    assert _listed_options("") == {"--verbose"}
    sections = _sections(
        "## assistant map\nNAME\n### assistant map show\nshows\n#### Its form\nform\n"
        "### assistant map reset\n--element\n## assistant fill\n--url\n"
    )
    assert set(sections) == {"map", "map show", "map reset", "fill"}
    assert "--element" in sections["map"]  # a group's section holds its commands'
    assert "form" in sections["map show"]  # and a command's its subsections
    assert "--element" not in sections["map show"]
    assert "--url" not in sections["map reset"]


def test_every_command_has_a_section_in_the_reference() -> None:
    assert set(COMMANDS) - {""} - set(SECTIONS) == set()


def test_every_section_of_the_reference_names_a_real_command() -> None:
    assert set(SECTIONS) - set(COMMANDS) == set()


@pytest.mark.parametrize("path", sorted(set(COMMANDS) - {""}))
def test_every_option_of_a_command_is_in_its_section(path: str) -> None:
    section = SECTIONS.get(path, "")
    missing = {
        option
        for option in _listed_options(path)
        if not re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", section)
    }
    assert missing == set()


def test_the_options_before_the_command_are_in_the_reference() -> None:
    page = COMMANDS_PAGE.read_text(encoding="utf-8")
    assert {option for option in _listed_options("") if option not in page} == set()


def _value_names(path: str) -> list[str]:
    """How `assistant PATH --help` names the values its arguments and options take: the words
    after each name in its usage line, and after each option or argument it lists."""
    text = _help(path)
    usage = text.splitlines()[0].split(" [OPTIONS]", 1)[-1].split()
    listed = re.findall(r"^ {2}(?:-\w, )?(?:--)?[A-Za-z][\w-]* ([^ \n]+)", text, re.M)
    return usage + listed


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_help_names_values_as_people_read_them(path: str) -> None:
    """`PATHS...`, `SECONDS`, `mailbox|terminal`: never a Python type (`<list[Path]>`,
    `<float range>`, `<str>`) nor braces round a required argument (`{PROFILE}`)."""
    names = _value_names(path)
    assert [name for name in names if re.search(r"[<>{}]", name)] == []


def test_the_value_name_reader_sees_arguments_and_options() -> None:
    assert "PROFILE" in _value_names("fill")
    assert "SECONDS" in _value_names("fill")  # --code-timeout
    assert "mailbox|terminal" in _value_names("fill")  # --codes
    assert "[PATHS]..." in _value_names("batch")
    assert "HOST" in _value_names("mailbox setup")


# --- exit codes -----------------------------------------------------------------------------


def test_the_exit_codes_page_lists_exactly_the_exit_codes() -> None:
    rows = re.findall(
        r"^\| (\d+) \| `([A-Z_]+)` \| \S", EXIT_CODES_PAGE.read_text(encoding="utf-8"), re.M
    )
    assert [(int(code), name) for code, name in rows] == [(c.value, c.name) for c in ExitCode]


def _exit_sentences(text: str) -> list[str]:
    """Each sentence that lists exit codes ("Exit 0 stored, 2 …, 12 …." or "Exit codes, most
    urgent first: 7 …."), and each "exit N" said in passing, on one line."""
    flat = " ".join(text.split())
    listed = re.findall(r"\bExit (?:\d|codes\b).*?\.(?=\s|$)", flat)
    return listed + re.findall(r"\bexits? \d+\b", flat)


def _exit_codes(sentence: str) -> set[int]:
    """The exit codes a sentence of `_exit_sentences` names: its numbers of one or two digits,
    ranges ("8-10") included (a port such as 993 is not one)."""
    found: set[int] = set()
    for first, last in re.findall(r"(?<![\w.$-])(\d{1,2})(?:-(\d{1,2}))?(?![\w.])", sentence):
        found |= set(range(int(first), int(last or first) + 1))
    return found


def _help(path: str) -> str:
    command = COMMANDS[path]
    return str(command.get_help(typer.Context(command, info_name=path)))


def _said(sentences: list[str]) -> set[int]:
    return set().union(*(_exit_codes(s) for s in sentences if s.startswith("Exit")))


def test_the_exit_code_reader_sees_lists_ranges_and_passing_mentions() -> None:
    text = "Runs. Exit 0 ok, 8-10 the folder (2 or 8: the file;\nport 993), 12 mail.\nIt exits 6."
    assert _exit_sentences(text) == [
        "Exit 0 ok, 8-10 the folder (2 or 8: the file; port 993), 12 mail.",
        "exits 6",
    ]
    assert _said(_exit_sentences(text)) == {0, 2, 8, 9, 10, 12}
    assert _exit_codes("exits 6") == {6}


@pytest.mark.parametrize("path", sorted(p for p in COMMANDS if p and _exit_sentences(_help(p))))
def test_a_commands_help_and_its_reference_give_the_same_exit_codes(path: str) -> None:
    """`assistant X --help` and X's section of docs/commands.md (or its group's, for a group's
    command whose section lists none) list the same codes, and only codes `ExitCode` has."""
    in_help = _said(_exit_sentences(_help(path)))
    section = _said(_exit_sentences(SECTIONS[path]))
    if not section and " " in path:
        section = _said(_exit_sentences(SECTIONS[path.rsplit(" ", 1)[0]]))
    assert in_help == section
    assert in_help <= {code.value for code in ExitCode}


def test_every_exit_code_the_readme_and_the_reference_name_is_one_the_code_has() -> None:
    codes = {code.value for code in ExitCode}
    pages = [README, *sorted(DOCS.glob("*.md"))]
    wrong = {
        f"{page.name}: {sentence}"
        for page in pages
        for sentence in _exit_sentences(page.read_text(encoding="utf-8"))
        if not _exit_codes(sentence) <= codes
    }
    assert wrong == set()


# --- the README -----------------------------------------------------------------------------


def test_the_readme_is_a_short_welcome_that_gives_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= README_MOST_LINES
    assert "make demo" in text
    assert "make test" in text


def _ids(page: Path) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', page.read_text(encoding="utf-8")))


def test_the_readme_links_only_to_pages_and_headings_that_exist(built: Build) -> None:
    links = re.findall(r"\]\(([^)\s]+)\)", README.read_text(encoding="utf-8"))
    local = [link for link in links if not re.match(r"https?://", link)]
    assert local, "the README points into the reference"
    broken: list[str] = []
    for link in local:
        target, _, anchor = link.partition("#")
        page = re.fullmatch(r"docs/([a-z0-9-]+)\.md", target)
        built_page = built.site / f"{page.group(1)}.html" if page else None
        if (
            built_page is None
            or not (ROOT / target).is_file()
            or not built_page.is_file()
            or (anchor and anchor not in _ids(built_page))
        ):
            broken.append(link)
    assert broken == []
