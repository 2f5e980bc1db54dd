"""`assistant plan PROFILE`: what a fill would type, where, in which submissions; no browser."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from assistant.cli.app import DataDirOption, app

if TYPE_CHECKING:
    from assistant.portals.model import Target
    from assistant.portals.plan import Plan, PlannedRows, SubmissionPlan

PortalOption = Annotated[
    str,
    typer.Option(
        "--portal",
        metavar="MAP",
        help="Portal map: fcr-classic (2024), fcr (2026 wizard, the default), trf (TNS robocall "
        "feedback), vsf (Verizon voice spam feedback) or a .yaml file.",
    ),
]


@app.command()
def plan(
    profile: Annotated[
        Path, typer.Argument(metavar="PROFILE", help="The profile to plan.", show_default=False)
    ],
    portal: PortalOption = "fcr",
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Print the plan as JSON, with the page element of each value."),
    ] = False,
    url: Annotated[
        str | None,
        typer.Option(
            "--url",
            metavar="URL",
            help="Plan for this start URL (e.g. a replica), and its remembered options.",
        ),
    ] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Show what a fill would type, step by step; no browser.

    Every value in its final form: the first submission in full, each later one by its
    numbers when nothing else in it differs. Contact email and phone are
    masked here; the review in `assistant fill` shows them. A value not among the options
    the portal showed last (remembered by check and fill) is warned about at the end.
    """
    import sys

    from assistant import log
    from assistant.portals import load_portal, seen
    from assistant.portals.overrides import settle_legacy
    from assistant.portals.plan import build_plan
    from assistant.portals.repairs import in_force
    from assistant.profiles import load_profile
    from assistant.terminal_text import json_text, literal

    loaded = load_profile(profile)
    portal_map = load_portal(portal, url)
    result = build_plan(loaded.profile, portal_map, url, where=str(profile))
    log.register_secret(loaded.profile.contact.email, loaded.profile.contact.phone)
    host = seen.host_for(portal_map, url)
    lists = seen.remembered(data_dir, portal_map.name, host)
    warnings = seen.warnings(loaded, portal_map, lists, host=host)
    shown = "\n".join(literal(log.redact(str(w))) for w in warnings)
    # The repairs this plan was made with, for the host it is for (issue 19 item 6).
    repairs = "\n".join(
        literal(line)
        for line in (getattr(portal_map, "legacy_notice", ""), in_force(portal_map))
        if line
    )
    if as_json:
        print(log.redact(json_text(result.model_dump(mode="json"))))
        if repairs:  # (stdout stays JSON)
            print(repairs, file=sys.stderr)
        if shown:
            print(shown, file=sys.stderr)
    else:
        print(literal(log.redact(render_plan(result)), newlines=True))
        if repairs:
            print(f"\n{repairs}")
        if shown:  # last, where it is read before anything is filled
            print(f"\n{shown}")
    settle_legacy(portal_map)  # said once


_HOW = {"text": "type", "select": "choose", "checkbox": "tick", "upload": "upload"}


def _counted(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _listed(items: list[str]) -> str:
    """`20`, `20 and 5`, `20, 20 and 5`."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _button(target: Target) -> str:
    """`the "Send verification code" button`, or the map's selector when it has no name."""
    from assistant.portals.model import text_pattern
    from assistant.terminal_text import literal

    anchor = target.first
    if anchor.kind == "role" and anchor.name:
        pattern, is_regex = text_pattern(anchor.name)
        if is_regex:
            return f"the {literal(anchor.role or '')} matching /{literal(pattern)}/"
        return f'the "{literal(anchor.name)}" {literal(anchor.role or "")}'
    return literal(target.describe())


def render_plan(result: Plan) -> str:
    """The plan as indented text for a person: submissions, steps, and each value under the
    name the map gives its field (`company name`, `number 3`), printed literally."""
    from assistant.portals.model import ClickAction, CodeGate, ReviewGate, SubmitAction
    from assistant.portals.plan import PlannedField, PlannedRows
    from assistant.terminal_text import literal

    sizes = [len(s.numbers) for s in result.submissions]
    if len(set(sizes)) == 1 and len(sizes) > 1:
        split = f"{_counted(len(sizes), 'submission')} of {sizes[0]} numbers each"
    else:
        unit = "number" if sizes == [1] else "numbers"
        split = f"{_counted(len(sizes), 'submission')} of {_listed([str(n) for n in sizes])} {unit}"
    lines = [
        f"Plan for {literal(result.label)} on portal {literal(result.portal)} "
        f"({literal(result.start_url)})",
        f"{split}; at most {result.number_limit} per submission",
    ]
    first = result.submissions[0] if result.submissions else None
    for submission in result.submissions:
        lines.append("")
        if first is not None and submission is not first and _same_but_numbers(first, submission):
            # Only the numbers differ: the business fields are not repeated (issue 19 item 8).
            lines.append(
                f"{submission.title}: every step as in submission {first.index}, with these numbers"
            )
            for step in submission.steps:
                rows = [a for a in step.actions if isinstance(a, PlannedRows)]
                if rows:
                    lines.append(f"  step {literal(step.name)}")
                    for numbers in rows:
                        lines += _rows(numbers, note=False)
            continue
        lines.append(submission.title)
        for step in submission.steps:
            lines.append(f"  step {literal(step.name)}")
            for action in step.actions:
                if isinstance(action, PlannedField):
                    how = _HOW.get(action.write, action.write)
                    if action.write == "select":
                        how = f"{how} by {action.match.replace('_', ' ')}"
                    if action.when_present:
                        how = f"{how}, if there"
                    value = literal(action.value) or "(left empty)"
                    lines.append(f"    {literal(action.field):<18} {how:<24} {value}")
                elif isinstance(action, PlannedRows):
                    lines += _rows(action, note=True)
                elif isinstance(action, ClickAction):
                    lines.append(f"    click {_button(action.click)}")
                elif isinstance(action, CodeGate):
                    lines.append(
                        f"    GATE: you give the {action.digits}-digit code the portal emails"
                    )
                elif isinstance(action, ReviewGate):
                    lines.append("    GATE: you review every value and type `submit`")
                elif isinstance(action, SubmitAction):
                    lines.append("    submit (one click, never repeated)")
    lines += [
        "",
        '"if there": the portal may not have that field; the review says when it has not.',
        "The page element of each value: assistant plan --json",
    ]
    return "\n".join(lines)


def _rows(action: PlannedRows, *, note: bool) -> list[str]:
    """The numbers of a submission, one line each (and, with `note`, when caller names go only
    where the page has a box for them)."""
    from assistant.terminal_text import literal

    lines = []
    for i, row in enumerate(action.rows):
        name = f"  [{literal(row.display_name)}]" if row.display_name else ""
        lines.append(f"    {f'number {i + 1}':<18} {'type':<24} {row.number}{name}")
    if note and action.display_name_when_present and any(r.display_name for r in action.rows):
        lines.append("    (the [caller names] only where the page has a box for them)")
    return lines


def _same_but_numbers(first: SubmissionPlan, other: SubmissionPlan) -> bool:
    """Whether `other` does exactly what `first` does, step by step, but for its numbers."""
    from assistant.portals.plan import PlannedRows

    def without_numbers(submission: SubmissionPlan) -> list[tuple[str, list[object]]]:
        return [
            (step.name, [a for a in step.actions if not isinstance(a, PlannedRows)])
            for step in submission.steps
        ]

    return without_numbers(first) == without_numbers(other)
