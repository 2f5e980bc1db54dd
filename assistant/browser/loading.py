"""Loading a portal page: navigate, retrying only the failures a reload may fix (bounded,
jittered, logged), and a `PortalError` a person can act on when it still does not load.
"""

from __future__ import annotations

from contextlib import suppress
from typing import TYPE_CHECKING

from assistant.log import get_logger

if TYPE_CHECKING:
    from playwright.sync_api import Page

log = get_logger(__name__)


DEFAULT_LOAD_ATTEMPTS = 4


_TRANSIENT_NET_ERRORS = (
    "net::ERR_CONNECTION_REFUSED",
    "net::ERR_CONNECTION_RESET",
    "net::ERR_CONNECTION_CLOSED",
    "net::ERR_EMPTY_RESPONSE",
    "net::ERR_TIMED_OUT",
    "net::ERR_NETWORK_CHANGED",
    "net::ERR_INTERNET_DISCONNECTED",
    "net::ERR_ADDRESS_UNREACHABLE",
    "net::ERR_NAME_NOT_RESOLVED",
    "net::ERR_HTTP2_PROTOCOL_ERROR",
    "net::ERR_SOCKS_CONNECTION_FAILED",
    "net::ERR_SOCKS_CONNECTION_HOST_UNREACHABLE",
    "net::ERR_ABORTED",  # the load was cut short (the error page of the one before committing)
    "NS_ERROR_NET",
)


class TransientLoadError(Exception):
    """A page load failed in a way a reload may fix (refused, reset, timed out, 5xx)."""


def load_page(
    page: Page, url: str, *, attempts: int = DEFAULT_LOAD_ATTEMPTS, timeout_ms: float = 30_000
) -> None:
    """Navigate to `url`, retrying only transient failures (bounded, jittered, logged).

    Raises `PortalError` when the page still does not load after `attempts` tries.
    """
    from playwright.sync_api import Error, TimeoutError
    from tenacity import (
        RetryCallState,
        Retrying,
        retry_if_exception_type,
        stop_after_attempt,
        wait_random_exponential,
    )

    from assistant.browser import isolated_world
    from assistant.errors import PortalError
    from assistant.log import redact

    # The assistant's world is in the portal's page from its start (`isolated_world`).
    isolated_world.prepare(page)

    def _log_retry(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        log.warning(
            "Loading the portal failed (%s); retrying (attempt %d of %d).",
            redact(str(error))[:200],
            state.attempt_number + 1,
            attempts,
        )

    def _once(again: bool) -> None:
        if again:
            # A clean start: the failed load's error page must not still be on its way in.
            with suppress(Error):
                page.goto("about:blank", wait_until="commit", timeout=timeout_ms)
        try:
            response = page.goto(url, wait_until="domcontentloaded", timeout=timeout_ms)
        except TimeoutError as error:
            raise TransientLoadError(f"timed out after {timeout_ms / 1000:.0f} s") from error
        except Error as error:
            message = str(error)
            if any(code in message for code in _TRANSIENT_NET_ERRORS):
                raise TransientLoadError(message.splitlines()[0]) from error
            raise PortalError(
                redact(f"The portal page did not load: {message.splitlines()[0]}")
            ) from None
        if response is not None and response.status >= 500:
            raise TransientLoadError(f"the portal answered HTTP {response.status}")
        log.info("Loaded %s (HTTP %s).", url, response.status if response else "-")

    try:
        for attempt in Retrying(
            stop=stop_after_attempt(attempts),
            wait=wait_random_exponential(multiplier=0.25, max=4),
            retry=retry_if_exception_type(TransientLoadError),
            before_sleep=_log_retry,
            reraise=True,
        ):
            with attempt:
                _once(again=attempt.retry_state.attempt_number > 1)
    except TransientLoadError as error:
        raise PortalError(
            redact(
                f"The portal did not load after {attempts} attempts ({error}); "
                "check the connection or try again later."
            )
        ) from None
