"""Number files: `.csv` and `.xlsx` lists of calling numbers referenced by `{file: …}`.

A number file has a header row naming its columns: `number` (required) and `display_name`
(optional); names are matched ignoring case, blanks and hyphens. Blank rows are skipped.
Row N is the spreadsheet's row N (the header is row 1), so for a CSV it is line N of the file.
Problems name the file, the row (as the line) and the column.

Only regular files are read, at most `MAX_FILE_BYTES` (see `assistant.inputfile`); an .xlsx
is refused if it would unpack to more than `MAX_UNPACKED_BYTES`, and a cell holding a formula
is refused: a formula is not a number the person typed, and its cached result may be missing.
"""

from __future__ import annotations

import csv
import difflib
import io
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import Problem
from assistant.inputfile import InputFileError, read_regular_file
from assistant.terminal_text import excerpt

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 100_000
MAX_UNPACKED_BYTES = 32 * 1024 * 1024  # an .xlsx of 100,000 numbers unpacks to about 17 MiB
MAX_FORMULA_PROBLEMS = 10
_FORMULA_ADVICE = "put the number itself there: copy the cells, then paste values only"
COLUMNS = ("number", "display_name")


@dataclass(frozen=True, slots=True)
class Row:
    """One row of a number file, as written."""

    row: int
    number: str
    number_column: int
    display_name: str | None
    display_column: int


@dataclass(slots=True)
class NumberFile:
    """What a number file held: its rows, its bytes (for the profile's hash) and problems."""

    rows: list[Row]
    data: bytes
    problems: list[Problem]


def read_number_file(path: Path, display: str) -> NumberFile:
    """Read the rows of a `.csv` or `.xlsx` number file; problems name `display` and the row."""
    suffix = path.suffix.lower()
    result = NumberFile([], b"", [])
    if suffix not in (".csv", ".xlsx"):
        result.problems.append(Problem(display, 1, 1, "", "a number file must be .csv or .xlsx"))
        return result
    try:
        result.data = read_regular_file(path, MAX_FILE_BYTES, kind="number file")
    except InputFileError as error:
        reason = "number file not found" if error.missing else error.reason
        result.problems.append(Problem(display, 1, 1, "", reason))
        return result
    if len(result.data) > MAX_FILE_BYTES:
        result.data = b""
        result.problems.append(
            Problem(display, 1, 1, "", f"is larger than {MAX_FILE_BYTES // 2**20} MiB")
        )
        return result
    if suffix == ".csv":
        table = _csv_rows(result.data, display, result.problems)
    else:
        table = _xlsx_rows(result.data, display, result.problems)
    if table is not None:
        _rows(table, display, result)
    return result


