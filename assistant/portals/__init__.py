"""Portal maps: one YAML file per portal layout, validated at load (see `model` and `loader`).

The names below are imported when first used, not with the package: `validate` imports
`assistant.portals.known` on every run and must not pay for the maps' model
(`assistant.cli.validation`)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.portals.loader import (
        DEFAULT_PORTAL,
        available_portals,
        load_portal,
        parse_portal,
    )
    from assistant.portals.mapfile import PortalMapError
    from assistant.portals.model import PortalMap

_FROM = {
    "DEFAULT_PORTAL": "loader",
    "available_portals": "loader",
    "load_portal": "loader",
    "parse_portal": "loader",
    "PortalMapError": "mapfile",
    "PortalMap": "model",
}

__all__ = [
    "DEFAULT_PORTAL",
    "PortalMap",
    "PortalMapError",
    "available_portals",
    "load_portal",
    "parse_portal",
]


def __getattr__(name: str) -> Any:
    """The names above, from their modules, on first use."""
    module = _FROM.get(name)
    if module is None:
        raise AttributeError(f"module 'assistant.portals' has no attribute {name!r}")
    return getattr(importlib.import_module(f"assistant.portals.{module}"), name)
