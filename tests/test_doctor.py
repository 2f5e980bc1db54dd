"""`assistant doctor` through the real entry point."""

from __future__ import annotations

import subprocess

from clirun import run_assistant


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_assistant(*args, env=env)


def test_doctor_starts_the_browser_and_exits_zero() -> None:
    result = run("doctor")
    assert result.returncode == 0, result.stderr
    assert "Smoke test  ok: headless Chromium" in result.stdout
    assert "Playwright  1.65.2" in result.stdout


def test_doctor_names_what_to_install_when_the_browser_is_missing() -> None:
    import os

    env = {**os.environ, "ASSISTANT_BROWSER": "/nonexistent/chromium"}
    result = run("doctor", env=env)
    assert result.returncode == 5
    assert "ASSISTANT_BROWSER is set to /nonexistent/chromium, which is not executable." in (
        result.stderr
    )
