"""When a failed webhook delivery is tried next.

- `fixed` (default): every `webhook_retry_interval` seconds (3600: the documented "each hour,
  24 tries", spec/NOTES.md 34).
- `exponential[:BASE[:CAP]]`: BASE·2^(n−1) after the n-th failure, capped at CAP, with "equal
  jitter" (half of it random) so receivers that failed together are not retried together.
  Durations are spaces_toolkit.clihelp's (500ms, 30s, 5m, 2h, 7d); defaults 30s and 1h.

A receiver's `Retry-After` (seconds or an HTTP date) is honoured as a minimum wait, up to
MAX_RETRY_AFTER so a receiver cannot park a delivery forever.
"""

from __future__ import annotations

import dataclasses
import email.utils
import random
import re

from ...clihelp import DURATION_EXAMPLES
from ...clihelp import parse_duration as _any_duration

__all__ = [
    "RetrySchedule",
    "parse_duration",
    "parse_schedule",
    "retry_after_seconds",
    "MAX_RETRY_AFTER",
]

MAX_RETRY_AFTER = 24 * 3600.0


def parse_duration(text: str) -> float:
    """A positive duration in the one grammar (spaces_toolkit.clihelp)."""
    value = _any_duration(text)
    if value <= 0:
        raise ValueError(f"{text!r} is not a positive duration (e.g. {DURATION_EXAMPLES})")
    return value


@dataclasses.dataclass(frozen=True)
class RetrySchedule:
    kind: str  # "fixed" or "exponential"
    base: float  # fixed: the interval; exponential: the first wait
    cap: float

    def delay(self, failures: int, rng: random.Random | None = None) -> float:
        """Seconds to wait after the `failures`-th failed attempt (1-based)."""
        if self.kind == "fixed":
            return self.base
        full = min(self.cap, self.base * 2 ** min(failures - 1, 60))
        return full / 2 + (rng or random).uniform(0, full / 2)

    def next_attempt_at(
        self,
        failures: int,
        finished: float,
        retry_after: str | None = None,
        rng: random.Random | None = None,
    ) -> float:
        wait = self.delay(failures, rng)
        asked = retry_after_seconds(retry_after, finished)
        if asked is not None:
            wait = max(wait, asked)
        return finished + wait


def parse_schedule(text: str, *, interval: float) -> RetrySchedule:
    """`fixed` (every `interval` s) or `exponential[:BASE[:CAP]]`; ValueError with the reason."""
    kind, *args = text.strip().split(":")
    if kind == "fixed" and not args:
        return RetrySchedule("fixed", interval, interval)
    if kind == "exponential" and len(args) <= 2:
        base = parse_duration(args[0]) if args else 30.0
        cap = parse_duration(args[1]) if len(args) > 1 else 3600.0
        if cap < base:
            raise ValueError("the exponential schedule's CAP must not be below its BASE")
        return RetrySchedule("exponential", base, cap)
    raise ValueError(f"unknown retry schedule {text!r}: use fixed or exponential[:BASE[:CAP]]")


_DELTA_SECONDS = re.compile(r"[0-9]+", re.ASCII)  # ASCII digits only: '²'.isdigit() is true
_HTTP_DATE_MAX = 64  # an IMF-fixdate is 29 characters; anything far longer is junk


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """A Retry-After header as seconds from `now` (0 to MAX_RETRY_AFTER); None if absent or
    junk. The value is the receiver's: only ASCII digits or an HTTP date count, and nothing it
    sends can raise."""
    if not value:
        return None
    value = value.strip()
    if _DELTA_SECONDS.fullmatch(value):
        # int() refuses over 4300 digits; anything past 15 is beyond the cap anyway
        seconds = float(int(value)) if len(value) <= 15 else MAX_RETRY_AFTER
    elif len(value) <= _HTTP_DATE_MAX and value.isascii():
        try:
            when = email.utils.parsedate_to_datetime(value)
            if when.tzinfo is None:
                return None
            seconds = when.timestamp() - now
        except (TypeError, ValueError, OverflowError, OSError, IndexError):
            return None
    else:
        return None
    return max(0.0, min(seconds, MAX_RETRY_AFTER))
