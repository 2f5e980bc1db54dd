"""The gates: code prompt, review table, and a confirmation only a TTY can give."""

from __future__ import annotations

import errno
import io
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from ptyperson import PtyPerson

from assistant.browser.step_state import ReadBack
from assistant.errors import ExitCode, NotConfirmed, Stopped
from assistant.sitting.code_sources import CodeRequest, TerminalCodeSource, mask_email
from assistant.sitting.gates import Review, confirm_submit, render_review
from assistant.sitting.terminal import Terminal

REVIEW = Review(
    title="Submission 1 of 1 (2 numbers)",
    portal="fcr",
    values=(
        ReadBack("business", "company name", "#x", "Lakeside", "Lakeside", "Lakeside", True),
        ReadBack("business", "state", "#s", "CA", "California", "California", True),
        ReadBack("numbers", "number 1", "#p0", "+16195550100", "6195550100", "61955", False),
    ),
    screenshot=Path("/private/run/s1-review.png"),
    label="Lakeside USD",
)


@pytest.fixture
def people() -> Iterator[list[PtyPerson]]:
    made: list[PtyPerson] = []
    yield made
    for person in made:
        person.close()


def _person(
    people: list[PtyPerson], *lines: str, eof: bool = False, size: tuple[int, int] | None = None
) -> PtyPerson:
    person = PtyPerson(*lines, eof=eof, size=size)
    people.append(person)
    return person


def test_typing_submit_at_a_terminal_confirms_and_the_prompt_names_the_profile(
    people: list[PtyPerson],
) -> None:
    person = _person(people, "submit")
    render_review(REVIEW, person.terminal)
    confirm_submit(person.terminal, REVIEW)
    prompt = (
        'Type "submit" to send Lakeside USD, submission 1 of 1 (2 numbers), anything else to stop: '
    )
    # Read behind a marker: the echo of the typed word is on its way with the prompt.
    screen = person.screen()
    # The review, then the prompt, then the word typed once the prompt was there.
    review, answer = screen.split(prompt)
    assert review.endswith("Screenshot of the filled form: /private/run/s1-review.png\n")
    assert answer.strip() == "submit"


