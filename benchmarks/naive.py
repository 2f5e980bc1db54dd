"""A naive script: the same submission, waiting the way public FCR scripts do.

Those scripts do not wait for the page; they sleep a fixed time after every step (2-3 s) and
after every number (0.5 s), long enough for a slow day. The sleeps are the point of this
benchmark and live only here (product code never sleeps to wait for a page).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from benchmarks.floor import check_shown
from benchmarks.sample import FormValues

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from assistant.replica import Replica

STEP_SLEEP = 2.5  # seconds after each click that moves to another step
CODE_SLEEP = 3.0  # after pressing verify: "give the portal time to check the code"
NUMBER_SLEEP = 0.5  # after each number: "let the new row appear"

_READ_BACK_JS = """() => Object.fromEntries(
  Array.from(document.querySelectorAll('input[id^="enterprise_"], select')).map(el =>
    [el.id, el.tagName === 'SELECT'
      ? (el.selectedIndex > 0 ? el.options[el.selectedIndex].label : '') : el.value]))"""


def reach_code_sent(page: Page, replica: Replica, email: str) -> None:
    """Load the wizard, send the code and type it. Not timed, so it waits for elements
    instead of sleeping: that keeps `make bench` short without changing the measured part."""
    page.goto(replica.url)
    page.fill("#enterprise_contact_email", email)
    page.click("#send-verification-code")
    page.wait_for_selector("#captcha", state="visible")
    page.fill("#captcha", replica.latest_code(email))


def verify_and_fill(page: Page, values: FormValues) -> dict[str, str]:
    """Press verify, sleep, fill everything with a sleep after each step and each number."""
    page.click("#verify-code")
    time.sleep(CODE_SLEEP)
    for element, value in values.text.items():
        page.fill(f"#{element}", value)
    for element, label in values.selects.items():
        page.select_option(f"#{element}", label=label)
    page.click("#nextButton1")
    time.sleep(STEP_SLEEP)
    for index, number in enumerate(values.numbers):
        page.fill(f"#enterprise_phone_{index}", number)
        time.sleep(NUMBER_SLEEP)
    page.click("#nextButton2")
    time.sleep(STEP_SLEEP)
    page.check("#enableCheckbox")
    shown: dict[str, str] = page.evaluate(_READ_BACK_JS)
    return shown


def run_once(browser: Browser, replica: Replica, values: FormValues) -> float:
    """One submission in a fresh context: seconds from the verify click to review read back.

    The naive script cannot tell when the code is accepted; its sleep after the verify click
    stands in for that wait, so its clock starts at the click.
    """
    context = browser.new_context()
    try:
        page = context.new_page()
        reach_code_sent(page, replica, values.email)
        start = time.perf_counter()
        shown = verify_and_fill(page, values)
        elapsed = time.perf_counter() - start
    finally:
        context.close()
    check_shown(shown, values)
    return elapsed
