"""The human gates: the review the person reads and the `submit` they type.

Where the code comes from is `assistant.sitting.code_sources`; the terminal itself is
`assistant.sitting.terminal`.

- The review: a table of every field with the profile's value, the value read back from the
  page and `≠` where they differ, plus the screenshot's path. It is the only place contact
  details are shown unmasked. It uses the terminal's whole width and wraps; it never cuts a
  value short. Every value is printed literally (`assistant.terminal_text.literal`): markup
  such as `[b]` shows as typed, control characters and characters that show as nothing or a
  blank (U+3164 HANGUL FILLER, zero-width spaces) show as escapes like `\\x1b`, `\\u3164`.
- Where it goes: the title names the host; a run against a host that is not the map's own
  (`Destination.real`, the one definition `history` and `due` use) says PRACTICE and the
  host in the title and in the prompt.
- What is new: from the second submission of a profile in a sitting on, the rows the page
  holds exactly as in the submission the person already confirmed are one line (`Review.fold`,
  see `assistant.sitting.reviewed.fold`); the numbers, caller names and every row that differs
  from the profile or from that submission are shown whole, a row not as then marked `*`.
  Typing `all` shows the whole table, then asks again. What is read back, compared and sent is
  the same either way: this is presentation only.
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
from assistant.sitting.reviewed import CALLER_NAMES, Fold
from assistant.sitting.terminal import Terminal
from assistant.terminal_text import columns, literal, rendered

if TYPE_CHECKING:
    from rich.console import RenderableType

    from assistant.records.journal.models import Destination

CONFIRM_WORD = "submit"
WHOLE_WORD = "all"  # at a review that folds rows: show the whole table, then ask again


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
    destination: Destination | None = None  # where it goes (None: not said)
    fold: Fold | None = None  # rows as in a submission confirmed earlier (None: shown whole)
    caller_names: str = ""  # the portal takes no caller names: what that means (one line)

    @property
    def differences(self) -> list[ReadBack]:
        """The values the page shows differently from what was meant."""
        return [v for v in self.values if not v.equal]

    @property
    def practice(self) -> str:
        """The host of a practice run ("127.0.0.1:8765"), or "" for the real portal."""
        return self.destination.practice if self.destination is not None else ""

    @property
    def heading(self) -> str:
        """ "Submission 1 of 2 (20 numbers) at www.freecallerregistry.com", or for a practice
        run "PRACTICE at 127.0.0.1:8765, not the real portal: Submission 1 of 2 (20 numbers)"."""
        if self.practice:
            return f"PRACTICE at {self.practice}, not the real portal: {self.title}"
        if self.destination is not None and self.destination.host:
            return f"{self.title} at {self.destination.host}"
        return self.title

    @property
    def folds(self) -> bool:
        """Whether rows are shown as one line (then `all` shows them)."""
        return self.fold is not None and bool(self.fold.folded)

    def hidden(self, index: int) -> bool:
        """Whether row `index` is left out of the table unless the whole table is asked for:
        folded, or the caller names the portal takes none of (said in their own line)."""
        if self.fold is not None and index in self.fold.folded:
            return True
        value = self.values[index]
        return bool(self.caller_names) and value.absent and value.field == CALLER_NAMES


def render_review(review: Review, terminal: Terminal, *, whole: bool = False) -> None:
    """Print the review table (values unmasked: this is where the person checks them).

    The table takes the terminal's width and wraps long values inside their cells (a word
    longer than its cell is folded), so every character of every value is shown. Values are
    printed literally: never read as markup, control characters shown as escapes. Rows as in
    the submission confirmed earlier are one line unless `whole` (the module docstring).
    """
    from rich.table import Table
    from rich.text import Text

    title = Text(f"{literal(review.heading)} — please review")
    if review.practice:
        title.stylize("bold yellow", 0, len("PRACTICE"))
    table = Table()
    for header in ("Step", "Field", "Profile", "On the page (read back)"):
        table.add_column(Text(header), overflow="fold")
    table.add_column("", justify="center", no_wrap=True)
    changed = review.fold.changed if review.fold is not None else frozenset()
    for index, value in enumerate(review.values):
        if not whole and review.hidden(index):
            continue
        if value.absent:
            shown = Text(literal(value.shown))
            mark = Text("–")
        elif value.equal:
            shown = Text(literal(value.shown) or "—")
            mark = Text("✓")
        else:
            shown = Text(literal(value.shown) or "(empty)", style="red")
            mark = Text("≠", style="bold red")
        if index in changed:  # not as in the submission confirmed earlier: said under the table
            shown.stylize("yellow")
            mark.append("*", style="bold yellow")
        table.add_row(
            Text(literal(value.step)),
            Text(literal(value.field)),
            Text(literal(value.profile) or "—"),
            shown,
            mark,
        )
    # The heading on a line of its own, at the terminal's width (a table's title wraps at the
    # table's): the host, and PRACTICE, read at a glance.
    lines: list[RenderableType] = [title, table]
    fold = review.fold
    if fold is not None and fold.folded and not whole:
        count = len(fold.folded)
        lines.append(
            Text(
                f"{count} field{'' if count == 1 else 's'} as in submission {fold.against}, read "
                f'back from this page: ✓ (type "{WHOLE_WORD}" to see every row)'
            )
        )
    if fold is not None and fold.said:
        lines.append(
            Text(
                literal(f"* Not as in submission {fold.against}: {'; '.join(fold.said)}"),
                style="bold yellow",
            )
        )
    if review.differences:
        names = ", ".join(literal(v.field) for v in review.differences)
        lines.append(Text(f"≠ The page differs from the profile in: {names}", style="bold red"))
    if review.caller_names:
        lines.append(Text(literal(review.caller_names)))
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
    answer = _answer(terminal, review, cancel)
    while review.folds and answer.strip() == WHOLE_WORD:
        render_review(review, terminal, whole=True)
        answer = _answer(terminal, review, cancel)
    # Exactly the word, in lower case: a word typed in capitals, abbreviated or run together
    # with another is not the deliberate answer the review asks for.
    if answer.strip() != CONFIRM_WORD:
        raise NotConfirmed(
            f'You typed "{answer.strip()[:20]}", not "submit"; nothing was submitted.'
        )


def prompt(review: Review) -> str:
    """The question after `review`: it names the profile and the submission, and for a
    practice run says PRACTICE and the host first."""
    what = review.title[:1].lower() + review.title[1:]
    if review.label:
        what = f"{review.label}, {what}"
    whole = f'"{WHOLE_WORD}" to see every row, ' if review.folds else ""
    asked = f'Type "{CONFIRM_WORD}" to send {what}, {whole}anything else to stop: '
    if review.practice:
        return f"PRACTICE at {review.practice} (not the real portal). {asked}"
    return asked


def _answer(terminal: Terminal, review: Review, cancel: threading.Event | None) -> str:
    """One answer to the review just shown (what was typed before it is thrown away)."""
    terminal.reviewed = False  # one review, one answer
    if terminal.discard_typed_ahead():
        terminal.say("(What was typed before this review was shown has been ignored.)")
    try:
        answer = terminal.ask(prompt(review), cancel=cancel)
    except KeyboardInterrupt:
        raise Stopped("Stopped with Ctrl-C at the confirmation; nothing was submitted.") from None
    except OSError:  # the terminal was closed (hung up) while the review waited for an answer
        raise Stopped("The terminal was closed at the review; nothing was submitted.") from None
    if answer is None:
        raise Stopped(
            "Stopped with Ctrl-D (end of input) at the confirmation; nothing was submitted."
        )
    return answer
