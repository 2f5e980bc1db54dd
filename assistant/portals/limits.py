"""What a registry itself allows in one submission, whatever a map says.

A map's `number_limit` may be lower (a person may send fewer at a time), never higher than
the registry takes: a map is data anyone can copy and edit (`--portal my.yaml`), so the
registry's own rule lives here, in code, keyed by the registry a map declares.
"""

from __future__ import annotations

# The Free Caller Registry takes at most 20 numbers per submission; larger lists are sent as
# several submissions (sure: HIGH, from the portal's own form and every script that used it).
NUMBERS_PER_SUBMISSION: dict[str, int] = {"fcr": 20}
