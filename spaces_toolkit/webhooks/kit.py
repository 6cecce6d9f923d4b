"""The receiver test kit behind `spaces webhooks check-receiver URL --secret S`.

It sends the receiver a validly signed delivery of every event type, then hostile ones, and
judges each answer: valid deliveries must get a 2xx; forged, altered, stale, future, replayed
(also under a changed unsigned `Spaces-Webhook-Id`) or oversize ones a 4xx (so they are
neither processed nor retried); a delivery signed with the old and the new secret during a
rotation, or of an event type added later, must be acknowledged (2xx) — a receiver that fails
them breaks on the day either happens.

Event bodies are real: the reference server's own code creates one event of each type the
spec declares (in a throwaway database), so they are exactly what `spaces serve` delivers.
"""

from __future__ import annotations

import dataclasses
import json
import secrets as _random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from ..server.sandbox.trigger import trigger
from ..server.signing import new_secret, sign, signed_headers
from ..server.storage.database import open_database
from ..server.storage.events import API_VERSION, EVENT_TYPES
from ..server.storage.repo import reads
from ..server.storage.repo.accounts import create_account

__all__ = ["Case", "Outcome", "sample_events", "build_cases", "run_kit", "OVERSIZE_BYTES"]

OVERSIZE_BYTES = 2 * 1024 * 1024  # a body no webhook receiver should accept (events are ~1 KiB)
STALE_SECONDS = 600  # twice the 5-minute tolerance Standard Webhooks recommends


@dataclasses.dataclass(frozen=True)
class Delivery:
    body: bytes
    headers: dict[str, str]


@dataclasses.dataclass(frozen=True)
class Case:
    name: str
    expect: str  # "2xx" or "4xx"
    why: str
    # Requests sent in order: the last answer is judged by `expect`, any before it (the first
    # send of a replay) must be a 2xx, or the case proves nothing.
    deliveries: tuple[Delivery, ...]


@dataclasses.dataclass(frozen=True)
class Outcome:
    case: Case
    passed: bool
    got: str  # "200", "no answer: ConnectError …"
    reached: bool  # whether the receiver answered at all


def sample_events() -> dict[str, dict[str, Any]]:
    """One real event per type the spec declares, rendered as the server delivers it."""
    with tempfile.TemporaryDirectory(prefix="spaces-kit-") as tmp:
        db = open_database(Path(tmp) / "kit.db")
        try:
            account_id, _ = create_account(db, name="Receiver Kit", email="kit@example.com")
            out = {}
            for event_type in EVENT_TYPES:
                event_id = trigger(db, account_id, event_type)["event"]
                with db.read() as tx:
                    event = reads.get(tx, reads.EVENTS, account_id, event_id)
                assert event is not None
                out[event_type] = event
            return out
        finally:
            db.close()


def _msg_id() -> str:
    return "msg_kit_" + _random.token_hex(8)


def _encode(event: dict[str, Any]) -> bytes:
    return json.dumps(event).encode("utf-8")


def _base_headers(event: dict[str, Any], msg_id: str) -> dict[str, str]:
    """What `spaces serve` sends besides the signature: all of it unsigned."""
    return {
        "Content-Type": "application/json",
        "User-Agent": f"Spaces-Webhooks/{API_VERSION} (receiver kit)",
        "Spaces-Webhook-Id": msg_id,
        "Spaces-Event-Id": str(event["id"]),
        "Spaces-Event-Type": str(event["type"]),
    }


