"""Text that is safe to show at a terminal: every value printed exactly as it is, never obeyed.

Profile values, page values, journal reasons and portal messages can hold anything: rich
markup (`[b]`, `[/]`), ANSI escape sequences (`ESC [31m`), carriage returns that rewrite a
line, bidirectional overrides that reorder it, zero-width characters that hide a difference.
A terminal would act on them, so what the person reads would not be what is sent.

`literal` is the one function every printed value goes through. It writes each character that
a terminal acts on or does not show as a visible escape, the way Python writes it in a string
literal:

- C0 and C1 control characters and DEL as `\\xNN` (ESC is `\\x1b`, so `ESC[31m` shows as
  `\\x1b[31m`), tab, line feed and carriage return as `\\t`, `\\n`, `\\r`, except a line
  break where the caller allows one (`newlines=True`, for messages of several lines);
- invisible formatting characters (Unicode category Cf: bidirectional overrides and marks,
  zero-width spaces and joiners, the byte-order mark, soft hyphens), line and paragraph
  separators, and lone surrogates (which cannot even be encoded) as `\\uNNNN`
  (`\\UNNNNNNNN` beyond the first plane);
- characters that show as nothing, or as a blank, and are not the space, the same way: every
  space separator but U+0020 (category Zs: the no-break space, en and em spaces, the
  ideographic space), every Default_Ignorable_Code_Point of Unicode (the Hangul fillers U+115F,
  U+1160, U+3164 and U+FFA0, variation selectors, the combining grapheme joiner; see
  `_IGNORABLE`) and the blank symbols U+2800 BRAILLE PATTERN BLANK and U+1D159 MUSICAL SYMBOL
  NULL NOTEHEAD. A value holding them would look empty, or equal to another, and is not.

Everything else, brackets and backslashes included, is left as it is. The result holds no
markup to interpret: callers print it as plain text (rich `Text`, never a markup string). A
literal backslash is not doubled, so a value that already reads `\\x1b` as four characters
looks the same as one holding ESC; the review still compares the real values and marks `≠`.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import RenderableType

_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
# Categories shown as escapes: controls, formatting characters, surrogates, the line and
# paragraph separators, and space separators (all but U+0020, which is ASCII: see `_hidden`).
_HIDDEN_CATEGORIES = frozenset(("Cc", "Cf", "Cs", "Zl", "Zp", "Zs"))
# Unicode's Default_Ignorable_Code_Point property (DerivedCoreProperties.txt, unchanged from
# Unicode 14 to 16): what a font draws as nothing. Python's unicodedata does not expose it.
_IGNORABLE = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
# Printable symbols that fonts draw as a blank, outside that property.
_BLANK_SYMBOLS = frozenset("\u2800\U0001d159")


def _escape(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    point = ord(char)
    if point < 0x100:
        return f"\\x{point:02x}"
    if point < 0x10000:
        return f"\\u{point:04x}"
    return f"\\U{point:08x}"


def _hidden(char: str) -> bool:
    """Whether a terminal would act on `char`, or show nothing (or a blank) for it that is
    not the space."""
    if char.isascii():
        return not char.isprintable()
    if unicodedata.category(char) in _HIDDEN_CATEGORIES or char in _BLANK_SYMBOLS:
        return True
    point = ord(char)
    return any(first <= point <= last for first, last in _IGNORABLE)


def literal(value: object, *, newlines: bool = False) -> str:
    """`str(value)` with every control and invisible formatting character escaped (see the
    module docstring); a line break is kept only when `newlines` is true. Idempotent: the
    result holds none of the characters it escapes."""
    text = str(value)
    if text.isascii() and text.isprintable():  # the common case: nothing to do
        return text
    return "".join(
        _escape(char) if _hidden(char) and not (newlines and char == "\n") else char
        for char in text
    )


# How many characters of a file a message may quote (see `excerpt`).
EXCERPT = 40


def excerpt(value: object, limit: int = EXCERPT) -> str:
    """What a message may quote of a file: `value` as `literal` shows it, cut after `limit`
    characters (an escape counts as the characters it is written with) and then marked `…`.
    A message about a file names the place and shows only this much of what is there: a
    header row of 10 MB, or a file that turns out to hold the environment, is not repeated."""
    text = str(value)
    shown: list[str] = []
    used = 0
    for char in text:
        piece = _escape(char) if _hidden(char) else char
        used += len(piece)
        if used > limit:
            return "".join(shown) + "…"
        shown.append(piece)
    return "".join(shown)


def json_text(data: object) -> str:
    """`data` as indented JSON that is also safe at a terminal: non-ASCII text stays readable,
    but every character `literal` would escape is written as a JSON escape (`\\u202e`), so
    the JSON still decodes to exactly the same values."""
    import json

    text = json.dumps(data, indent=2, ensure_ascii=False)
    if all(c == "\n" or not _hidden(c) for c in text):
        return text
    return "".join(
        json.dumps(char)[1:-1] if char != "\n" and _hidden(char) else char for char in text
    )


def columns(stream: TextIO) -> int | None:
    """The width of the terminal `stream` shows on; `$COLUMNS` when it is not one (or reports
    no size); None when neither says (a file or a pipe: no line needs wrapping)."""
    try:
        if stream.isatty():
            width = os.get_terminal_size(stream.fileno()).columns
            if width > 0:
                return width
    except (AttributeError, ValueError, OSError):
        pass
    env = os.environ.get("COLUMNS", "")
    return int(env) if env.isdigit() and int(env) > 0 else None


def wrap(text: str, width: int | None, *, indent: str = "", subsequent: str = "") -> str:
    """`text` (one line) wrapped between words at `width` (None: not at all), later lines
    starting with `subsequent`. A word longer than the line, such as a path or a URL, is
    never broken: it runs past the edge whole, where it can still be copied."""
    import textwrap

    if width is None or len(indent) + len(text) <= width:
        return indent + text
    return "\n".join(
        textwrap.wrap(
            text,
            width=width,
            initial_indent=indent,
            subsequent_indent=subsequent,
            break_long_words=False,
            break_on_hyphens=False,
        )
    )


# Where the output is not a terminal (a file, a pipe), a table is as wide as its content.
UNBOUNDED = 100_000


def rendered(renderables: Sequence[RenderableType], *, width: int | None, colour: bool) -> str:
    """Rich renderables (tables, `Text`) as the lines a terminal of `width` columns shows
    (None: as wide as they need), each line ending in a line break without trailing blanks
    (rich pads a table's title to the table's width). Strings are never parsed as markup."""
    from rich.console import Console

    console = Console(
        width=width or UNBOUNDED,
        force_terminal=colour,
        no_color=None if colour else True,  # None: rich honours $NO_COLOR
        markup=False,
        emoji=False,
        highlight=False,
        soft_wrap=False,
    )
    with console.capture() as captured:
        for renderable in renderables:
            console.print(renderable)
    return "".join(f"{line.rstrip()}\n" for line in captured.get().splitlines())
