"""A keyring backend for the tests, chosen the way a user chooses one:
`PYTHON_KEYRING_BACKEND=keyring_file.FileKeyring` (with this folder on PYTHONPATH).

The build machines have no desktop keyring (no Secret Service, no Keychain), so the tests keep
the entries in the JSON file named by `$TEST_KEYRING_FILE` instead. Everything in front of it,
the `keyring` library's own API that the assistant calls, is the real one.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

FILE_VARIABLE = "TEST_KEYRING_FILE"


class FileKeyring(KeyringBackend):
    """Entries in a JSON file; never picked on its own (only when named explicitly)."""

    priority = 0.1  # below every real backend

    def _path(self) -> Path:
        return Path(os.environ[FILE_VARIABLE])

    def _read(self) -> dict[str, str]:
        path = self._path()
        return dict(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._read().get(f"{service}\n{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        entries = self._read()
        entries[f"{service}\n{username}"] = password
        self._path().write_text(json.dumps(entries), encoding="utf-8")

    def delete_password(self, service: str, username: str) -> None:
        entries = self._read()
        if entries.pop(f"{service}\n{username}", None) is None:
            raise PasswordDeleteError(username)
        self._path().write_text(json.dumps(entries), encoding="utf-8")
