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
def test_only_the_browser_module_imports_playwright(path: Path) -> None:
    imports = _runtime_imports(ast.parse(path.read_text(encoding="utf-8")))
    if path != PACKAGE / "browser.py":
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
