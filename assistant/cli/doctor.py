"""`assistant doctor`: what the assistant runs on, and whether a browser really starts."""

from __future__ import annotations

import platform
import sys

import typer

from assistant.cli.app import app
from assistant.errors import BrowserMissing, ExitCode


@app.command()
def doctor() -> None:
    """Show what the assistant runs on, and start the browser.

    Python, Playwright and browser versions and paths; the browser is started headless.
    """
    from assistant import browser

    print(f"Python      {platform.python_version()}  ({sys.executable})")
    print(f"Playwright  {browser.playwright_version()}")
    expected = browser.expected_chromium_version()
    print(f"Expects     Chromium {expected or 'unknown'}")
    try:
        info = browser.find_browser()
    except BrowserMissing as error:
        print(f"Browser     none found\n\n{error}", file=sys.stderr)
        raise typer.Exit(int(ExitCode.NO_BROWSER)) from None
    print(f"Browser     {info.version}  ({info.executable}, {info.source})")
    try:
        running = browser.smoke_test(info)
    except Exception as error:  # any launch failure is reported, never a traceback
        print(
            f"Smoke test  FAILED: {error}\n\n"
            f"The browser at {info.executable} did not start. {browser.INSTALL_HINT}",
            file=sys.stderr,
        )
        raise typer.Exit(int(ExitCode.NO_BROWSER)) from None
    print(f"Smoke test  ok: headless Chromium {running} rendered a blank page")
    if expected and info.major and not expected.startswith(f"{info.major}."):
        print(
            f"Note        Playwright {browser.playwright_version()} was built for Chromium "
            f"{expected}; this is {info.major}. It works for the assistant's needs; "
            "if something odd happens, run `.venv/bin/playwright install chromium` where the "
            "network allows it."
        )
    if not browser.display_available():
        print("Display     none: commands will run the browser headless")
