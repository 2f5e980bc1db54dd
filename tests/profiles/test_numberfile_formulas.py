"""Issue 10 item 9: a number cell of an .xlsx holding a formula is refused, naming the cell,
whether or not the file keeps the formula's last result; nothing is dropped silently."""

from __future__ import annotations

import zipfile
from pathlib import Path

from clirun import run_assistant

from assistant.profiles.numberfiles import read_number_file

REPO = Path(__file__).resolve().parents[2]
HEADER = (REPO / "profiles" / "clinic-reminders.yaml").read_text(encoding="utf-8")
HEADER = HEADER.split("numbers:")[0] + "numbers:\n"  # 21 lines; `- file:` is line 22
ADVICE = "not a typed number; put the number itself there: copy the cells, then paste values only"


def sheet(path: Path, rows: list[list[object]], cached: dict[str, str] | None = None) -> Path:
    """Save `rows` as an .xlsx; `cached` gives formula cells the result Excel would keep."""
    import openpyxl

    book = openpyxl.Workbook()
    active = book.active
    assert active is not None
    for row in rows:
        active.append(row)
    book.save(path)
    if cached:
        with zipfile.ZipFile(path) as source:
            parts = {name: source.read(name) for name in source.namelist()}
        xml = parts["xl/worksheets/sheet1.xml"].decode()
        for cell, value in cached.items():
            start = xml.index(f'<c r="{cell}">')
            end = xml.index("<v />", start)
            xml = xml[:end] + f"<v>{value}</v>" + xml[end + len("<v />") :]
        parts["xl/worksheets/sheet1.xml"] = xml.encode()
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
            for name, data in parts.items():
                out.writestr(name, data)
    return path


def test_formula_cells_are_refused_with_or_without_a_cached_value(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(f"{HEADER}  - file: x.xlsx\n", encoding="utf-8")
    sheet(
        tmp_path / "x.xlsx",
        [["number"], [5035550110], ["=5035550110+1"], ["=A2+2"]],
        cached={"A4": "5035550112"},  # A3 has no cached value: openpyxl used to read it blank
    )
    result = run_assistant("validate", "p.yaml", cwd=tmp_path)
    assert (result.returncode, result.stderr, result.stdout.splitlines()) == (
        1,
        "",
        [
            f"x.xlsx:3:1: cell A3 holds a formula (=5035550110+1), {ADVICE} (listed by p.yaml:22)",
            f"x.xlsx:4:1: cell A4 holds a formula (=A2+2), {ADVICE} (listed by p.yaml:22)",
            "1 of 1 profile invalid (2 errors)",
        ],
    )


def test_a_column_of_formulas_gives_ten_lines_and_a_count(tmp_path: Path) -> None:
    rows: list[list[object]] = [["number", "display_name"], [5035550110, "CLINIC"]]
    rows += [[f"=A2+{i}", '="CLINIC"'] for i in range(1, 7)]
    result = read_number_file(sheet(tmp_path / "x.xlsx", rows), "x.xlsx")
    assert [(p.line, p.column, p.message.split(" holds")[0]) for p in result.problems] == [
        (3, 1, "cell A3"),
        (3, 2, "cell B3"),
        (4, 1, "cell A4"),
        (4, 2, "cell B4"),
        (5, 1, "cell A5"),
        (5, 2, "cell B5"),
        (6, 1, "cell A6"),
        (6, 2, "cell B6"),
        (7, 1, "cell A7"),
        (7, 2, "cell B7"),
        (8, 1, "2 more cells hold formulas"),
    ]
    assert [r.number for r in result.rows] == ["5035550110"]
