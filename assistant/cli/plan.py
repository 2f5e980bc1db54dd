"""`assistant plan PROFILE`: what a fill would type, where, in which submissions; no browser."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from assistant.cli.app import app

if TYPE_CHECKING:
    from assistant.plan import Plan

PortalOption = Annotated[
    str, typer.Option("--portal", help="Portal map: fcr (wizard, default), fcr-classic, or a .yaml")
]


@app.command()
def plan(
    profile: Annotated[Path, typer.Argument(help="The profile to plan.", show_default=False)],
    portal: PortalOption = "fcr",
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON.")] = False,
) -> None:
    """Print every action a fill would take, with its final value, one block per submission.

    Contact email and phone are masked here; the review in `assistant fill` shows them.
    """
    from assistant import log
    from assistant.plan import build_plan
    from assistant.portals import load_portal
    from assistant.profiles import load_profile

    loaded = load_profile(profile)
    portal_map = load_portal(portal)
    result = build_plan(loaded.profile, portal_map)
    log.register_secret(loaded.profile.contact.email, loaded.profile.contact.phone)
    text = result.model_dump_json(indent=2) if as_json else render_plan(result)
    print(log.redact(text))


def render_plan(result: Plan) -> str:
    """The plan as indented text: submissions, steps, and each action with its value."""
    from assistant.plan import PlannedField, PlannedRows
    from assistant.portals.model import ClickAction, CodeGate, ReviewGate, SubmitAction

    sizes = ", ".join(str(len(s.numbers)) for s in result.submissions)
    lines = [
        f"Plan for {result.label} on portal {result.portal} ({result.start_url})",
        f"{len(result.submissions)} submission(s) of {sizes} number(s); "
        f"at most {result.number_limit} per submission",
    ]
    for submission in result.submissions:
        lines.append("")
        lines.append(submission.title)
        for step in submission.steps:
            lines.append(f"  step {step.name} (wait for {step.wait_for.describe()})")
            for action in step.actions:
                if isinstance(action, PlannedField):
                    how: str = action.write
                    if action.write == "select":
                        how = f"select by {action.match}"
                    value = action.value or "(left empty)"
                    lines.append(
                        f"    {action.field:<18} {action.target.describe():<38} {how:<22} {value}"
                    )
                elif isinstance(action, PlannedRows):
                    for i, row in enumerate(action.rows):
                        target = action.number.with_index(i).describe()
                        name = f"  [{row.display_name}]" if row.display_name else ""
                        lines.append(
                            f"    number {i + 1:<11} {target:<38} {'text':<22} {row.number}{name}"
                        )
                elif isinstance(action, ClickAction):
                    lines.append(f"    click {action.click.describe()}")
                elif isinstance(action, CodeGate):
                    lines.append(
                        f"    GATE: the emailed {action.digits}-digit code "
                        f"into {action.input.describe()}"
                    )
                elif isinstance(action, ReviewGate):
                    lines.append("    GATE: you review every value and type `submit`")
                elif isinstance(action, SubmitAction):
                    lines.append(
                        f"    submit {action.submit.describe()} (one click, never repeated)"
                    )
    return "\n".join(lines)
