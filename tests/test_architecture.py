"""The shape of the house, checked: design rules that code review alone would let slip."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "assistant"
MODULES = sorted(PACKAGE.rglob("*.py"))


def _name(path: Path) -> str:
    return str(path.relative_to(PACKAGE.parent))


def _runtime_imports(tree: ast.Module) -> set[str]:
    """Top-level package names imported anywhere except under `if TYPE_CHECKING:`."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for branch in node.orelse:
                visit(branch)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def test_the_checker_sees_imports_in_functions_but_not_type_only_ones() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    import typer\n"
        "def f() -> None:\n    from playwright.sync_api import Page\n"
    )
    assert _runtime_imports(ast.parse(source)) == {"typing", "playwright"}


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_only_the_browser_package_imports_playwright(path: Path) -> None:
    imports = _runtime_imports(ast.parse(path.read_text(encoding="utf-8")))
    if PACKAGE / "browser" not in path.parents:
        assert "playwright" not in imports


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_core_code_never_imports_the_cli_library(path: Path) -> None:
    imports = _runtime_imports(ast.parse(path.read_text(encoding="utf-8")))
    if PACKAGE / "cli" not in path.parents:
        assert "typer" not in imports


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_no_fixed_sleeps_outside_the_replica(path: Path) -> None:
    if PACKAGE / "replica" in path.parents:
        return  # the replica sleeps on purpose to play a slow or hanging portal
    source = path.read_text(encoding="utf-8")
    assert "time.sleep(" not in source
    assert "wait_for_timeout" not in source


# What `assistant validate PROFILE` may load beyond a bare interpreter: the profile stack
# (pydantic and what it imports, PyYAML) and nothing of the CLI framework, the browser, the
# journal or phonenumbers (the fast path settles common notations without it). Timing itself
# is `make bench`'s (benchmarks/bench_command.py); this keeps the imports from creeping back.
VALIDATE_MAY_LOAD = {
    "annotated_types",
    # Finds the data folder, to see whether a portal's options are remembered (warnings).
    "platformdirs",
    "pydantic",
    "pydantic_core",
    "typing_extensions",
    "typing_inspection",
    "yaml",
}
VALIDATE_LOADS = """\
import sys
before = set(sys.modules)
from assistant.cli import main
try:
    main(["validate", sys.argv[1]])
except SystemExit as exit:
    assert exit.code == 0, exit.code
print("\\n".join(sorted(set(sys.modules) - before)))
"""


def _loaded_by_validate() -> list[str]:
    import subprocess
    import sys

    profile = PACKAGE.parent / "profiles" / "clinic-reminders.yaml"
    result = subprocess.run(
        [sys.executable, "-c", VALIDATE_LOADS, str(profile)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()[1:]  # the first line is validate's own summary


def test_validate_loads_no_cli_framework_browser_journal_or_phonenumbers() -> None:
    import sys

    loaded = _loaded_by_validate()
    packages = {name.split(".")[0] for name in loaded}
    third_party = {
        name
        for name in packages - set(sys.stdlib_module_names) - {"assistant"}
        # C helpers of the packages above (PyYAML's Cython extension) and sysconfig's data.
        if not name.startswith(("_yaml", "_cython", "cython_runtime", "_sysconfigdata"))
    }
    assert third_party == VALIDATE_MAY_LOAD
    ours = {name for name in loaded if name.startswith("assistant.")}
    assert {name for name in ours if name.startswith("assistant.cli.")} == {
        "assistant.cli.validation"
    }
    heavy = {
        "assistant.browser.launch",
        "assistant.sitting.session",
        "assistant.records.journal",
        "assistant.portals",
    }
    assert ours & heavy == set()


def test_every_command_module_is_in_the_command_table() -> None:
    """A command module missing from `assistant.cli.COMMANDS` would never be imported, so its
    command would vanish from the command line without an error."""
    from typer.main import get_command

    from assistant.cli import COMMANDS, load_commands

    helpers = {"__init__", "app", "validation"}  # not commands: the app and validate's core
    modules = {path.stem for path in (PACKAGE / "cli").glob("*.py")} - helpers
    assert set(COMMANDS.values()) == modules
    group = get_command(load_commands())
    assert list(getattr(group, "commands", {})) == list(COMMANDS)


def test_help_lists_the_commands_in_one_order_whatever_was_imported_first() -> None:
    """`fill` imports `batch` and `plan`: loaded first, they must not move up the help."""
    import subprocess
    import sys

    code = (
        "from typer.main import get_command\n"
        "from assistant.cli import COMMANDS, load_commands\n"
        "load_commands('fill')\n"
        "print(list(get_command(load_commands()).commands) == list(COMMANDS))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "True\n", "")
