"""Human effort per submission: what a person types with the assistant, and by hand.

Pure counting, no browser. By hand, a person types every character of every field the wizard
needs for one 20-number submission of `profiles/county-weather.yaml`, in the replica's formats
(the contact phone and the numbers as 10 bare digits, the state, category and calls-per-month
chosen in selects). With the assistant, they type the emailed 5-digit code, Enter, `submit`,
Enter. Clicks, Tabs and select choices are a rough count, stated as such.
"""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.sample import PROFILE, FormValues, form_values

CODE_DIGITS = 5
CONFIRM_WORD = "submit"
# The wizard's buttons a person clicks per submission: send code, verify, continue (business),
# continue (numbers), the terms checkbox, submit.
BUTTON_CLICKS = 6
CLICKS_PER_SELECT = 2  # open the list, choose the option (rough: typing ahead also works)


@dataclass(frozen=True, slots=True)
class Effort:
    """What one person does for one submission."""

    keystrokes: int  # characters typed, Enter included
    field_moves: int  # Tab or click to reach the next field (rough)
    clicks: int  # buttons, checkbox and select choices (rough)
    detail: tuple[tuple[str, int], ...]  # (what, characters)


def by_hand(values: FormValues) -> Effort:
    """Typing the whole form: every field's characters, plus the code."""
    detail = [("contact email", len(values.email)), ("verification code", CODE_DIGITS)]
    detail += [(name.removeprefix("enterprise_"), len(v)) for name, v in values.text.items()]
    detail.append((f"{len(values.numbers)} phone numbers", sum(len(n) for n in values.numbers)))
    typed_fields = 2 + sum(1 for v in values.text.values() if v) + len(values.numbers)
    fields = typed_fields + len(values.selects)
    return Effort(
        keystrokes=sum(n for _, n in detail),
        field_moves=fields,
        clicks=BUTTON_CLICKS + CLICKS_PER_SELECT * len(values.selects),
        detail=tuple(detail),
    )


def with_assistant() -> Effort:
    """The code and Enter at the code prompt, `submit` and Enter at the review."""
    detail = (("verification code + Enter", CODE_DIGITS + 1), ("submit + Enter", 7))
    return Effort(keystrokes=sum(n for _, n in detail), field_moves=0, clicks=0, detail=detail)


def run() -> str:
    """The effort table."""
    values = form_values()
    hand = by_hand(values)
    assisted = with_assistant()
    command = f"assistant fill profiles/{PROFILE.name}"
    lines = [
        f"human effort per 20-number submission ({PROFILE.name}, wizard formats)",
        f"{'':24}{'keystrokes':>11} {'field moves*':>13} {'clicks*':>8}",
        f"{'by hand':24}{hand.keystrokes:>11} {hand.field_moves:>13} {hand.clicks:>8}",
        f"{'with the assistant':24}{assisted.keystrokes:>11} {assisted.field_moves:>13} "
        f"{assisted.clicks:>8}",
        f"keystrokes by hand / with the assistant = {hand.keystrokes / assisted.keystrokes:.0f}x",
        "by hand: " + ", ".join(f"{what} {n}" for what, n in hand.detail),
        f"* rough: one move per field; clicks = {BUTTON_CLICKS} buttons/checkbox + "
        f"{CLICKS_PER_SELECT} per select ({len(values.selects)} selects). The assistant's "
        f"command line ({len(command)} characters, `{command}`) is typed once per run, "
        "however many submissions it makes.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
