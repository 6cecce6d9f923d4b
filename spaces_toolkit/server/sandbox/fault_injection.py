"""`spaces serve --faults "latency=200ms,429=5%,500=2%,reset=1%"`: a sandbox that misbehaves on
purpose, so that a client's retry handling can be tested against real state.

Each API request draws its fate from one seeded random sequence, in arrival order (the same
seed and the same sequence of requests give the same faults):

- `latency=200ms` (or a range, `latency=50ms-300ms`): wait that long before answering
  (durations: spaces_toolkit.clihelp's grammar, 500ms, 30s, 5m, 2h, 7d).
- `429=5%`: answer 429 with `Retry-After` (`retry-after=1s` by default) instead of the API.
- `500=2%` (any 5xx status): answer that status instead of the API.
- `reset=1%`: let the API handle the request, then drop the connection in the middle of the
  answer — the worst case for a client: the work (a write, too) is done, the answer is lost.
- `seed=7`: another random sequence (default 0).

429 and 5xx are answered in place of the API, so nothing is written by them; a reset request
is. The spec and docs (/openapi.json, /docs) are never faulted."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
import re
from collections import Counter

from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ...clihelp import parse_duration
from ..problems import error_response

__all__ = ["FaultInjection", "FaultPlan", "fault_middleware", "parse_faults"]

log = logging.getLogger("spaces.server.faults")
_PERCENT = re.compile(r"^(\d+(?:\.\d+)?)%$")
_MESSAGES = {
    429: "Too many requests (injected by --faults); retry after the Retry-After delay",
    500: "Internal server error (injected by --faults)",
}


@dataclasses.dataclass(frozen=True)
class FaultPlan:
    latency: tuple[float, float] = (0.0, 0.0)  # seconds, lowest and highest
    statuses: tuple[tuple[int, float], ...] = ()  # (429 or 5xx, probability)
    reset: float = 0.0  # probability
    retry_after: float = 1.0  # whole seconds, sent with every injected 429
    seed: int = 0

    def describe(self) -> str:
        parts = [f"{status}={p:.2%}" for status, p in self.statuses]
        if self.reset:
            parts.append(f"reset={self.reset:.2%}")
        low, high = self.latency
        if high:
            span = f"{low * 1000:g}ms" + ("" if low == high else f"-{high * 1000:g}ms")
            parts.insert(0, f"latency={span}")
        return ", ".join(parts + [f"seed={self.seed}"])


def _duration(key: str, text: str) -> float:
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise ValueError(f"{key}: {exc}") from None


def _probability(key: str, text: str) -> float:
    found = _PERCENT.match(text.strip())
    if not found or float(found.group(1)) > 100:
        raise ValueError(f"{key}: expected a percentage between 0% and 100%, got {text!r}")
    return float(found.group(1)) / 100


def parse_faults(text: str) -> FaultPlan:
    """The plan of a `--faults` value; ValueError with one clear sentence when it is wrong."""
    latency, statuses, reset, retry_after, seed = (0.0, 0.0), [], 0.0, 1.0, 0
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, sep, value = item.partition("=")
        key = key.strip().lower()
        if not sep or not value.strip():
            raise ValueError(f"expected NAME=VALUE, got {item!r}")
        if key == "latency":
            low, _, high = value.partition("-")
            latency = (_duration(key, low), _duration(key, high or low))
            if latency[0] > latency[1]:
                raise ValueError(f"latency: the range {value!r} runs backwards")
        elif key.isdigit() and (key == "429" or 500 <= int(key) <= 599):
            statuses.append((int(key), _probability(key, value)))
        elif key == "reset":
            reset = _probability(key, value)
        elif key == "retry-after":
            retry_after = _duration(key, value)
            if retry_after != int(retry_after):  # HTTP's Retry-After is whole seconds
                raise ValueError(f"retry-after: expected whole seconds, got {value!r}")
        elif key == "seed":
            if not value.strip().isdigit():
                raise ValueError(f"seed: expected a whole number, got {value!r}")
            seed = int(value)
        else:
            raise ValueError(
                f"unknown fault {key!r}: expected latency, 429, a 5xx status, reset, retry-after"
                " or seed"
            )
    if sum(p for _, p in statuses) + reset > 1:
        raise ValueError("the fault percentages add up to more than 100%")
    return FaultPlan(latency, tuple(statuses), reset, retry_after, seed)


class FaultInjection:
    """ASGI middleware applying a FaultPlan to the API's requests; `counts` tallies what it did."""

    def __init__(self, app: ASGIApp, plan: FaultPlan) -> None:
        from ..settings import api_prefix  # settings.py imports this module

        self.app = app
        self.plan = plan
        self.prefix = api_prefix()
        self.counts: Counter[str] = Counter()
        self._random = random.Random(plan.seed)

    def _fate(self) -> tuple[float, str]:
        """(delay in seconds, 'ok' | 'reset' | a status) of the next request."""
        draw = self._random.random()
        low, high = self.plan.latency
        delay = low if low == high else self._random.uniform(low, high)
        for status, probability in self.plan.statuses:
            if draw < probability:
                return delay, str(status)
            draw -= probability
        return delay, "reset" if draw < self.plan.reset else "ok"

    def tally(self) -> str:
        """What was injected so far, e.g. "429×3, reset×1 in 120 requests"."""
        done = [f"{k}×{n}" for k, n in sorted(self.counts.items()) if k not in ("ok", "requests")]
        return f"{', '.join(done) or 'no faults'} in {self.counts['requests']} requests"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":  # say what was injected when the server stops

            async def send_then_report(message: Message) -> None:
                if message["type"] == "lifespan.shutdown.complete":
                    log.warning("Injected faults: %s", self.tally())
                await send(message)

            await self.app(scope, receive, send_then_report)
            return
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        delay, fate = self._fate()
        self.counts["requests"] += 1
        self.counts[fate] += 1
        if delay:
            await asyncio.sleep(delay)
        if fate == "ok":
            await self.app(scope, receive, send)
        elif fate == "reset":
            await self._reset(scope, receive, send)
        else:
            status = int(fate)
            headers = {"Retry-After": str(int(self.plan.retry_after))} if status == 429 else {}
            message = _MESSAGES.get(status, f"Error {status} (injected by --faults)")
            await error_response(status, message, headers)(scope, receive, send)

    async def _reset(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the API, then start its answer and stop: the server closes the connection with
        the body missing (uvicorn logs "ASGI callable returned without completing response")."""
        start: Message | None = None

        async def hold(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message

        await self.app(scope, receive, hold)
        if start is not None:
            await send(start)


def fault_middleware(plan: FaultPlan | None) -> list[Middleware]:
    """The middleware list entry for `Settings.faults` (none when no plan)."""
    return [] if plan is None else [Middleware(FaultInjection, plan=plan)]
