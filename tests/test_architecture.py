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
print("--- loaded:")
print("\\n".join(sorted(set(sys.modules) - before)))
"""


def _loaded_by_validate() -> list[str]:
    import os
    import subprocess
    import sys
    import tempfile

    profile = PACKAGE.parent / "profiles" / "clinic-reminders.yaml"
    # A data folder of its own: options another test had a `check` remember would load the
    # maps (to compare with them), as they should.
    with tempfile.TemporaryDirectory() as data:
        result = subprocess.run(
            [sys.executable, "-c", VALIDATE_LOADS, str(profile)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env={
                **{k: v for k, v in os.environ.items() if k != "ASSISTANT_DATA_DIR"},
                "XDG_DATA_HOME": data,
            },
        )
    assert result.returncode == 0, result.stderr
    return result.stdout.split("--- loaded:\n", 1)[1].splitlines()  # after validate's own lines


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
    heavy = ("assistant.browser", "assistant.sitting", "assistant.records", "assistant.portals")
    # The options the facts confirm are read without the maps' model (issue 19 item 4): the
    # package (whose names load on first use) and its light reader only.
    light = {"assistant.portals", "assistant.portals.known"}
    assert sorted(name for name in ours if name.startswith(heavy) and name not in light) == []


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


# -- the layers --------------------------------------------------------------------------------
# Lowest first. A module may import its own layer and the layers below it, never one above:
# what drives a page never asks the person anything, what keeps records never drives a page,
# and only the command line sees everything. Type-only imports count too: a type from above
# is a dependency on above. Packages are named for what they hold (docs/architecture.md).
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "shared leaves",
        (
            "assistant.errors",
            "assistant.terminal_text",
            "assistant.paths",
            "assistant.log",
            "assistant.hosts",
            "assistant.inputfile",
            "assistant.spelling",
            "assistant.usps",
            "assistant.testhooks",
        ),
    ),
    ("the replica portal", ("assistant.replica",)),
    ("profiles", ("assistant.profiles",)),
    ("portal maps and plans", ("assistant.portals",)),
    ("records", ("assistant.records",)),
    ("the browser", ("assistant.browser",)),
    ("the sitting", ("assistant.sitting",)),
    ("the mailbox", ("assistant.mailbox",)),
    ("the command line", ("assistant.cli", "assistant.__main__", "assistant")),
)


def _module(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULE_NAMES = {_module(path): path for path in MODULES}


def _layer(module: str) -> int:
    """The index in `LAYERS` of the layer `module` belongs to (the longest prefix wins)."""
    best, length = -1, -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > length:
                best, length = index, len(prefix)
    return best


def _imports(tree: ast.Module, known: set[str]) -> set[str]:
    """Every module of ours `tree` imports, anywhere (functions and `TYPE_CHECKING` included):
    `from assistant.browser import fields` is `assistant.browser.fields`, and `from
    assistant.portals import load_portal` the package `assistant.portals`."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "assistant")
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] != "assistant":
                continue
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in known else node.module)
    return found


def _graph(sources: dict[str, str]) -> dict[str, set[str]]:
    known = set(sources)
    return {name: _imports(ast.parse(text), known) - {name} for name, text in sources.items()}


GRAPH = _graph({name: path.read_text(encoding="utf-8") for name, path in MODULE_NAMES.items()})


def _upward(graph: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{module} ({LAYERS[_layer(module)][0]}) imports {target} ({LAYERS[_layer(target)][0]})"
        for module, targets in graph.items()
        for target in targets
        if _layer(target) > _layer(module)
    )


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every set of modules that import each other, directly or round about (Tarjan)."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        order[module] = low[module] = len(order)
        stack.append(module)
        for target in sorted(graph.get(module, ())):
            if target not in graph:
                continue
            if target not in order:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], order[target])
        if low[module] == order[module]:
            circle = []
            while True:
                member = stack.pop()
                circle.append(member)
                if member == module:
                    break
            if len(circle) > 1:
                found.append(sorted(circle))

    for module in sorted(graph):
        if module not in order:
            visit(module)
    return found


def test_every_module_is_in_a_layer() -> None:
    assert [name for name in sorted(MODULE_NAMES) if _layer(name) < 0] == []


def test_no_module_imports_a_layer_above_its_own() -> None:
    assert _upward(GRAPH) == []


def test_no_modules_import_each_other_round_a_circle() -> None:
    assert _circles(GRAPH) == []


def test_the_replica_stands_apart_it_imports_only_shared_leaves_and_only_the_cli_imports_it() -> (
    None
):
    """The replica plays the portal; it must not lean on the assistant it is checked against."""
    replica = _layer("assistant.replica")
    for module, targets in GRAPH.items():
        inside = _layer(module) == replica
        for target in targets:
            if inside:
                assert _layer(target) in (0, replica), f"{module} imports {target}"
            elif _layer(target) == replica:
                assert module.startswith("assistant.cli."), f"{module} imports {target}"


def test_the_layer_checks_fail_on_an_upward_import_and_on_a_circle() -> None:
    """The checks above are only worth their passing if they can fail."""
    upward = _graph(
        {
            "assistant.records.receipts": "from assistant.browser import screenshots\n",
            "assistant.browser.screenshots": "",
        }
    )
    assert _upward(upward) == [
        "assistant.records.receipts (records) imports assistant.browser.screenshots (the browser)"
    ]
    circle = _graph(
        {
            "assistant.portals.loader": "from assistant.portals.overrides import effective\n",
            "assistant.portals.overrides": "def f():\n    from assistant.portals import loader\n",
            "assistant.portals": "",
        }
    )
    assert _circles(circle) == [["assistant.portals.loader", "assistant.portals.overrides"]]
    typed = _graph(
        {
            "assistant.browser.fields": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                "    from assistant.sitting.gates import Review\n"
            ),
            "assistant.sitting.gates": "",
        }
    )
    assert len(_upward(typed)) == 1  # a type-only import from above counts
