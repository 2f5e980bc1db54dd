"""How the files of a run are named: by profile and submission, and never overwritten.

A run's private folder (`runs/<stamp>-<label>/`) holds, per submission, files named
`<profile>-s<N>-…` after the profile's label:

    riverbend-clinic-s1-02-business.jpg   a step, as filled (the whole page)
    riverbend-clinic-s1-review.png        the review, as confirmed or declined
    riverbend-clinic-s1-result.png        the page's answer to the submit
    riverbend-clinic-s1-trace.zip         a trace (`--trace`)

so two profiles of a batch never write the same name. Two profiles of one batch with the same
label: the later one's files also carry the digits of its first number
(`riverbend-clinic-15035550100-s1-review.png`; two profiles of a batch never share a
number). And a name already taken is never written over: the new file is `…-2.png`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

REVIEW = "review"  # the session names the review's screenshot `<prefix>-review.png`


def slug(label: str) -> str:
    """A label as part of a file name ("Riverbend Clinic (east)" -> "riverbend-clinic-east")."""
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:40].strip("-") or "profile"


def prefix(run_dir: Path, label: str, index: int, first_number: str) -> str:
    """The start of every file name of submission `index` of the profile labelled `label`
    whose first number is `first_number`: `<label>-s<index>`, or `<label>-<digits>-s<index>`
    when `run_dir` holds files of the first form already (a profile with the same label)."""
    plain = f"{slug(label)}-s{index}"
    try:
        taken = any(name.startswith(f"{plain}-") for name in os.listdir(run_dir))
    except OSError:
        taken = False
    return _own(label, index, first_number) if taken else plain


def _own(label: str, index: int, first_number: str) -> str:
    return f"{slug(label)}-{re.sub(r'[^0-9]', '', first_number)}-s{index}"


def fresh(path: Path) -> Path:
    """`path` if nothing is there (not even a broken link), else the first free `stem-N.ext`
    (N from 2): the caller writes a new file and never replaces one. The run folder is this
    run's own, written by one submission at a time, so the name stays free until written."""
    candidate = path
    number = 1
    while os.path.lexists(candidate):
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate


def review_shots(run_dir: Path, label: str, index: int, first_number: str) -> list[Path]:
    """The review screenshot(s) of a submission in `run_dir` (named as `prefix` says), oldest
    name first; [] when there is none."""
    try:
        names = os.listdir(run_dir)
    except OSError:
        return []
    for start in (_own(label, index, first_number), f"{slug(label)}-s{index}"):
        pattern = re.compile(rf"{re.escape(start)}-{REVIEW}(-\d+)?\.(png|jpg)")
        found = sorted((n for n in names if pattern.fullmatch(n)), key=lambda n: (len(n), n))
        if found:
            return [run_dir / n for n in found]
    return []
