"""Registration profiles: the YAML format, its strict loader, and the resolved `Profile`.

load_profile(path)     one file -> LoadedProfile, or ProfileError with every problem
load_profiles(paths)   files and folders -> (valid profiles, problems)
check_profiles(paths)  files and folders -> Report (per-file results, for `validate`)
profile_json_schema()  the JSON Schema of the document format (for `assistant schema`)
"""

from __future__ import annotations

from typing import Any

from assistant.profiles.collection import (
    ProfileResult,
    Report,
    check_profiles,
    expand_paths,
    load_profiles,
)
from assistant.profiles.loader import LoadedProfile, label_for, load_profile

__all__ = [
    "LoadedProfile",
    "ProfileResult",
    "Report",
    "check_profiles",
    "expand_paths",
    "label_for",
    "load_profile",
    "load_profiles",
    "profile_json_schema",
]


def profile_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a profile document, for editors and `assistant schema`."""
    from assistant.profiles.document import ProfileDocument

    schema = ProfileDocument.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Registration profile"
    return schema
