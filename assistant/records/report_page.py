"""`assistant report` as a page and as CSV (the data: `assistant.records.report`).

The page is one self-contained HTML file: its style and its script are inline, it names no
other file, host or font, and its Content-Security-Policy (`default-src 'none'`, the script
and the style allowed by their sha256 only) forbids the browser to fetch anything at all, so
it works offline and nothing in it can call out even if a value got through unescaped. Every
value is shown literally (`assistant.terminal_text.literal`: control and invisible characters
as `\\x1b`, `\\u202e`) and then HTML-escaped: the journal holds text pages returned. Its
columns sort (a click on a heading, again to reverse) and its rows filter (every word typed
must appear in the row), all in the page; printed, the controls are left out.

The CSV has a row per number: `number` (E.164) and `display_name` first, the columns of a
profile's number file (`assistant.profiles.numberfiles`), then the profiles and, for each
registry, its status, Feedback ID, date, real or practice, next due day and attempts to look
at. A cell a spreadsheet would run as a formula (=, +, -, @, a tab or a carriage return first)
is written with a `'` before it; the number column holds only E.164 numbers, which stay as
they are.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import html
import io
import re

from assistant.records.report import Report, Row, Standing
from assistant.terminal_text import literal

_E164 = re.compile(r"\+1\d{10}")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5em;color:#111}
h1{font-size:1.4em;margin:0 0 .3em}
p.meta{color:#444;margin:.2em 0}
ul.counts{display:flex;gap:1.5em;list-style:none;padding:0;margin:.6em 0}
label.filter{display:block;margin:.8em 0}
input#filter{font-size:1em;padding:.3em;width:24em;max-width:100%}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}
th button{font:inherit;font-weight:bold;background:none;border:0;padding:0;cursor:pointer}
th[aria-sort=ascending] .arrow::after{content:" \\25B2"}
th[aria-sort=descending] .arrow::after{content:" \\25BC"}
td.none{color:#666}
td.due{background:#fde8e8}
.practice{color:#7a4b00}
.mark{color:#a00000;font-weight:bold}
.fid{font-family:monospace}
td.number,td.next{white-space:nowrap}
@media print{label.filter,p.hint,.arrow{display:none}
tr{break-inside:avoid}body{margin:0}}
"""

_SCRIPT = """
(function () {
  "use strict";
  var table = document.getElementById("numbers");
  var body = table.tBodies[0];
  var heads = table.tHead.rows[0].cells;
  var filter = document.getElementById("filter");
  var shown = document.getElementById("shown");
  function key(row, column) {
    var cell = row.cells[column];
    var sort = cell.getAttribute("data-sort");
    return sort === null ? cell.textContent : sort;
  }
  function sortBy(column) {
    var head = heads[column];
    var ascending = head.getAttribute("aria-sort") !== "ascending";
    for (var i = 0; i < heads.length; i++) { heads[i].removeAttribute("aria-sort"); }
    head.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a, column), y = key(b, column);
      var order = x < y ? -1 : (x > y ? 1 : 0);
      if (order === 0) { order = key(a, 0) < key(b, 0) ? -1 : 1; }
      return ascending ? order : -order;
    });
    for (var j = 0; j < rows.length; j++) { body.appendChild(rows[j]); }
  }
  function apply() {
    var words = filter.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var count = 0;
    for (var i = 0; i < body.rows.length; i++) {
      var row = body.rows[i];
      var text = row.textContent.toLowerCase();
      var match = words.every(function (w) { return text.indexOf(w) !== -1; });
      row.hidden = !match;
      if (match) { count++; }
    }
    shown.textContent = String(count);
  }
  for (var i = 0; i < heads.length; i++) {
    (function (column) {
      heads[column].querySelector("button").addEventListener("click", function () {
        sortBy(column);
      });
    })(i);
  }
  filter.addEventListener("input", apply);
  apply();
})();
"""


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


_POLICY = (
    f"default-src 'none'; script-src 'sha256-{_sha256(_SCRIPT)}'; "
    f"style-src 'sha256-{_sha256(_STYLE)}'; base-uri 'none'; form-action 'none'"
)


def _e(value: object) -> str:
    """`value` as HTML text (attribute-safe): shown literally, then escaped."""
    return html.escape(literal(value), quote=True)


