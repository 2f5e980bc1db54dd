"""Number files: `.csv` and `.xlsx` lists of calling numbers referenced by `{file: …}`.

A number file has a header row naming its columns. The numbers' column is the one headed
Number, Phone, Phone Number, Telephone, TN or DID; the caller names' (optional) the one headed
Display Name, Caller ID, Caller Name or CNAM; headers are matched ignoring case, blanks and
punctuation ("PHONE_NUMBER", "phone-number"). Other columns are ignored, with one warning
naming them. A profile may name the headers itself (`columns: {number: "Main Line",
display_name: "Caller ID"}`; then only those are read) and, for an .xlsx, the sheet (`sheet:`;
default the first). Blank rows are skipped.
Row N is the spreadsheet's row N (the header is row 1), so for a CSV it is line N of the file.
Problems name the file, the row (as the line) and the column.

Only regular files are read, at most `MAX_FILE_BYTES` (see `assistant.inputfile`); an .xlsx
is refused if it would unpack to more than `MAX_UNPACKED_BYTES`, and a cell holding a formula
is refused: a formula is not a number the person typed, and its cached result may be missing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import Problem
from assistant.inputfile import InputFileError, read_regular_file
from assistant.spelling import either, fold
from assistant.terminal_text import excerpt

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 100_000
MAX_UNPACKED_BYTES = 32 * 1024 * 1024  # an .xlsx of 100,000 numbers unpacks to about 17 MiB
MAX_FORMULA_PROBLEMS = 10
_FORMULA_ADVICE = "put the number itself there: copy the cells, then paste values only"
COLUMNS = ("number", "display_name")
# The headers people give each column, as `spelling.fold` spells them.
HEADERS = {
    "number": ("Number", "Phone", "Phone Number", "Telephone", "TN", "DID"),
    "display_name": ("Display Name", "Caller ID", "Caller Name", "CNAM"),
}
_KNOWN = {fold(header): column for column, names in HEADERS.items() for header in names}


@dataclass(frozen=True, slots=True)
class Columns:
    """What a profile says about a number file: the headers to read (None: the usual ones)
    and, for an .xlsx, the sheet (None: the first)."""

    number: str | None = None
    display_name: str | None = None
    sheet: str | None = None


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


def read_number_file(path: Path, display: str, columns: Columns | None = None) -> NumberFile:
    """Read the rows of a `.csv` or `.xlsx` number file; problems name `display` and the row.
    `columns`: the headers and the sheet the profile names (default: the usual ones, the
    first sheet)."""
    columns = columns or Columns()
    suffix = path.suffix.lower()
    result = NumberFile([], b"", [])
    if suffix not in (".csv", ".xlsx"):
        result.problems.append(Problem(display, 1, 1, "", "a number file must be .csv or .xlsx"))
        return result
    if columns.sheet is not None and suffix != ".xlsx":
        result.problems.append(
            Problem(display, 1, 1, "", "has no sheets (only an .xlsx has); leave out sheet:")
        )
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
        table = _xlsx_rows(result.data, display, result.problems, columns.sheet)
    if table is not None:
        _rows(table, display, result, columns)
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


def _xlsx_rows(
    data: bytes, display: str, problems: list[Problem], sheet: str | None = None
) -> list[list[str]] | None:
    """The cells of the sheet called `sheet` (default: the first) of an .xlsx file, as text;
    formula cells refused.

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
            names = list(book.sheetnames)
            if sheet is not None and sheet not in names:
                near = [n for n in names if fold(n) == fold(sheet)]
                hint = (
                    f"did you mean {either(near)}?" if near else f"its sheets: {', '.join(names)}"
                )
                problems.append(
                    Problem(display, 1, 1, "", f"has no sheet '{excerpt(sheet)}'; {hint}")
                )
                return None
            chosen = book[sheet] if sheet is not None else book.worksheets[0]
            for row, cells in enumerate(chosen.iter_rows(), start=1):
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