def _csv_rows(data: bytes, display: str, problems: list[Problem]) -> list[list[str]] | None:
    """The cells of a CSV file, or None (with a problem) when it cannot be read."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problems.append(Problem(display, line, 1, "", "is not valid UTF-8 text; save it as UTF-8"))
        return None
    try:
        return [
            row for _, row in zip(range(MAX_ROWS + 2), csv.reader(io.StringIO(text)), strict=False)
        ]
    except csv.Error as error:
        problems.append(Problem(display, 1, 1, "", f"is not a readable CSV file: {error}"))
        return None


def _xlsx_rows(data: bytes, display: str, problems: list[Problem]) -> list[list[str]] | None:
    """The cells of the first sheet of an .xlsx file, as text; formula cells refused.

    Read with `data_only=False` so a formula shows as a formula: with `data_only=True` openpyxl
    gives its cached result, or None (read as blank, so the row vanished) when it has none.
    """
    import zipfile
    import zlib

    import openpyxl  # heavy: imported only when a profile uses a spreadsheet

    refusal = _packing_refusal(data)
    if refusal is not None:
        problems.append(Problem(display, 1, 1, "", refusal))
        return None
    # SyntaxError: what both ElementTree and lxml raise for broken XML inside the zip.
    broken = (
        zipfile.BadZipFile,
        zlib.error,
        SyntaxError,
        OSError,
        KeyError,
        ValueError,
        IndexError,
    )
    formulas: list[tuple[int, int, str]] = []
    table: list[list[str]] = []
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        try:
            for row, cells in enumerate(book.worksheets[0].iter_rows(), start=1):
                values: list[str] = []
                for column, cell in enumerate(cells, start=1):
                    if cell.data_type == "f":  # a formula, with or without a cached value
                        formulas.append((row, column, str(cell.value)))
                        values.append("")
                    else:
                        values.append(_cell(cell.value))
                table.append(values)
                if len(table) > MAX_ROWS + 1:
                    break
        finally:
            book.close()
    except broken as error:
        problems.append(
            Problem(display, 1, 1, "", f"is not a readable .xlsx file ({type(error).__name__})")
        )
        return None
    _formula_problems(formulas, display, problems)
    return table


def _packing_refusal(data: bytes) -> str | None:
    """Why an .xlsx (a zip) must not be unpacked, or None: more than `MAX_UNPACKED_BYTES` in
    all (the sizes the zip declares bound what `zipfile` will produce), or an unusual
    compression a spreadsheet never uses."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        return f"is not a readable .xlsx file ({type(error).__name__})"
    if sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
        limit = MAX_UNPACKED_BYTES // 2**20
        return f"unpacks to more than {limit} MiB; a list of numbers is much smaller"
    if any(e.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for e in entries):
        return "is not a readable .xlsx file (unusual compression); save it again as .xlsx"
    return None


def _formula_problems(
    formulas: list[tuple[int, int, str]], display: str, problems: list[Problem]
) -> None:
    """One problem per formula cell (the first `MAX_FORMULA_PROBLEMS`, then a count)."""
    from openpyxl.utils import get_column_letter

    for row, column, formula in formulas[:MAX_FORMULA_PROBLEMS]:
        shown = excerpt(" ".join(formula.split()))
        problems.append(
            Problem(
                display,
                row,
                column,
                "",
                f"cell {get_column_letter(column)}{row} holds a formula ({shown}), "
                f"not a typed number; {_FORMULA_ADVICE}",
            )
        )
    rest = formulas[MAX_FORMULA_PROBLEMS:]
    if rest:
        row, column, _ = rest[0]
        problems.append(Problem(display, row, column, "", f"{len(rest)} more cells hold formulas"))


def _cell(value: object) -> str:
    """A spreadsheet cell as text; whole floats (6195550100.0) lose their `.0`."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _rows(table: list[list[str]], display: str, result: NumberFile) -> None:
    """Check the header and turn the table into rows, collecting problems."""
    if not table or not any(cell.strip() for cell in table[0]):
        result.problems.append(
            Problem(
                display,
                1,
                1,
                "",
                "has no header row; the first row names the columns: number, display_name",
            )
        )
        return
    header = [cell.strip().casefold().replace(" ", "_").replace("-", "_") for cell in table[0]]
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        if not name:
            continue
        if name in columns:
            result.problems.append(
                Problem(display, 1, index + 1, name, f"column '{excerpt(name)}' appears twice")
            )
        elif name not in COLUMNS:
            close = difflib.get_close_matches(name, COLUMNS, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else "; allowed: number, display_name"
            result.problems.append(
                Problem(display, 1, index + 1, name, f"unknown column '{excerpt(name)}'{hint}")
            )
        columns.setdefault(name, index)
    if "number" not in columns:
        result.problems.append(Problem(display, 1, 1, "", "has no 'number' column"))
        return
    if len(table) > MAX_ROWS + 1:
        result.problems.append(Problem(display, 1, 1, "", f"has more than {MAX_ROWS} rows"))
        return
    number_at = columns["number"]
    display_at = columns.get("display_name", -1)
    for row_number, cells in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        number = cells[number_at] if number_at < len(cells) else ""
        name = cells[display_at].strip() if 0 <= display_at < len(cells) else ""
        result.rows.append(Row(row_number, number, number_at + 1, name or None, display_at + 1))