@pytest.mark.parametrize("typed", ["submit", "  submit  ", "\tsubmit"])
def test_submit_in_lower_case_confirms_with_spaces_around_it_ignored(
    people: list[PtyPerson], typed: str
) -> None:
    person = _person(people, typed)
    render_review(REVIEW, person.terminal)
    confirm_submit(person.terminal, REVIEW)  # returns: confirmed
    assert person.screen().endswith(f"anything else to stop: {typed}\n")  # the line it read


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        # The word in another case is not the word: docs/commands.md, "Only `submit` itself counts".
        ("SUBMIT", "SUBMIT"),
        (" SUBMIT ", "SUBMIT"),
        ("Submit", "Submit"),
        ("sUbmit", "sUbmit"),
        # Nor a part of it, the word broken up, or the word with something more.
        ("s", "s"),
        ("sub", "sub"),
        ("sub mit", "sub mit"),
        ("submit!", "submit!"),
        ("submit.", "submit."),
        ("submitsubmit", "submitsubmit"),
        ("submit it", "submit it"),
        ("'submit'", "'submit'"),
        ('"submit"', '"submit"'),
        ("yes", "yes"),
        ("y", "y"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_anything_but_submit_declines(people: list[PtyPerson], typed: str, shown: str) -> None:
    person = _person(people, typed)
    render_review(REVIEW, person.terminal)
    with pytest.raises(NotConfirmed) as caught:
        confirm_submit(person.terminal, REVIEW)
    assert str(caught.value) == f'You typed "{shown}", not "submit"; nothing was submitted.'
    assert caught.value.exit_code == ExitCode.NOT_CONFIRMED


def test_ctrl_d_stops_and_the_next_line_starts_on_a_line_of_its_own(
    people: list[PtyPerson],
) -> None:
    person = _person(people, eof=True)
    render_review(REVIEW, person.terminal)
    with pytest.raises(Stopped) as caught:
        confirm_submit(person.terminal, REVIEW)
    assert str(caught.value) == (
        "Stopped with Ctrl-D (end of input) at the confirmation; nothing was submitted."
    )
    assert person.screen().endswith("anything else to stop: \n")


class _CtrlC(io.StringIO):
    """A terminal at which the person presses Ctrl-C while a line is awaited."""

    def isatty(self) -> bool:
        return True

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        raise KeyboardInterrupt


def test_ctrl_c_at_the_prompt_stops_and_ends_the_line() -> None:
    out = io.StringIO()
    terminal = Terminal(_CtrlC(), out)
    render_review(REVIEW, terminal)
    with pytest.raises(Stopped) as caught:
        confirm_submit(terminal, REVIEW)
    assert str(caught.value) == "Stopped with Ctrl-C at the confirmation; nothing was submitted."
    assert caught.value.exit_code == ExitCode.NOT_CONFIRMED
    # The terminal echoes `^C` after the prompt; what follows starts on a new line.
    assert out.getvalue().endswith("anything else to stop: \n")


class _HungUp(io.StringIO):
    """A terminal closed while a line is awaited: reading it fails as the kernel makes it
    fail once the terminal is gone (EIO)."""

    def isatty(self) -> bool:
        return True

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        raise OSError(errno.EIO, "Input/output error")


def test_a_terminal_closed_at_the_review_or_the_code_prompt_stops_with_that_said() -> None:
    """Issue 19 item 7: the journal and the summary said `OSError: [Errno 5] Input/output
    error`; they say what happened, and that nothing was submitted."""
    terminal = Terminal(_HungUp(), io.StringIO())
    render_review(REVIEW, terminal)
    with pytest.raises(Stopped) as caught:
        confirm_submit(terminal, REVIEW)
    assert str(caught.value) == "The terminal was closed at the review; nothing was submitted."
    assert caught.value.exit_code == ExitCode.NOT_CONFIRMED
    with pytest.raises(Stopped) as at_code:
        TerminalCodeSource(Terminal(_HungUp(), io.StringIO())).code(CodeRequest(email="d@x.org"))
    assert str(at_code.value) == (
        "The terminal was closed at the code prompt; nothing was submitted."
    )


def test_ctrl_c_or_ctrl_d_at_the_code_prompt_stops(people: list[PtyPerson]) -> None:
    with pytest.raises(Stopped, match=r"^Stopped with Ctrl-C at the code prompt; nothing was"):
        TerminalCodeSource(Terminal(_CtrlC(), io.StringIO())).code(CodeRequest(email="d@x.org"))
    person = _person(people, eof=True)
    with pytest.raises(Stopped, match=r"^Stopped with Ctrl-D \(end of input\) at the code"):
        TerminalCodeSource(person.terminal).code(CodeRequest(email="d@x.org"))


def test_input_that_is_not_a_terminal_never_confirms_even_if_it_says_submit() -> None:
    terminal = Terminal(io.StringIO("submit\n"), io.StringIO())
    with pytest.raises(NotConfirmed) as caught:
        confirm_submit(terminal, REVIEW)
    assert str(caught.value).startswith(
        "Input is not a terminal, so nobody could confirm; nothing was submitted."
    )
    assert terminal.input.read() == "submit\n"  # not even read


def test_review_table_marks_differences_and_names_the_screenshot() -> None:
    out = io.StringIO()
    render_review(REVIEW, Terminal(io.StringIO(), out))
    text = out.getvalue()
    assert "Submission 1 of 1 (2 numbers) — please review" in text
    rows = [line for line in text.splitlines() if "│" in line]
    assert any("state" in r and "CA" in r and "California" in r and "✓" in r for r in rows)
    assert any("number 1" in r and "61955 " in r and "≠" in r for r in rows)
    assert "≠ The page differs from the profile in: number 1" in text
    assert "Screenshot of the filled form: /private/run/s1-review.png" in text


def test_the_review_shows_invisible_fillers_as_escapes_so_blank_is_not_empty() -> None:
    """Issue 17: a value of Hangul fillers, a braille blank or zero-width characters looks
    empty, or equal to another; the review shows each as its escape."""
    review = Review(
        title="Submission 1 of 1 (1 number)",
        portal="fcr",
        values=(
            ReadBack(
                "business", "company name", "#x", "Lakeside", "Lakeside", "Lakeside\u3164", False
            ),
            ReadBack("business", "city", "#c", "Salem", "Salem", "Sa\u200b\u200c\u200dlem", False),
            ReadBack("business", "notes", "#n", "", "", "\u115f\u1160\uffa0\u2800", False),
            ReadBack("business", "website", "#w", "a b", "a b", "a\u00a0b\u2060\ufeff", False),
            ReadBack("contact", "name", "#m", "\u3164", "\u3164", "\u3164", True),
        ),
        screenshot=Path("/private/run/s1-review.png"),
    )
    out = io.StringIO()
    render_review(review, Terminal(io.StringIO(), out))
    assert out.getvalue() == (
        "Submission 1 of 1 (1 number) — please review\n"
        "┏━━━━━━━━━━┳━━━━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━┓\n"
        "┃ Step     ┃ Field        ┃ Profile  ┃ On the page (read back)  ┃   ┃\n"
        "┡━━━━━━━━━━╇━━━━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━┩\n"
        "│ business │ company name │ Lakeside │ Lakeside\\u3164           │ ≠ │\n"
        "│ business │ city         │ Salem    │ Sa\\u200b\\u200c\\u200dlem  │ ≠ │\n"
        "│ business │ notes        │ —        │ \\u115f\\u1160\\uffa0\\u2800 │ ≠ │\n"
        "│ business │ website      │ a b      │ a\\xa0b\\u2060\\ufeff       │ ≠ │\n"
        "│ contact  │ name         │ \\u3164   │ \\u3164                   │ ✓ │\n"
        "└──────────┴──────────────┴──────────┴──────────────────────────┴───┘\n"
        "≠ The page differs from the profile in: company name, city, notes, website\n"
        "Screenshot of the filled form: /private/run/s1-review.png\n"
    )


def test_code_prompt_masks_the_email_and_re_asks_until_five_digits(
    people: list[PtyPerson],
) -> None:
    person = _person(people, "1234", "12a45", " 12345 ")
    source = TerminalCodeSource(person.terminal)
    assert source.code(CodeRequest(email="dana@lakeside.example.org")) == "12345"
    screen = person.screen(expect="Type the 5-digit code", times=3)
    assert "emailed to d***@lakeside.example.org (from no-reply@tnsi.com)" in screen
    assert "dana@" not in screen
    assert screen.count("The code has exactly 5 digits; try again.") == 2


def test_an_empty_answer_means_typed_in_the_browser(people: list[PtyPerson]) -> None:
    person = _person(people, "")
    source = TerminalCodeSource(person.terminal)
    assert source.code(CodeRequest(email="d@x.org", browser_visible=True)) is None


def test_a_refused_code_is_asked_again_with_the_portals_words(people: list[PtyPerson]) -> None:
    person = _person(people, "54321")
    source = TerminalCodeSource(person.terminal)
    request = CodeRequest(email="d@x.org", attempt=2, problem="The code is not correct.")
    assert source.code(request) == "54321"
    assert "The portal did not accept the code: The code is not correct." in person.screen(
        expect="not correct"
    )


def test_mask_email() -> None:
    assert mask_email("dana@lakeside.example.org") == "d***@lakeside.example.org"
    assert mask_email("nonsense") == "***"


URL = "https://www.riversideregional.example.org/departments/cardiology?ref=fcr"
HOSTILE = Review(
    title="Submission 1 of 1 (1 number)",
    portal="fcr",
    values=(
        ReadBack(
            "business",
            "company name",
            "#n",
            "Acme [holdings] Dental [b]Group[/b]",
            "Acme [holdings] Dental [b]Group[/b]",
            "Acme [holdings] Dental [b]Group[/b]",
            True,
        ),
        ReadBack(
            "business",
            "service provider",
            "#p",
            "Band[/]width \x1b[31mred\x1b[0m",
            "Band[/]width \x1b[31mred\x1b[0m",
            "Band[/]width \x1b[31mred\x1b[0m",
            True,
        ),
        ReadBack("business", "website", "#w", URL, URL, URL, True),
        ReadBack("business", "city", "#c", "Salem\r", "Salem\r", "Sal\x08em", False),
    ),
    screenshot=Path("/private/run/s1-review.png"),
    notes=("anchors: [b]not bold[/b]",),
)


def test_the_review_shows_markup_and_escapes_literally_at_80_columns(
    people: list[PtyPerson],
) -> None:
    person = _person(people, size=(40, 80))
    render_review(HOSTILE, person.terminal)
    plain = _uncoloured(person.screen())
    assert "\x1b" not in plain  # no escape sequence reached the terminal but the review's colours
    assert plain == (
        "Submission 1 of 1 (1 number) — please review\n"
        "┏━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━┳━━━┓\n"
        "┃          ┃                  ┃                      ┃ On the page (read   ┃   ┃\n"
        "┃ Step     ┃ Field            ┃ Profile              ┃ back)               ┃   ┃\n"
        "┡━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━╇━━━┩\n"
        "│ business │ company name     │ Acme [holdings]      │ Acme [holdings]     │ ✓ │\n"
        "│          │                  │ Dental [b]Group[/b]  │ Dental [b]Group[/b] │   │\n"
        "│ business │ service provider │ Band[/]width         │ Band[/]width        │ ✓ │\n"
        "│          │                  │ \\x1b[31mred\\x1b[0m   │ \\x1b[31mred\\x1b[0m  │   │\n"
        "│ business │ website          │ https://www.riversid │ https://www.riversi │ ✓ │\n"
        "│          │                  │ eregional.example.or │ deregional.example. │   │\n"
        "│          │                  │ g/departments/cardio │ org/departments/car │   │\n"
        "│          │                  │ logy?ref=fcr         │ diology?ref=fcr     │   │\n"
        "│ business │ city             │ Salem\\r              │ Sal\\x08em           │ ≠ │\n"
        "└──────────┴──────────────────┴──────────────────────┴─────────────────────┴───┘\n"
        "≠ The page differs from the profile in: city\n"
        "anchors: [b]not bold[/b]\n"
        "Screenshot of the filled form: /private/run/s1-review.png\n"
    )


def test_the_review_uses_the_whole_width_of_a_wide_terminal(people: list[PtyPerson]) -> None:
    person = _person(people, size=(40, 200))
    render_review(HOSTILE, person.terminal)
    rows = _uncoloured(person.screen()).splitlines()
    [website] = [r for r in rows if "website" in r]
    assert [cell.strip() for cell in website.split("│")[3:5]] == [URL, URL]  # whole, one line
    assert max(len(r) for r in rows) <= 200
    assert max(len(r) for r in rows) > 120  # not the old fixed 120 columns


def _uncoloured(screen: str) -> str:
    """The screen without the review's own colours (SGR sequences), nothing else removed."""
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", screen)


def test_what_the_assistant_says_shows_typed_or_page_text_literally(
    people: list[PtyPerson],
) -> None:
    person = _person(people, "no \x1b[2J[/]")
    render_review(REVIEW, person.terminal)
    with pytest.raises(NotConfirmed) as caught:
        confirm_submit(person.terminal, REVIEW)
    person.terminal.say(f"Not submitted: {caught.value}\nFailed: the page says \x07\r[b]x[/b]")
    screen = person.screen()
    assert screen.endswith(
        'Not submitted: You typed "no \\x1b[2J[/]", not "submit"; nothing was submitted.\n'
        "Failed: the page says \\x07\\r[b]x[/b]\n"
    )
    # (the terminal's own echo of the typed ESC reads ^[; the review's colours are its own)
    assert "\x1b" not in _uncoloured(screen)


def test_a_confirmation_read_in_a_thread_ends_when_cancelled_and_reads_nothing() -> None:
    person = PtyPerson()
    try:
        render_review(REVIEW, person.terminal)
        cancel = threading.Event()
        answers: list[BaseException | None] = []

        def ask() -> None:
            try:
                confirm_submit(person.terminal, REVIEW, cancel=cancel)
                answers.append(None)
            except NotConfirmed as error:
                answers.append(error)

        reader = threading.Thread(target=ask)
        reader.start()
        person.screen(expect="anything else to stop: ")
        cancel.set()  # what the main thread does when Ctrl-C is pressed
        reader.join(timeout=5)
        assert not reader.is_alive()
        [answer] = answers
        assert isinstance(answer, Stopped)
        assert str(answer) == "Stopped with Ctrl-C at the confirmation; nothing was submitted."
        # Nothing was read: the next question gets the next line typed.
        person.type("submit")
        assert person.terminal.ask("again: ", cancel=threading.Event()) == "submit"
    finally:
        person.close()


@pytest.mark.parametrize(("typed", "answer"), [("submit", None), ("no", "no")])
def test_a_confirmation_read_in_a_thread_takes_the_line_typed(
    people: list[PtyPerson], typed: str, answer: str | None
) -> None:
    """Read in a thread of its own (as a batch reads a review while it prepares the next),
    with a `cancel` that is never set: the answer is the line the person typed at the prompt,
    and nothing is read before the prompt shows."""
    person = _person(people)
    render_review(REVIEW, person.terminal)
    answers: list[BaseException | None] = []

    def ask() -> None:
        try:
            confirm_submit(person.terminal, REVIEW, cancel=threading.Event())
            answers.append(None)
        except BaseException as error:
            answers.append(error)

    reader = threading.Thread(target=ask)
    reader.start()
    person.screen(expect="anything else to stop: ", settle=10)
    reader.join(timeout=0.3)
    assert reader.is_alive()  # it waits for the line: no answer without one
    assert answers == []
    person.type(typed)
    reader.join(timeout=10)
    assert not reader.is_alive()
    [got] = answers
    if answer is None:
        assert got is None  # confirmed
    else:
        assert isinstance(got, NotConfirmed)
        assert str(got) == f'You typed "{answer}", not "submit"; nothing was submitted.'
    assert person.screen().endswith(f"anything else to stop: {typed}\n")


class _NotATerminal(io.StringIO):
    def isatty(self) -> bool:
        return False


@pytest.mark.parametrize("relay", ["RelayTerminal", "batch's prompt watch", "held terminal"])
def test_a_terminal_relaying_one_that_is_not_a_tty_never_confirms(relay: str) -> None:
    """Every terminal that passes questions on to another (a batch's, a submission prepared
    ahead) is a TTY only when the one it relays is: "submit" read from a file is no answer."""
    from assistant.sitting.ahead import HeldTerminal
    from assistant.sitting.stopping import PromptWatch, StopSwitch
    from assistant.sitting.terminal import RelayTerminal

    inner = Terminal(_NotATerminal("submit\n"), io.StringIO())
    terminal: Terminal
    if relay == "RelayTerminal":
        terminal = RelayTerminal(inner)
    elif relay == "batch's prompt watch":
        terminal = PromptWatch(inner, StopSwitch())
    else:
        held = HeldTerminal(inner, lambda: True)
        held.release()
        terminal = held
    assert not terminal.is_tty()
    render_review(REVIEW, terminal)
    assert terminal.reviewed  # the only thing left between the line and a confirmation
    with pytest.raises(NotConfirmed) as caught:
        confirm_submit(terminal, REVIEW)
    assert str(caught.value) == (
        "Input is not a terminal, so nobody could confirm; nothing was submitted. "
        "Run the command in a terminal to review and submit."
    )
    assert inner.input.read() == "submit\n"  # not even read
