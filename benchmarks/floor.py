"""The floor: a minimal hand-written Playwright script with hard-coded selectors.

It does what the assistant does between "code accepted" and "review shown" on the replica's
wizard, and nothing more: fill each field once, choose the selects by label, click on, tick
the terms box, and read every value back in one round trip. No checks, no retries: the
fastest a script that knows the page by heart can be. It lives only here.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from benchmarks.calls import CallCounter
from benchmarks.sample import FormValues

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from assistant.replica import Replica

_READ_BACK_JS = """() => {
  const out = {};
  for (const el of document.querySelectorAll('input[id^="enterprise_"], select')) {
    out[el.id] = el.tagName === 'SELECT'
      ? (el.selectedIndex > 0 ? el.options[el.selectedIndex].label : '')
      : el.value;
  }
  out.enableCheckbox = document.getElementById('enableCheckbox').checked ? 'on' : '';
  return out;
}"""


def reach_code_accepted(page: Page, replica: Replica, email: str) -> None:
    """Load the wizard, ask for a code, type it from the replica's outbox, wait until accepted."""
    page.goto(replica.url)
    page.fill("#enterprise_contact_email", email)
    page.click("#send-verification-code")
    page.wait_for_selector("#captcha", state="visible")
    page.fill("#captcha", replica.latest_code(email))
    page.click("#verify-code")
    page.wait_for_selector("#enterprise_company_name", state="visible")


def fill_to_review(page: Page, values: FormValues) -> dict[str, str]:
    """From the business step to the review: every fill, then the values read back."""
    for element, value in values.text.items():
        page.fill(f"#{element}", value)
    for element, label in values.selects.items():
        page.select_option(f"#{element}", label=label)
    page.click("#nextButton1")
    page.wait_for_selector("#enterprise_phone_0", state="visible")
    for index, number in enumerate(values.numbers):
        # The wizard adds the next row on input, so each row exists once the previous is filled.
        page.fill(f"#enterprise_phone_{index}", number)
    page.click("#nextButton2")
    page.wait_for_selector("#enableCheckbox", state="visible")
    page.check("#enableCheckbox")
    shown: dict[str, str] = page.evaluate(_READ_BACK_JS)
    return shown


def run_once(
    browser: Browser, replica: Replica, values: FormValues, counter: CallCounter | None = None
) -> float:
    """One submission in a fresh context: seconds from code accepted to review read back."""
    context = browser.new_context()
    try:
        page = context.new_page()
        reach_code_accepted(page, replica, values.email)
        if counter is not None:
            counter.start()
        start = time.perf_counter()
        shown = fill_to_review(page, values)
        elapsed = time.perf_counter() - start
        if counter is not None:
            counter.stop()
    finally:
        context.close()
    check_shown(shown, values)
    return elapsed


def check_shown(shown: dict[str, str], values: FormValues) -> None:
    """Raise if the page does not hold what was filled (a fast wrong fill proves nothing)."""
    wanted = {**values.text, **values.selects}
    wanted.update({f"enterprise_phone_{i}": n for i, n in enumerate(values.numbers)})
    wrong = {k: (v, shown.get(k)) for k, v in wanted.items() if shown.get(k) != v}
    if wrong:
        raise RuntimeError(f"the page does not hold what was filled: {wrong}")
