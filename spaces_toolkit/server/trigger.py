"""`spaces trigger <event-type>`: create the object behind an event type, live, so its event is
recorded and its webhooks are queued for the running server's worker (like `stripe trigger`)."""

from __future__ import annotations

import json
import random
import secrets
import time
from typing import Any

from .db import Database, Transaction
from .events import EVENT_TYPES
from .repo import writes
from .seed import demo_items

__all__ = ["trigger", "EVENT_TYPES"]


def _space(tx: Transaction, account_id: int) -> int:
    row = tx.one("SELECT seq FROM spaces WHERE account_id = ? ORDER BY seq DESC", (account_id,))
    if row is not None:
        return int(row["seq"])
    return writes.create_space(tx, account_id, url=None)


def _customer(tx: Transaction, account_id: int, rng: random.Random) -> int:
    row = tx.one("SELECT seq FROM customers WHERE account_id = ? ORDER BY seq DESC", (account_id,))
    if row is not None:
        return int(row["seq"])
    return _new_customer(tx, account_id, rng)[0]


def _new_customer(
    tx: Transaction, account_id: int, rng: random.Random
) -> tuple[int, dict[str, Any]]:
    n = rng.randint(1000, 9999)
    return writes.create_customer(
        tx,
        account_id,
        _space(tx, account_id),
        name=f"Triggered Customer {n}",
        email=f"triggered.{n}@example.com",
    )


def _invoice(tx: Transaction, account_id: int, rng: random.Random) -> tuple[int, dict[str, Any]]:
    return writes.create_invoice(
        tx,
        account_id,
        _customer(tx, account_id, rng),
        items=demo_items(rng, "invoice", "USD"),
        currency="USD",
        billing_address=None,
    )


def trigger(db: Database, account_id: int, event_type: str) -> dict[str, Any]:
    """Create what `event_type` is about (and, if needed, what that depends on).

    Returns {"event": id, "object": the object, "webhooks": number queued for that event}.
    """
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}; choose from {', '.join(EVENT_TYPES)}")
    rng = random.Random(secrets.randbits(64))
    started = time.time()
    with db.write() as tx:
        if event_type == "customer.created":
            _, obj = _new_customer(tx, account_id, rng)
        elif event_type == "invoice.created":
            _, obj = _invoice(tx, account_id, rng)
        elif event_type == "invoice.paid":
            seq, _ = _invoice(tx, account_id, rng)
            obj = writes.pay_invoice(tx, account_id, seq)
        elif event_type == "subscription.created":
            _, obj = writes.create_subscription(
                tx,
                account_id,
                _customer(tx, account_id, rng),
                items=demo_items(rng, "subscription", "USD"),
                currency="USD",
            )
        else:
            _, obj = writes.capture_email(
                tx,
                account_id,
                _space(tx, account_id),
                email=f"captured.{rng.randint(1000, 9999)}@example.com",
            )
        # The event about `obj`: other writers (PostgreSQL runs write transactions
        # concurrently) may have committed newer events of the same type meanwhile.
        event = next(
            e
            for e in tx.query(
                "SELECT seq, id, data FROM events WHERE account_id = ? AND type = ?"
                " ORDER BY seq DESC LIMIT 1000",
                (account_id, event_type),
            )
            if json.loads(e["data"])["object"].get("id") == obj["id"]
        )
        queued = tx.one(
            "SELECT COUNT(*) AS n FROM webhooks WHERE event_seq = ? AND next_attempt_at >= ?",
            (event["seq"], started - 1),
        )
    return {
        "event": event["id"],
        "object": obj["id"],
        "webhooks": int(queued["n"]) if queued else 0,
    }
