"""`assistant schema`: the JSON Schema of the profile format, for editors to complete and check."""

from __future__ import annotations

import json

from assistant.cli.app import app


@app.command()
def schema() -> None:
    """Print the JSON Schema of a profile file.

    Point your editor's YAML plugin at it to complete and check profiles as you type.
    """
    from assistant.profiles import profile_json_schema

    print(json.dumps(profile_json_schema(), indent=2, ensure_ascii=False))