def build_cases(secret: str, events: dict[str, dict[str, Any]], *, now: int) -> list[Case]:
    """Every case, signed with `secret` at `now` (each case its own fresh webhook id)."""

    def signed(event: dict[str, Any], *, ts: int = now) -> Delivery:
        # Each case its own event id too, so a receiver deduplicating on either id is judged
        # only by the replay case.
        event = {**event, "id": f"{event['id']}_{_random.token_hex(3)}"}
        raw = _encode(event)
        msg_id = _msg_id()
        signature = signed_headers([secret], msg_id, raw, timestamp=ts)
        return Delivery(raw, {**_base_headers(event, msg_id), **signature})

    cases = [
        Case(f"valid {t}", "2xx", "a correctly signed delivery is accepted", (signed(e),))
        for t, e in events.items()
    ]
    first = next(iter(events.values()))
    good = signed(first)
    tampered = good.body.replace(b'"object": "event"', b'"object": "event", "forged": true')
    cases.append(
        Case(
            "tampered body",
            "4xx",
            "the body was changed after signing",
            (Delivery(tampered, good.headers),),
        )
    )
    other = signed(first)
    wrong = dict(other.headers)
    wrong["webhook-signature"] = sign(new_secret(), wrong["webhook-id"], now, other.body)
    cases.append(
        Case(
            "wrong signature",
            "4xx",
            "signed with a secret that is not yours",
            (Delivery(other.body, wrong),),
        )
    )
    for header in ("webhook-id", "webhook-timestamp", "webhook-signature"):
        d = signed(first)
        cases.append(
            Case(
                f"missing {header}",
                "4xx",
                f"no {header} header",
                (Delivery(d.body, {k: v for k, v in d.headers.items() if k != header}),),
            )
        )
    cases.append(
        Case(
            "stale timestamp",
            "4xx",
            f"signed correctly {STALE_SECONDS} s ago (a replay)",
            (signed(first, ts=now - STALE_SECONDS),),
        )
    )
    cases.append(
        Case(
            "future timestamp",
            "4xx",
            f"signed correctly {STALE_SECONDS} s ahead",
            (signed(first, ts=now + STALE_SECONDS),),
        )
    )
    replay = signed(first)
    cases.append(
        Case(
            "replayed webhook id",
            "4xx",
            "the same signed delivery again (a sender retry has a new timestamp)",
            (replay, replay),
        )
    )
    # The Spaces-* headers are not signed: a receiver must take the id it deduplicates on from
    # the signed `webhook-id` (and the event's id and type from the verified body).
    captured = signed(first)
    relabelled = {**captured.headers, "Spaces-Webhook-Id": _msg_id()}
    cases.append(
        Case(
            "replay under a new Spaces-Webhook-Id",
            "4xx",
            "the same signed delivery again, its unsigned Spaces-Webhook-Id changed",
            (captured, Delivery(captured.body, relabelled)),
        )
    )
    earlier, later = signed(first), signed(first)
    borrowed = {**later.headers, "Spaces-Webhook-Id": earlier.headers["webhook-id"]}
    cases.append(
        Case(
            "new delivery with a reused Spaces-Webhook-Id",
            "2xx",
            "a new signed webhook-id whose unsigned Spaces-Webhook-Id repeats an earlier one",
            (earlier, Delivery(later.body, borrowed)),
        )
    )
    handled = signed(first)
    retry_headers = {
        **handled.headers,
        **signed_headers([secret], handled.headers["webhook-id"], handled.body, timestamp=now + 1),
    }
    cases.append(
        Case(
            "sender retry of a handled delivery",
            "2xx",
            "same webhook id, new timestamp: acknowledge it (without processing it again)",
            (handled, Delivery(handled.body, retry_headers)),
        )
    )
    rotated = signed(first)
    old = sign(new_secret(), rotated.headers["webhook-id"], now, rotated.body)
    both = {**rotated.headers, "webhook-signature": f"{old} {rotated.headers['webhook-signature']}"}
    cases.append(
        Case(
            "rotated secret, two signatures",
            "2xx",
            "during a rotation: one of two signatures matches (the second)",
            (Delivery(rotated.body, both),),
        )
    )
    unknown = {**first, "id": first["id"] + "_new", "type": "space.renamed"}
    cases.append(
        Case(
            "unknown event type",
            "2xx",
            "an event type added later is acknowledged, not failed (or it is retried)",
            (signed(unknown),),
        )
    )
    padding = "x" * OVERSIZE_BYTES
    big = {**first, "padding": padding}
    cases.append(
        Case(
            "oversize body",
            "4xx",
            f"a validly signed {OVERSIZE_BYTES // 1024} KiB body",
            (signed(big),),
        )
    )
    return cases


def _send(client: httpx.Client, url: str, d: Delivery) -> tuple[int | None, str]:
    try:
        response = client.post(url, content=d.body, headers=d.headers)
        return response.status_code, str(response.status_code)
    except (httpx.WriteError, httpx.RemoteProtocolError) as exc:
        if len(d.body) >= OVERSIZE_BYTES:  # refused by closing before reading it all
            return 413, f"connection closed while sending ({type(exc).__name__})"
        return None, f"no answer: {type(exc).__name__}: {exc}"
    except httpx.HTTPError as exc:
        return None, f"no answer: {type(exc).__name__}: {exc}"


def _judge(expect: str, status: int | None) -> bool:
    if status is None:
        return False
    return 200 <= status < 300 if expect == "2xx" else 400 <= status < 500


def run_kit(
    url: str,
    secret: str,
    *,
    timeout: float = 10.0,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Run every case against `url` in order; return (and report as they come) the outcomes."""
    cases = build_cases(secret, sample_events(), now=int(time.time()))
    outcomes = []
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        for case in cases:
            answers = [_send(client, url, d) for d in case.deliveries]
            *primes, (status, got) = answers
            primed = all(_judge("2xx", s) for s, _ in primes)
            if not primed:
                got = f"{primes[0][1]} to the first send"
            passed = primed and _judge(case.expect, status)
            outcome = Outcome(case, passed, got, any(s is not None for s, _ in answers))
            outcomes.append(outcome)
            if on_outcome is not None:
                on_outcome(outcome)
    return outcomes
