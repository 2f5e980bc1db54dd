"""Portal maps: one YAML file per portal layout, validated at load (see `model` and `loader`)."""

from assistant.portals.loader import (
    DEFAULT_PORTAL,
    available_portals,
    load_portal,
    parse_portal,
)
from assistant.portals.mapfile import PortalMapError
from assistant.portals.model import PortalMap

__all__ = [
    "DEFAULT_PORTAL",
    "PortalMap",
    "PortalMapError",
    "available_portals",
    "load_portal",
    "parse_portal",
]