def _rows(table: list[list[str]], display: str, result: NumberFile, columns: Columns) -> None:
    """Find the columns by their headers and turn the table into rows, collecting problems."""
    if not table or not any(cell.strip() for cell in table[0]):
        result.problems.append(
            Problem(
                display,
                1,
                1,
                "",
                "has no header row; the first row names the columns: Number (or Phone, "
                "Phone Number, Telephone, TN, DID) and, optionally, Display Name (or Caller "
                "ID, Caller Name, CNAM)",
            )
        )
        return
    header = table[0]
    found = (
        _named(header, display, result, columns)
        if columns.number
        else _usual(header, display, result)
    )
    if found is None:
        return
    number_at, display_at = found
    ignored = [
        i for i, cell in enumerate(header) if cell.strip() and i not in (number_at, display_at)
    ]
    if ignored:
        names = ", ".join(f"'{excerpt(header[i].strip())}'" for i in ignored)
        several = len(ignored) > 1
        result.problems.append(
            Problem(
                display,
                1,
                ignored[0] + 1,
                "",
                f"column{'s' if several else ''} {names} {'are' if several else 'is'} ignored: "
                f"only the numbers ('{excerpt(header[number_at].strip())}') and the caller names "
                "are read",
                "warning",
            )
        )
    if len(table) > MAX_ROWS + 1:
        result.problems.append(Problem(display, 1, 1, "", f"has more than {MAX_ROWS} rows"))
        return
    for row_number, cells in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        number = cells[number_at] if number_at < len(cells) else ""
        name = cells[display_at].strip() if 0 <= display_at < len(cells) else ""
        result.rows.append(Row(row_number, number, number_at + 1, name or None, display_at + 1))


def _usual(header: list[str], display: str, result: NumberFile) -> tuple[int, int] | None:
    """(the numbers' column, the caller names' or -1) by the usual headers; None (with a
    problem) when no column, or more than one, holds the numbers."""
    at: dict[str, list[int]] = {column: [] for column in COLUMNS}
    for index, cell in enumerate(header):
        column = _KNOWN.get(fold(cell))
        if column is not None:
            at[column].append(index)
    for column, indexes in at.items():
        if len(indexes) > 1:
            shown = " and ".join(f"'{excerpt(header[i].strip())}'" for i in indexes)
            result.problems.append(
                Problem(
                    display,
                    1,
                    indexes[1] + 1,
                    "",
                    f"columns {shown} could both hold the {_WHAT[column]}; say which in the "
                    f'profile: columns: {{{column}: "{excerpt(header[indexes[0]].strip())}"}}',
                )
            )
    if any(len(indexes) > 1 for indexes in at.values()):
        return None
    if not at["number"]:
        usual = ", ".join(HEADERS["number"])
        result.problems.append(
            Problem(
                display,
                1,
                1,
                "",
                f"has no column of numbers: head it {usual}, or name its header in the "
                'profile: columns: {number: "HEADER"}',
            )
        )
        return None
    return at["number"][0], (at["display_name"] or [-1])[0]


_WHAT = {"number": "numbers", "display_name": "caller names"}


def _named(
    header: list[str], display: str, result: NumberFile, columns: Columns
) -> tuple[int, int] | None:
    """(the numbers' column, the caller names' or -1) by the headers the profile names; None
    (with a problem) when one is not in the header row."""
    places: list[int] = []
    for column, wanted in (("number", columns.number), ("display_name", columns.display_name)):
        if wanted is None:
            places.append(-1)
            continue
        matches = [i for i, cell in enumerate(header) if fold(cell) == fold(wanted)]
        if len(matches) != 1:
            shown = ", ".join(f"'{excerpt(cell.strip())}'" for cell in header if cell.strip())
            problem = "has no column" if not matches else "has more than one column"
            result.problems.append(
                Problem(
                    display,
                    1,
                    (matches[1] + 1) if matches else 1,
                    "",
                    f"{problem} headed '{excerpt(wanted)}' (columns.{column} in the profile); "
                    f"its headers: {shown}",
                )
            )
            places.append(-2)
        else:
            places.append(matches[0])
    if -2 in places:
        return None
    return places[0], places[1]
