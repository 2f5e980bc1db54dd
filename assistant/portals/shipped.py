"""The maps shipped in this package (`fcr.yaml`, `fcr-classic.yaml`), as shipped: read and
validated, without the person's repairs (`assistant.portals.loader` merges those in)."""

from __future__ import annotations

from importlib import resources

from pydantic import ValidationError

from assistant.portals.mapfile import MAX_BYTES, PortalMapError, one_problem, problems_of, read_yaml
from assistant.portals.model import PortalMap


def available_portals() -> list[str]:
    """The names of the maps shipped with the assistant, sorted."""
    folder = resources.files("assistant.portals")
    return sorted(
        entry.name.removesuffix(".yaml")
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml")
    )


def load_shipped(name: str) -> PortalMap:
    """The shipped map called `name` as shipped, without the person's repairs; validated."""
    if name not in available_portals():
        known = ", ".join(available_portals())
        raise one_problem(name, f"no portal map of that name; known: {known}")
    resource = resources.files("assistant.portals") / f"{name}.yaml"
    return parse_portal(resource.read_bytes(), f"portals/{name}.yaml")


def parse_portal(data: bytes, file: str) -> PortalMap:
    """Validate a map's YAML bytes; `PortalMapError` lists every problem with its place."""
    if len(data) > MAX_BYTES:
        raise one_problem(
            file, f"larger than {MAX_BYTES // 1024} KiB; a portal map is much smaller"
        )
    tree, positions = read_yaml(data, file)
    if not isinstance(tree, dict):
        raise one_problem(file, "a portal map is a mapping of keys (name, start_url, steps, …)")
    try:
        return PortalMap.model_validate(tree)
    except ValidationError as error:
        raise PortalMapError(problems_of(error, positions, file)) from None
