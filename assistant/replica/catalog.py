"""What the replica's selects offer: categories, states and calls-per-month ranges.

The category list is OUR OWN PLAUSIBLE GUESS. Only "Telemarketing", "Attorney / Law",
"Financial Services" (wizard labels) and `telemarketing` / `other` (classic values) are
confirmed by public material (see /work/shared/portal-facts.md); the rest were chosen so that
tests have something realistic to pick from. Only "1 - 100" is a confirmed range.
"""

from __future__ import annotations

import re

CATEGORIES: tuple[str, ...] = (
    "Attorney / Law",
    "Collections",
    "Education",
    "Emergency Notifications",
    "Financial Services",
    "Government",
    "Healthcare",
    "Insurance",
    "Non-Profit / Charity",
    "Pharmacy",
    "Political",
    "Retail",
    "Surveys / Research",
    "Telemarketing",
    "Utilities",
    "Other",
)

# The wizard gives its category options numeric values that say nothing about the label, so a
# filler has to choose by label (as the real wizard demands); the order is shuffled on purpose.
_WIZARD_CATEGORY_NUMBERS: tuple[int, ...] = (12, 4, 9, 15, 7, 3, 11, 5, 14, 2, 16, 8, 13, 1, 10, 6)

CALL_RANGES: tuple[str, ...] = (
    "1 - 100",
    "101 - 1,000",
    "1,001 - 10,000",
    "10,001 - 100,000",
    "100,001 - 1,000,000",
    "More than 1,000,000",
)

STATES: tuple[tuple[str, str], ...] = (
    ("AL", "Alabama"),
    ("AK", "Alaska"),
    ("AZ", "Arizona"),
    ("AR", "Arkansas"),
    ("CA", "California"),
    ("CO", "Colorado"),
    ("CT", "Connecticut"),
    ("DE", "Delaware"),
    ("DC", "District of Columbia"),
    ("FL", "Florida"),
    ("GA", "Georgia"),
    ("HI", "Hawaii"),
    ("ID", "Idaho"),
    ("IL", "Illinois"),
    ("IN", "Indiana"),
    ("IA", "Iowa"),
    ("KS", "Kansas"),
    ("KY", "Kentucky"),
    ("LA", "Louisiana"),
    ("ME", "Maine"),
    ("MD", "Maryland"),
    ("MA", "Massachusetts"),
    ("MI", "Michigan"),
    ("MN", "Minnesota"),
    ("MS", "Mississippi"),
    ("MO", "Missouri"),
    ("MT", "Montana"),
    ("NE", "Nebraska"),
    ("NV", "Nevada"),
    ("NH", "New Hampshire"),
    ("NJ", "New Jersey"),
    ("NM", "New Mexico"),
    ("NY", "New York"),
    ("NC", "North Carolina"),
    ("ND", "North Dakota"),
    ("OH", "Ohio"),
    ("OK", "Oklahoma"),
    ("OR", "Oregon"),
    ("PA", "Pennsylvania"),
    ("RI", "Rhode Island"),
    ("SC", "South Carolina"),
    ("SD", "South Dakota"),
    ("TN", "Tennessee"),
    ("TX", "Texas"),
    ("UT", "Utah"),
    ("VT", "Vermont"),
    ("VA", "Virginia"),
    ("WA", "Washington"),
    ("WV", "West Virginia"),
    ("WI", "Wisconsin"),
    ("WY", "Wyoming"),
    ("PR", "Puerto Rico"),
    ("GU", "Guam"),
    ("VI", "U.S. Virgin Islands"),
)

MAX_NUMBERS = 20

RENAMED_CATEGORY = ("Education", "Schools / Education")  # the `renamed-option` fault


def classic_value(label: str) -> str:
    """The classic layout's option value for a category label: lowercase, `_` for the rest.

    "Financial Services" -> "financial_services", "Attorney / Law" -> "attorney_law".
    """
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")


def categories(*, renamed: bool) -> tuple[str, ...]:
    """The category labels, with "Education" renamed when the `renamed-option` fault is on."""
    old, new = RENAMED_CATEGORY
    return tuple(new if renamed and label == old else label for label in CATEGORIES)


def category_options(layout: str, *, renamed: bool) -> list[tuple[str, str]]:
    """(value, label) pairs of the category select for `layout`."""
    labels = categories(renamed=renamed)
    if layout == "wizard":
        return [(str(n), label) for n, label in zip(_WIZARD_CATEGORY_NUMBERS, labels, strict=True)]
    return [(classic_value(label), label) for label in labels]


def state_options(layout: str) -> list[tuple[str, str]]:
    """(value, label) pairs of the state select: full names in the wizard, codes in classic."""
    if layout == "wizard":
        return [(name, name) for _, name in STATES]
    return [(code, name) for code, name in STATES]
