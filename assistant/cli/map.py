"""`assistant map show|diff|reset NAME`: your repairs of a shipped portal map (see
`assistant.portals.overrides`; `assistant learn` makes them)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from assistant.cli.app import app

if TYPE_CHECKING:
    from assistant.portals.model import PortalMap
    from assistant.portals.overrides import Overrides

map_app = typer.Typer(
    name="map",
    help="Show the portal maps as they are used, with your repairs, and drop repairs.",
    short_help="Show, compare or drop your repairs of a portal map.",
    no_args_is_help=True,
)
app.add_typer(map_app, name="map")

NameArgument = Annotated[
    str,
    typer.Argument(metavar="NAME", help="A shipped map: fcr or fcr-classic.", show_default=False),
]


@map_app.command()
def show(name: NameArgument) -> None:
    """Print the map as it is used, each element shipped or yours.

    Every element with the anchors that find it, as fill, batch, plan and check use them.
    Exit 0, 1 when your repairs are invalid, 2 for an unknown map.
    """
    from assistant.portals.repairs import show_lines

    shipped, overrides = _load(name)
    count = overrides.count()
    if count:
        say(
            f"The map {name} ({shipped.title}), with {_repairs(count)} of yours from {_path(name)}:"
        )
    else:
        say(f"The map {name} ({shipped.title}), as shipped (no repairs of yours):")
    for line in show_lines(shipped, overrides):
        say(line, indent=" " * 11)


@map_app.command()
def diff(name: NameArgument) -> None:
    """Print only your repairs, against the map as shipped.

    + marks what is yours, - what no longer counts. Exit 0, 1 when your repairs are invalid,
    2 for an unknown map.
    """
    from assistant.portals.repairs import diff_lines

    shipped, overrides = _load(name)
    if not overrides.count():
        say(f"No repairs of yours for the map {name}: it is used as shipped.")
        return
    say(f"Your repairs of the map {name} ({_path(name)}), against the map as shipped:")
    for line in diff_lines(shipped, overrides):
        say(line, indent="    ")


@map_app.command()
def reset(
    name: NameArgument,
    element: Annotated[
        str | None,
        typer.Option(
            "--element",
            metavar="ELEMENT",
            help='Drop only this repair ("calls per month", or "business: continue" where '
            "several steps have one).",
        ),
    ] = None,
) -> None:
    """Drop your repairs of the map, or one of them.

    Without --element all of them: the map is then used as shipped. Exit 0, 1 when your
    repairs are invalid, 2 for an unknown map or element.
    """
    from assistant.errors import UsageError
    from assistant.portals.elements import find_element
    from assistant.portals.overrides import Overrides, save_overrides

    shipped, overrides = _load(name)
    if element is None:
        count = overrides.count()
        if not count:
            say(f"No repairs of yours for the map {name}: nothing to drop.")
            return
        path = save_overrides(name, Overrides())
        what = f"your {_repairs(count)} of the map {name}"
        # (a file that keeps other hosts' repairs, e.g. a replica's, stays: they apply there)
        kept = "which keeps those for other hosts" if path.exists() else "removed"
        say(f"Dropped {what} ({path} {kept}); it is used as shipped.")
        return
    try:
        found = find_element(shipped, element)
    except ValueError as error:
        raise UsageError(str(error)) from None
    if overrides.get(found.step, found.name) is None:
        raise UsageError(
            f"You have no repair of {found.where} in the map {name}; "
            f"`assistant map diff {name}` lists yours."
        )
    left = overrides.changed(found.step, found.name, None)
    path = save_overrides(name, left)
    rest = (
        f"{_repairs(left.count())} left in {path}"
        if left.count()
        else f"none left ({path} {'kept for other hosts' if path.exists() else 'removed'})"
    )
    say(f"Dropped your repair of {found.where}; {rest}.")


def _load(name: str) -> tuple[PortalMap, Overrides]:
    """The shipped map and your repairs of it (validated against it)."""
    from assistant.errors import UsageError
    from assistant.portals import available_portals
    from assistant.portals.loader import load_shipped
    from assistant.portals.overrides import overrides_path, read_overrides

    if name not in available_portals():
        known = ", ".join(available_portals())
        raise UsageError(
            f'"{name}" is not a shipped map ({known}); a map file of your own is changed by '
            "editing it"
        )
    shipped = load_shipped(name)
    return shipped, read_overrides(shipped, overrides_path(name))


def _path(name: str) -> str:
    from assistant.portals.overrides import overrides_path

    return str(overrides_path(name))


def _repairs(count: int) -> str:
    return f"{count} repair{'' if count == 1 else 's'}"


def say(text: str, indent: str = "    ") -> None:
    """Print `text` literally, wrapped between words at the terminal's width."""
    import sys

    from assistant.terminal_text import columns, literal, wrap

    print(wrap(literal(text), columns(sys.stdout), subsequent=indent))
