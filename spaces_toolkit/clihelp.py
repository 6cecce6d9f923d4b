"""Helpers for the flags of every `spaces` subcommand (a public module: import it from anywhere).

Durations have one grammar, for every flag that takes a length of time and for the durations
inside other values (`--faults latency=...`, `--webhook-retry-schedule exponential:BASE:CAP`):
a number and a unit, `ms`, `s`, `m`, `h` or `d` (`500ms`, `30s`, `1.5m`, `2h`, `7d`); a bare
number is seconds. A flag declares its range with `Duration(...)` as its argparse `type`.

Ports and counts have one type each too: `Port(...)` (whether 0, "any free port", is allowed is
the flag's choice) and `positive_int` (a whole number of at least 1).

Light on purpose: building the `spaces` parser imports it.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass

__all__ = [
    "DURATION_EXAMPLES",
    "DURATION_UNITS",
    "Duration",
    "Port",
    "format_duration",
    "parse_duration",
    "positive_int",
]

_MAX_PORT = 65535

DURATION_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
DURATION_EXAMPLES = "500ms, 30s, 5m, 2h, 7d"
_DURATION = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*(ms|s|m|h|d)?\s*")


def parse_duration(text: str) -> float:
    """Seconds of a duration (`500ms`, `30s`, `5m`, `2h`, `7d`; a bare number is seconds).
    ValueError, with one sentence, for anything else."""
    found = _DURATION.fullmatch(text)
    if found is None:
        raise ValueError(f"{text!r} is not a duration (e.g. {DURATION_EXAMPLES})")
    return float(found[1]) * DURATION_UNITS[found[2] or "s"]


def format_duration(seconds: float) -> str:
    """The shortest exact spelling in the grammar: 3600 -> '1h', 0.5 -> '500ms', 90 -> '90s'."""
    if seconds == 0:
        return "0s"
    for unit in ("d", "h", "m", "s"):
        count = seconds / DURATION_UNITS[unit]
        if count >= 1 and count == int(count):
            return f"{int(count)}{unit}"
    return f"{seconds * 1000:g}ms"


@dataclass(frozen=True)
class Duration:
    """An argparse `type=` for a duration flag: seconds (float), within its range.

    `zero`: whether 0 is allowed (otherwise a duration must be positive); `maximum`: the
    largest value, in seconds, if any."""

    zero: bool = False
    maximum: float | None = None

    def seconds(self, text: str) -> float:
        try:
            value = parse_duration(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        if value == 0 and not self.zero:
            raise argparse.ArgumentTypeError(f"{text!r}: a duration must be positive")
        if self.maximum is not None and value > self.maximum:
            raise argparse.ArgumentTypeError(f"{text!r}: at most {format_duration(self.maximum)}")
        return value

    def __call__(self, text: str) -> float:
        return self.seconds(text)


@dataclass(frozen=True)
class Port:
    """An argparse `type=` for a TCP port flag: 1-65535, and 0 ("any free port": the OS picks
    one) where `any_free` says the command can use that (it must then report the port it got)."""

    any_free: bool = False

    def __call__(self, text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a port: {text!r}") from None
        low = 0 if self.any_free else 1
        if not low <= value <= _MAX_PORT:
            span = f"0 (any free one) to {_MAX_PORT}" if self.any_free else f"1-{_MAX_PORT}"
            raise argparse.ArgumentTypeError(f"a port is {span}, got {value}")
        return value


def positive_int(text: str) -> int:
    """An argparse `type=` for a count flag (`--workers`, `--max-connections`...): a whole
    number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value
