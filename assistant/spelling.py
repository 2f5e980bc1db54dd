"""Spelling that should not matter, and "did you mean …?" for spelling that does.

`fold` is how two spellings are compared: case, spaces and punctuation ignored ("Health Care",
"healthcare" and "HEALTH-CARE" fold alike). `closest` names the candidates a misspelt word was
most probably meant to be, or none when no candidate is close enough to be a plausible typo:
a suggestion is a help, never a guess the assistant acts on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_NOT_A_LETTER_OR_DIGIT = re.compile(r"[\W_]+")


def allowed_edits(word: str) -> int:
    """How many edits a plausible typo of `word` (folded) holds: one per four letters, at
    least one ("kansus" for "kansas": 1; "missisipi" for "mississippi": 2)."""
    return max(1, len(word) // 4)


def fold(text: str) -> str:
    """`text` with case, spaces and punctuation folded away ("Attorney / Law" -> "attorneylaw")."""
    return _NOT_A_LETTER_OR_DIGIT.sub("", text.casefold())


def closest(wanted: str, candidates: Sequence[str]) -> list[str]:
    """The candidates `wanted` is most probably a typo of, in their order: those fewest edits
    away once folded (a letter added, dropped, changed, or two swapped), and only when that is
    within `allowed_edits(wanted)`; several only when equally near; empty when none is near,
    or when `wanted` folds to nothing."""
    key = fold(wanted)
    if not key:
        return []
    limit = allowed_edits(key)
    scored = [(edits(key, fold(c), limit), c) for c in dict.fromkeys(candidates)]
    best = min((score for score, _ in scored), default=limit + 1)
    if best > limit:
        return []
    return [candidate for score, candidate in scored if score == best]


def edits(a: str, b: str, limit: int) -> int:
    """The edits that turn `a` into `b` (insert, delete, substitute, swap two neighbours), or
    `limit + 1` as soon as it is known to exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        previous, row = row, [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], before[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
        before = previous
    return min(row[-1], limit + 1)


def either(names: Sequence[str]) -> str:
    """`A`, `A or B`, `A, B or C`."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} or {names[-1]}"