def render_html(report: Report, source: str) -> str:
    """The report as one self-contained page; `source` names where it was read from (the
    journal's path)."""
    today = report.today.isoformat()
    counts = "".join(f"<li><b>{n}</b> {_e(name)}</li>" for name, n in report.counts.items())
    heads = ["Number", "Caller name", "Profile", *report.registries, "Next due (real)"]
    head = "".join(
        f'<th scope="col"><button type="button">{_e(h)}'
        '<span class="arrow" aria-hidden="true"></span></button></th>'
        for h in heads
    )
    rows = "\n".join(_row(row, report) for row in report.rows)
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_POLICY}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>Numbers and their registrations on {today}</title>\n"
        f"<style>{_STYLE}</style></head><body>\n"
        f"<h1>Numbers and their registrations on {today}</h1>\n"
        f'<p class="meta">From {_e(source)}. A registration falls due again {report.days} '
        "days after it was sent. Practice runs (another host than the registry's, e.g. the "
        "replica) register nothing.</p>\n"
        f'<ul class="counts">{counts}</ul>\n'
        '<label class="filter">Show only rows with: <input id="filter" type="search" '
        'autocomplete="off" placeholder="e.g. not registered, due, trf, Acme"></label>\n'
        f'<p class="hint"><span id="shown">{len(report.rows)}</span> of {len(report.rows)} '
        "numbers shown. Click a heading to sort by it.</p>\n"
        f'<table id="numbers"><thead><tr>{head}</tr></thead><tbody>\n{rows}\n</tbody></table>\n'
        f"<script>{_SCRIPT}</script>\n</body></html>\n"
    )


def _row(row: Row, report: Report) -> str:
    profiles = "<br>".join(
        f'{_e(label)} <span class="path">({_e(path)})</span>'
        for label, path in zip(row.profiles, row.profile_paths, strict=True)
    )
    cells = [
        f'<td class="number">{_e(row.number)}</td>',
        f"<td>{_e(row.display_name)}</td>",
        f"<td>{profiles}</td>",
        *(_cell(s, report) for s in row.standings),
        f'<td class="next" data-sort="{_e(row.next_due() or "~")}">{_e(row.next_due())}</td>',
    ]
    return f"<tr>{''.join(cells)}</tr>"


def _cell(s: Standing, report: Report) -> str:
    """A registry's cell: sorted by its next due day, the numbers not registered first."""
    status = s.status(report.today)
    marks = "".join(f'<div class="mark">{_e(p.describe())}</div>' for p in s.pending)
    if not s.registered:
        return f'<td class="none" data-sort="">{_e(status)}{marks}</td>'
    kind = f'<span class="{s.kind}">{_e(s.kind)}</span>'
    due = {"due": "due since", "practice": "would fall due"}.get(status, "next due")
    return (
        f'<td class="{_e(status)}" data-sort="{_e(s.next_due)}">'
        f'<span class="fid">{_e(s.feedback_id)}</span><br>'
        f"sent {_e(s.date)}, {kind}<br>{due} {_e(s.next_due)}{marks}</td>"
    )


def csv_columns(report: Report) -> list[str]:
    """The CSV's header: a number file's two columns, the profiles, then six per registry."""
    columns = ["number", "display_name", "profiles", "profile_files"]
    for registry in report.registries:
        columns += [
            f"{registry}_status",
            f"{registry}_feedback_id",
            f"{registry}_date",
            f"{registry}_kind",
            f"{registry}_next_due",
            f"{registry}_attention",
        ]
    return columns


def render_csv(report: Report) -> str:
    """The report as CSV (see the module docstring), lines ending in CRLF as CSV does."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(csv_columns(report))
    for row in report.rows:
        number = row.number if _E164.fullmatch(row.number) else _cell_text(row.number)
        cells = [
            number,
            _cell_text(row.display_name),
            _cell_text("; ".join(row.profiles)),
            _cell_text("; ".join(row.profile_paths)),
        ]
        for s in row.standings:
            cells += [
                s.status(report.today),
                _cell_text(s.feedback_id),
                s.date,
                s.kind,
                s.next_due,
                _cell_text(s.attention()),
            ]
        writer.writerow(cells)
    return out.getvalue()


def _cell_text(value: str) -> str:
    """A value as a spreadsheet will show it: literally, and never as a formula."""
    text = literal(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text
