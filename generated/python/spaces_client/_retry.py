# Generated from spec/openapi.yaml (sha256 306778f641634dc469368ec571533f12e75c3c435caa34b857bd49e88afaf895) by the generator.
# Do not edit: change the spec and run `make`.
"""When to retry a request, and how long to wait first."""

from __future__ import annotations

import email.utils
import random
import time

import httpx

__all__ = [
    "INITIAL_RETRY_DELAY",
    "MAX_RETRY_AFTER",
    "MAX_RETRY_DELAY",
    "retry_delay",
    "retryable_method",
    "retryable_status",
]

INITIAL_RETRY_DELAY = 0.5  # seconds, doubled on each retry
MAX_RETRY_DELAY = 8.0
MAX_RETRY_AFTER = 60.0  # a longer Retry-After is not waited for: back off as usual instead
# Methods that may be sent twice without harm (RFC 9110 idempotent methods). Without
# idempotency keys in the API, anything else (a create) is retried only when asked.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})


def retryable_method(method: str) -> bool:
    return method.upper() in IDEMPOTENT_METHODS


def retryable_status(status_code: int) -> bool:
    """Request timeout, too many requests, and server errors."""
    return status_code in (408, 429) or status_code >= 500


def _retry_after(response: httpx.Response | None) -> float | None:
    if response is None:
        return None
    millis = response.headers.get("retry-after-ms")
    if millis is not None:
        try:
            return float(millis) / 1000
        except ValueError:
            pass
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    parsed = email.utils.parsedate_to_datetime(value) if value.strip() else None
    return None if parsed is None else parsed.timestamp() - time.time()


def retry_delay(retries_taken: int, response: httpx.Response | None = None) -> float:
    """Seconds to wait before retry number `retries_taken + 1`.

    The server's Retry-After (seconds or an HTTP date; or retry-after-ms) wins when it is
    between 0 and MAX_RETRY_AFTER; otherwise exponential backoff with jitter.
    """
    try:
        after = _retry_after(response)
    except (TypeError, ValueError, OverflowError):
        after = None
    if after is not None and 0 <= after <= MAX_RETRY_AFTER:
        return after
    delay = min(INITIAL_RETRY_DELAY * 2.0**retries_taken, MAX_RETRY_DELAY)
    return delay * (1 - 0.25 * random.random())
