"""`assistant.terminal_text`: any value shown literally, never obeyed by the terminal."""

from __future__ import annotations

import io
import json

import pytest
from rich.table import Table
from rich.text import Text

from assistant.terminal_text import columns, json_text, literal, rendered, wrap


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("Acme [holdings] Dental [b]Group[/b]", "Acme [holdings] Dental [b]Group[/b]"),
        ("Band[/]width \x1b[31mred\x1b[0m", "Band[/]width \\x1b[31mred\\x1b[0m"),
        ("bell\x07 back\x08 del\x7f nul\x00", "bell\\x07 back\\x08 del\\x7f nul\\x00"),
        ("tab\tcr\rlf\n", "tab\\tcr\\rlf\\n"),
        ("8-bit CSI \x9b31m", "8-bit CSI \\x9b31m"),
        ("abc\u202edcba", "abc\\u202edcba"),  # right-to-left override
        ("Ac\u200bme\ufeff", "Ac\\u200bme\\ufeff"),  # zero-width space, byte-order mark
        ("line\u2028sep", "line\\u2028sep"),
        ("tag\U000e0041", "tag\\U000e0041"),
        # Issue 17: what shows as nothing, or as a blank that is not the space.
        ("\u3164", "\\u3164"),  # HANGUL FILLER
        ("a\u115fb\u1160c\uffa0", "a\\u115fb\\u1160c\\uffa0"),  # the other Hangul fillers
        ("\u2800\U0001d159", "\\u2800\\U0001d159"),  # braille blank, null notehead
        ("a\u200bb\u200cc\u200dd\u2060e", "a\\u200bb\\u200cc\\u200dd\\u2060e"),
        ("no\u00a0break\u2003em\u3000wide", "no\\xa0break\\u2003em\\u3000wide"),  # Zs
        ("e\u034f\u17b4x\ufe0f", "e\\u034f\\u17b4x\\ufe0f"),  # default ignorable marks
        ("plain space stays", "plain space stays"),
        ("lone \udc80", "lone \\udc80"),
        ("Café Zoë — 東京 C:\\path", "Café Zoë — 東京 C:\\path"),
        (42, "42"),
    ],
)
def test_literal_shows_every_character_a_terminal_would_act_on_as_an_escape(
    value: object, shown: str
) -> None:
    assert literal(value) == shown
    assert literal(literal(value)) == shown  # idempotent


def test_literal_keeps_line_breaks_only_when_asked() -> None:
    assert literal("one\ntwo\x1b", newlines=True) == "one\ntwo\\x1b"
    assert literal("one\ntwo") == "one\\ntwo"


def test_json_text_is_terminal_safe_and_decodes_to_the_same_values() -> None:
    data = {"name": "x\u202ey\x9b\x1b[31m é [/] \u3164", "rows": [1, "\n"]}
    text = json_text(data)
    assert [c for c in "\x1b\x9b\u202e\u3164" if c in text] == []
    assert "é [/]" in text
    assert json.loads(text) == data


def test_rendered_never_reads_markup_and_keeps_no_trailing_blanks() -> None:
    table = Table(title=Text("T"))
    table.add_column("a")
    table.add_row("[b]x[/b] [/] :smile:")
    out = rendered([table, "[red]plain[/]"], width=40, colour=False)
    assert "[b]x[/b] [/] :smile:" in out
    assert "[red]plain[/]" in out
    assert all(line == line.rstrip() for line in out.splitlines())


def test_wrap_breaks_between_words_and_never_inside_a_path() -> None:
    path = "/home/dana/.local/share/assistant/receipts/FCRFE10012026140300123.html"
    text = f"receipt written to {path} just now"
    assert wrap(text, 30, indent="  ", subsequent="    ").splitlines() == [
        "  receipt written to",
        f"    {path}",
        "    just now",
    ]
    assert wrap(text, None) == text


def test_columns_of_a_file_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "97")
    assert columns(io.StringIO()) == 97
    monkeypatch.delenv("COLUMNS")
    assert columns(io.StringIO()) is None
