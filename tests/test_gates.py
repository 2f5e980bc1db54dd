"""The gates: code prompt, review table, and a confirmation only a TTY can give."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from ptyperson import PtyPerson

from assistant.errors import ExitCode, NotConfirmed
from assistant.fill import ReadBack
from assistant.gates import (
    CodeRequest,
    Review,
    Terminal,
    TerminalCodeSource,
    confirm_submit,
    mask_email,
    render_review,
)

REVIEW = Review(
    title="Submission 1 of 1 (2 numbers)",
    portal="fcr",
    values=(
        ReadBack("business", "company name", "#x", "Lakeside", "Lakeside", "Lakeside", True),
        ReadBack("business", "state", "#s", "CA", "California", "California", True),
        ReadBack("numbers", "number 1", "#p0", "+16195550100", "6195550100", "61955", False),
    ),
    screenshot=Path("/private/run/s1-review.png"),
)


@pytest.fixture
def people() -> Iterator[list[PtyPerson]]:
    made: list[PtyPerson] = []
    yield made
    for person in made:
        person.close()


def _person(people: list[PtyPerson], *lines: str, eof: bool = False) -> PtyPerson:
    person = PtyPerson(*lines, eof=eof)
    people.append(person)
    return person


def test_typing_submit_at_a_terminal_confirms(people: list[PtyPerson]) -> None:
    person = _person(people, "submit")
    confirm_submit(person.terminal, REVIEW)
    assert 'Type "submit" to send submission 1 of 1 (2 numbers)' in person.screen(
        expect="anything else to stop"
    )


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("yes", 'You typed "yes", not "submit"; nothing was submitted.'),
        ("", 'You typed "", not "submit"; nothing was submitted.'),
        ("submit it", 'You typed "submit it", not "submit"; nothing was submitted.'),
    ],
)
def test_anything_but_submit_stops(people: list[PtyPerson], typed: str, message: str) -> None:
    person = _person(people, typed)
    with pytest.raises(NotConfirmed) as caught:
        confirm_submit(person.terminal, REVIEW)
    assert str(caught.value) == message
    assert caught.value.exit_code == ExitCode.NOT_CONFIRMED


def test_end_of_input_stops(people: list[PtyPerson]) -> None:
    person = _person(people, eof=True)
    with pytest.raises(NotConfirmed, match=r"^End of input at the confirmation; nothing was"):
        confirm_submit(person.terminal, REVIEW)


def test_ctrl_c_at_the_prompt_stops() -> None:
    class Interrupted(io.StringIO):
        def isatty(self) -> bool:
            return True

        def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
            raise KeyboardInterrupt

    terminal = Terminal(Interrupted(), io.StringIO())
    with pytest.raises(NotConfirmed, match=r"^Interrupted at the confirmation; nothing was"):
        confirm_submit(terminal, REVIEW)


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


def test_end_of_input_at_the_code_prompt_stops(people: list[PtyPerson]) -> None:
    person = _person(people, eof=True)
    with pytest.raises(NotConfirmed, match=r"^No code was entered \(end of input\)"):
        TerminalCodeSource(person.terminal).code(CodeRequest(email="d@x.org"))


def test_mask_email() -> None:
    assert mask_email("dana@lakeside.example.org") == "d***@lakeside.example.org"
    assert mask_email("nonsense") == "***"
