"""Statistics of repeated measurements: median, spread, percentiles, ratios and goals.

Pure functions on lists of numbers, so the smoke test can run them on tiny inputs; nothing here
times anything itself except `time_calls`, which only wraps `time.perf_counter_ns`.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
import time
from collections.abc import Callable, Sequence

__all__ = [
    "Summary",
    "Goal",
    "summarize",
    "percentile",
    "ratio",
    "paired_ratios",
    "time_calls",
    "then_allocate",
    "fmt_value",
]


@dataclasses.dataclass(frozen=True)
class Summary:
    """Repeated measurements of one quantity: the median and how far the runs spread."""

    median: float
    low: float
    high: float
    n: int
    unit: str

    @property
    def spread(self) -> float:
        """(max − min) / median: 0.05 means the runs spread over ±2.5 % around the median."""
        if self.median == 0 or self.n < 2:
            return 0.0
        return (self.high - self.low) / abs(self.median)

    def text(self) -> str:
        value = fmt_value(self.median, self.unit)
        if self.n < 2:
            return value
        return f"{value} ±{self.spread * 50:.0f}%"


def summarize(values: Sequence[float], unit: str) -> Summary:
    if not values:
        raise ValueError("no measurements to summarize")
    return Summary(statistics.median(values), min(values), max(values), len(values), unit)


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0–100) by linear interpolation between closest ranks."""
    if not values:
        raise ValueError("no values")
    if not 0 <= p <= 100:
        raise ValueError(f"percentile {p} out of range")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * p / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def ratio(ours: Summary, baseline: Summary) -> float:
    """ours / baseline, on medians (for times: < 1 is faster; for rates: > 1 is faster)."""
    if baseline.median == 0:
        return math.inf if ours.median else 1.0
    return ours.median / baseline.median


def paired_ratios(ours: Sequence[float], baseline: Sequence[float]) -> Summary:
    """ours[i] / baseline[i] for runs measured back to back, summarized.

    On a shared machine, load changes between repetitions; each pair saw about the same load,
    so the median of the pairs' ratios is steadier than the ratio of the two medians."""
    if len(ours) != len(baseline) or not ours:
        raise ValueError("paired ratios need two equally long, non-empty series")
    return summarize([o / b for o, b in zip(ours, baseline, strict=True) if b], "×")


@dataclasses.dataclass(frozen=True)
class Goal:
    """A target for a ratio (ours / baseline) or for our absolute value.

    `op` is "<=", "<", ">=" or ">"; `on` is "ratio" or "ours"; `text` is how the issue says it.
    """

    op: str
    threshold: float
    on: str = "ratio"
    text: str = ""

    def met(self, ours: Summary, ratio_value: float | None) -> bool | None:
        """Whether the goal holds for our figure and the ratio (None: nothing to judge)."""
        if self.on == "ratio":
            if ratio_value is None:
                return None
            value = ratio_value
        else:
            value = ours.median
        return {
            "<=": value <= self.threshold,
            "<": value < self.threshold,
            ">=": value >= self.threshold,
            ">": value > self.threshold,
        }[self.op]

    def describe(self) -> str:
        if self.text:
            return self.text
        suffix = "×" if self.on == "ratio" else ""
        return f"{self.op} {self.threshold:g}{suffix}"


def time_calls(
    fn: Callable[[], object], count: int, clock: Callable[[], int] = time.perf_counter_ns
) -> float:
    """Seconds per call of `fn`, averaged over `count` back-to-back calls.

    `clock=time.process_time_ns` counts only this process's CPU time: for single-threaded,
    CPU-bound work on a shared machine, time spent waiting for a core then does not count."""
    start = clock()
    for _ in range(count):
        fn()
    return (clock() - start) / 1e9 / count


_TIME_UNITS = [(1.0, "s"), (1e-3, "ms"), (1e-6, "µs"), (1e-9, "ns")]


class _Next:
    """Stands for whatever a program allocates next."""


def then_allocate(result: object) -> object:
    """`result`, after allocating one object while it is still alive, as any program goes on to
    do: a garbage collection that making `result` made due (CPython collects when allocations
    outrun frees by 700, and a parse that pauses the collector leaves it owed) then runs here,
    inside the timing, with `result` alive. An instance of a class of our own, because a list,
    dict or tuple may come from CPython's free list, which skips the collector's count: the
    `[result]` used before this never triggered the collection it was meant to."""
    _Next()
    return result


def fmt_value(value: float, unit: str) -> str:
    """Human figures: seconds scale to ms/µs/ns; other units print with 3 significant digits."""
    if unit == "s":
        for scale, name in _TIME_UNITS:
            if abs(value) >= scale or name == "ns":
                return f"{value / scale:.3g} {name}"
    if abs(value) >= 1000:
        return f"{value:,.0f} {unit}".strip()
    return f"{value:.3g} {unit}".strip()
