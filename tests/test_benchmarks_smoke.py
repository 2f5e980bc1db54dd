"""The benchmarks import, and the human-effort count (pure) adds up. No benchmark runs here."""

from __future__ import annotations

import importlib
import select
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

# `benchmarks/` is not an installed package (only `assistant` is): import it from the checkout.
ROOT = str(Path(__file__).resolve().parent.parent)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from benchmarks import bench_effort  # noqa: E402
from benchmarks.sample import FormValues, form_values  # noqa: E402

if TYPE_CHECKING:
    from assistant.sitting.terminal import Terminal


@pytest.mark.parametrize(
    "module",
    [
        "benchmarks.__main__",
        "benchmarks.assisted",
        "benchmarks.bench_ahead",
        "benchmarks.bench_batch",
        "benchmarks.bench_command",
        "benchmarks.bench_fill",
        "benchmarks.floor",
        "benchmarks.naive",
        "benchmarks.pty_person",
    ],
)
def test_module_imports(module: str) -> None:
    assert importlib.import_module(module).__doc__


def test_sample_is_a_full_submission_in_the_wizard_formats() -> None:
    values = form_values()
    assert len(values.numbers) == 20
    assert all(len(n) == 10 and n.isdigit() for n in values.numbers)
    assert values.selects == {
        "enterprise_company_address_state": "Idaho",
        "enterprise_category": "Emergency Notifications",
        "enterprise_calls_per_month": "10,001 - 100,000",
    }
    assert values.text["enterprise_contact_phone"] == "2085550199"


def test_by_hand_counts_every_character_of_every_field() -> None:
    values = FormValues(
        email="a@b.co",
        text={"enterprise_company_name": "Acme", "enterprise_company_address_line_2": ""},
        selects={"enterprise_category": "Other"},
        numbers=("6195550100", "6195550101"),
    )
    effort = bench_effort.by_hand(values)
    assert effort.keystrokes == 6 + 5 + 4 + 0 + 20
    assert effort.field_moves == 2 + 1 + 2 + 1  # email, code, name, two numbers, the select
    assert effort.clicks == bench_effort.BUTTON_CLICKS + bench_effort.CLICKS_PER_SELECT


def test_with_the_assistant_a_person_types_the_code_and_submit() -> None:
    effort = bench_effort.with_assistant()
    assert effort.keystrokes == len("12345\n") + len("submit\n")
    assert (effort.field_moves, effort.clicks) == (0, 0)


def test_effort_table_shows_both_rows_and_the_ratio() -> None:
    hand = bench_effort.by_hand(form_values()).keystrokes
    rows = {line[:24].strip(): line[24:].split() for line in bench_effort.run().splitlines()}
    assert rows["by hand"][0] == str(hand)
    assert rows["with the assistant"] == ["13", "0", "0"]
    assert f"with the assistant = {hand / 13:.0f}x" in bench_effort.run()


def test_validate_start_up_is_shown_next_to_bare_python_with_the_target() -> None:
    from benchmarks.bench_command import validate_note
    from benchmarks.timing import Series

    bare = Series("python -c pass", (0.030, 0.020, 0.025))
    fast = Series("assistant validate", (0.190, 0.210, 0.200))
    slow = Series("assistant validate", (0.300, 0.280, 0.290))
    assert validate_note(bare, fast) == (
        "validate 0.200 s, bare Python 0.025 s: 175 ms over starting Python "
        "(target <= 250 ms: met; fastest runs: 170 ms)"
    )
    assert validate_note(bare, slow).endswith(
        "265 ms over starting Python (target <= 250 ms: NOT met; fastest runs: 260 ms)"
    )


def _typed(terminal: Terminal) -> str:
    """The line the person typed at `terminal` (failing, not hanging, when they type none)."""
    assert select.select([terminal.input], [], [], 10)[0], "the person typed nothing"
    return terminal.input.readline()


def test_the_scripted_person_answers_each_prompt_once_even_split_over_two_reads() -> None:
    from benchmarks.pty_person import at_terminal

    asked: list[str] = []

    def code() -> str:
        asked.append("code")
        return "12345"

    def confirm() -> None:
        asked.append("confirm")  # and types nothing

    answers = {b"Type the 5-digit code: ": code, b"anything else to stop: ": confirm}
    with at_terminal(answers) as (person, terminal):
        terminal.output.write("Type the 5-dig")
        terminal.output.flush()
        terminal.output.write("it code: ")
        terminal.output.flush()
        assert _typed(terminal) == "12345\n"
        terminal.output.write('Type "submit" to send it, anything else to stop: ')
        terminal.output.flush()
        terminal.output.write("Type the 5-digit code: ")
        terminal.output.flush()
        assert _typed(terminal) == "12345\n"
    assert asked == ["code", "confirm", "code"]
    assert person.keys == 12


def test_a_command_at_the_scripted_persons_terminal_is_answered_and_its_exit_code_read() -> None:
    from benchmarks.pty_person import command_at_terminal

    script = "import sys; x = input('Type the 5-digit code: '); sys.exit(int(x) % 7)"
    answers = {b"Type the 5-digit code: ": lambda: "12345"}
    with command_at_terminal([sys.executable, "-c", script], answers, Path(ROOT)) as person:
        assert person.wait(timeout=30) == 12345 % 7


def test_fill_report_shows_the_cost_over_the_floor_beside_the_ratio() -> None:
    from benchmarks.bench_fill import Results, report
    from benchmarks.timing import Series

    floor = Series("floor (hand-written)", (0.800, 0.760, 0.900))
    fast = Series("assistant (Session)", (0.950, 0.890, 0.910))  # median 0.910: 110 ms over
    slow = Series("assistant (Session)", (1.150, 1.100, 1.120))  # median 1.120: 320 ms over
    line = "assistant / floor = {} (target <= 1.3x: met); cost over the floor {}"
    assert line.format("1.14x", "110 ms (target under 150 ms: met)") in report(
        Results(fast, floor, None, {})
    )
    assert line.format("1.40x", "320 ms (target under 150 ms: NOT met)").replace(
        "1.3x: met", "1.3x: NOT met"
    ) in report(Results(slow, floor, None, {}))
