"""The human gates: the review the person reads and the `submit` they type.

Where the code comes from is `assistant.sitting.code_sources`; the terminal itself is
`assistant.sitting.terminal`.

- The review: a table of every field with the profile's value, the value read back from the
  page and `≠` where they differ, plus the screenshot's path. It is the only place contact
  details are shown unmasked. It uses the terminal's whole width and wraps; it never cuts a
  value short. Every value is printed literally (`assistant.terminal_text.literal`): markup
  such as `[b]` shows as typed, control characters and characters that show as nothing or a
  blank (U+3164 HANGUL FILLER, zero-width spaces) show as escapes like `\\x1b`, `\\u3164`.
- The confirmation is not pluggable: `confirm_submit` reads one line from the `Terminal`,
  which must be a TTY, and only the word `submit`, exactly and in lower case (spaces around
  it ignored), lets the submission go. Anything else (`Submit`, `SUBMIT`, `s`, `yes`, an
  empty line) raises `NotConfirmed`; Ctrl-C or end of input (Ctrl-D) raise `Stopped`, and so
  does Ctrl-C at the code prompt.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from assistant.browser.step_state import ReadBack
from assistant.errors import NotConfirmed, Stopped
from assistant.log import unredacted
from assistant.sitting.terminal import Terminal
from assistant.terminal_text import columns, literal, rendered

if TYPE_CHECKING:
    from rich.console import RenderableType

CONFIRM_WORD = "submit"


@dataclass(frozen=True, slots=True)
class Review:
    """What the person reviews before one submission.

    `label` names the profile (the confirmation prompt says it: the header has scrolled away
    by then); `notes` are lines printed under the table, after the differences.
    """

    title: str
    portal: str
    values: tuple[ReadBack, ...]
    screenshot: Path
    label: str = ""
    notes: tuple[str, ...] = ()  # shown under the table (e.g. elements found by a fallback)

    @property
    def differences(self) -> list[ReadBack]:
        """The values the page shows differently from what was meant."""
        return [v for v in self.values if not v.equal]


def render_review(review: Review, terminal: Terminal) -> None:
    """Print the review table (values unmasked: this is where the person checks them).

    The table takes the terminal's width and wraps long values inside their cells (a word
    longer than its cell is folded), so every character of every value is shown. Values are
    printed literally: never read as markup, control characters shown as escapes.
    """
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(f"{literal(review.title)} — please review"), title_justify="left")
    for header in ("Step", "Field", "Profile", "On the page (read back)"):
        table.add_column(Text(header), overflow="fold")
    table.add_column("", justify="center", no_wrap=True)
    for value in review.values:
        if value.absent:
            shown = Text(literal(value.shown))
            mark = Text("–")
        elif value.equal:
            shown = Text(literal(value.shown) or "—")
            mark = Text("✓")
        else:
            shown = Text(literal(value.shown) or "(empty)", style="red")
            mark = Text("≠", style="bold red")
        table.add_row(
            Text(literal(value.step)),
            Text(literal(value.field)),
            Text(literal(value.profile) or "—"),
            shown,
            mark,
        )
    lines: list[RenderableType] = [table]
    if review.differences:
        names = ", ".join(literal(v.field) for v in review.differences)
        lines.append(Text(f"≠ The page differs from the profile in: {names}", style="bold red"))
    lines += [Text(literal(note, newlines=True)) for note in review.notes]
    shot = f"Screenshot of the filled form: {literal(review.screenshot)}\n"
    answering = terminal.answer_output()
    # Also into `output` when it goes elsewhere (a file), where it is the run's record.
    outputs: list[TextIO] = (
        [answering] if answering is terminal.output else [answering, terminal.output]
    )
    for stream in outputs:
        out = unredacted(stream)  # the one place contact details are shown: past the redactor
        try:
            colour = out.isatty()
        except (ValueError, OSError):
            colour = False
        width = terminal.width() if stream is terminal.output else columns(out)
        out.write(rendered(lines, width=width, colour=colour))
        out.write(shot)  # written plainly so a long path is never wrapped: it stays copyable
        out.flush()
    terminal.reviewed = True


def confirm_submit(
    terminal: Terminal, review: Review, *, cancel: threading.Event | None = None
) -> None:
    """Return only when the person typed `submit` at a terminal; else raise `NotConfirmed`
    (`Stopped` for Ctrl-C or end of input). The prompt names the profile and the submission.
    `cancel` (for a confirmation read in a thread of its own): setting it counts as Ctrl-C."""
    if not terminal.is_tty():
        raise NotConfirmed(
            "Input is not a terminal, so nobody could confirm; nothing was submitted. "
            "Run the command in a terminal to review and submit."
        )
    if not terminal.reviewed:
        raise NotConfirmed(
            "The review was not shown on the terminal the answer would come from; nothing "
            "was submitted."
        )
    terminal.reviewed = False  # one review, one answer
    if terminal.discard_typed_ahead():
        terminal.say("(What was typed before this review was shown has been ignored.)")
    what = review.title[:1].lower() + review.title[1:]
    if review.label:
        what = f"{review.label}, {what}"
    prompt = f'Type "{CONFIRM_WORD}" to send {what}, anything else to stop: '
    try:
        answer = terminal.ask(prompt, cancel=cancel)
    except KeyboardInterrupt:
        raise Stopped("Stopped with Ctrl-C at the confirmation; nothing was submitted.") from None
    except OSError:  # the terminal was closed (hung up) while the review waited for an answer
        raise Stopped("The terminal was closed at the review; nothing was submitted.") from None
    if answer is None:
        raise Stopped(
            "Stopped with Ctrl-D (end of input) at the confirmation; nothing was submitted."
        )
    # Exactly the word, in lower case: a word typed in capitals, abbreviated or run together
    # with another is not the deliberate answer the review asks for.
    if answer.strip() != CONFIRM_WORD:
        raise NotConfirmed(
            f'You typed "{answer.strip()[:20]}", not "submit"; nothing was submitted.'
        )
