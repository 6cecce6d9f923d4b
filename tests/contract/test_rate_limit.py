"""Retry-After as RFC 9110 10.2.3 writes it: the delay the suite waits before sending a request
that a rate limiter refused with 429 (the `rate_limited` variant and mutant run it end to end)."""

from __future__ import annotations

import email.utils
import time

import pytest

from spaces_toolkit.contract.http import retry_after_seconds


@pytest.mark.parametrize(("value", "seconds"), [("0", 0.0), ("7", 7.0), (" 120 ", 120.0)])
def test_delay_seconds(value: str, seconds: float) -> None:
    assert retry_after_seconds(value) == seconds


def test_an_http_date_is_the_time_left_until_it() -> None:
    soon = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= (retry_after_seconds(soon) or 0) <= 31
    past = email.utils.formatdate(time.time() - 3600, usegmt=True)
    assert retry_after_seconds(past) == 0.0


@pytest.mark.parametrize("value", [None, "", "-1", "1.5", "²", "soon", "Fri, 99 Foo 2026"])
def test_unreadable_or_absent_is_none(value: str | None) -> None:
    assert retry_after_seconds(value) is None
