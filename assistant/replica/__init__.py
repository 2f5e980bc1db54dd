"""A faithful local replica of the Free Caller Registry portal, both layouts, faults on demand.

from assistant.replica import Replica
with Replica(layout="wizard", faults=("masked-phone",)) as portal:
    portal.url, portal.submissions(), portal.latest_code(email)
"""

from __future__ import annotations

from assistant.replica.faults import FAULTS
from assistant.replica.server import LAYOUTS, Replica

__all__ = ["FAULTS", "LAYOUTS", "Replica"]
