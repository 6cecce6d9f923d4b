"""`spaces trigger <event-type>`: create the object behind an event type, live, so its event is
recorded and its webhooks are queued for the running server's worker (like `stripe trigger`).

`CREATORS` is the one registry: every event type the spec declares (`EventType`) maps to the
function that makes an object of that type, and a test proves none is missing. An event type the
spec does not declare, or one it declares that has no creator here, is a `TriggerError`, never
some other object's event."""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from typing import Any

from ..storage.database import Database, Transaction
from ..storage.events import EVENT_TYPES
from ..storage.repo import writes
from .seed import demo_items

__all__ = ["CREATORS", "EVENT_TYPES", "TriggerError", "check_event_type", "trigger"]

Creator = Callable[[Transaction, int, random.Random], writes.Created]


class TriggerError(ValueError):
    """An event type `trigger` cannot make; its message is one line for a person."""


def _space(tx: Transaction, account_id: int) -> int:
    found = writes.newest_space(tx, account_id)
    return writes.create_space(tx, account_id, url=None) if found is None else found


def _customer(tx: Transaction, account_id: int, rng: random.Random) -> int:
    found = writes.newest_customer(tx, account_id)
    return _new_customer(tx, account_id, rng).seq if found is None else found


def _new_customer(tx: Transaction, account_id: int, rng: random.Random) -> writes.Created:
    n = rng.randint(1000, 9999)
    return writes.create_customer(
        tx,
        account_id,
        _space(tx, account_id),
        name=f"Triggered Customer {n}",
        email=f"triggered.{n}@example.com",
    )


def _invoice(tx: Transaction, account_id: int, rng: random.Random) -> writes.Created:
    return writes.create_invoice(
        tx,
        account_id,
        _customer(tx, account_id, rng),
        items=demo_items(rng, "invoice", "USD"),
        currency="USD",
        billing_address=None,
    )


def _paid_invoice(tx: Transaction, account_id: int, rng: random.Random) -> writes.Created:
    return writes.pay_invoice(tx, account_id, _invoice(tx, account_id, rng).seq)


def _subscription(tx: Transaction, account_id: int, rng: random.Random) -> writes.Created:
    return writes.create_subscription(
        tx,
        account_id,
        _customer(tx, account_id, rng),
        items=demo_items(rng, "subscription", "USD"),
        currency="USD",
    )


def _captured_email(tx: Transaction, account_id: int, rng: random.Random) -> writes.Created:
    return writes.capture_email(
        tx,
        account_id,
        _space(tx, account_id),
        email=f"captured.{rng.randint(1000, 9999)}@example.com",
    )


CREATORS: dict[str, Creator] = {
    "customer.created": _new_customer,
    "invoice.created": _invoice,
    "invoice.paid": _paid_invoice,
    "subscription.created": _subscription,
    "captured_email.created": _captured_email,
}


def check_event_type(event_type: str) -> Creator:
    """The creator of `event_type`; a `TriggerError` if the spec does not declare it or nothing
    here can make it."""
    if event_type not in EVENT_TYPES:
        raise TriggerError(
            f"unknown event type {event_type!r}; choose from {', '.join(EVENT_TYPES)}"
        )
    creator = CREATORS.get(event_type)
    if creator is None:
        raise TriggerError(
            f"the spec declares event type {event_type!r}, but trigger cannot make one"
        )
    return creator


def trigger(db: Database, account_id: int, event_type: str) -> dict[str, Any]:
    """Create what `event_type` is about (and, if needed, what that depends on).

    Returns {"event": id, "object": the object's id, "webhooks": number queued for that event}.
    """
    creator = check_event_type(event_type)
    rng = random.Random(secrets.randbits(64))
    with db.write() as tx:
        made = creator(tx, account_id, rng)
        if made.event.type != event_type:  # a creator registered under the wrong type
            raise TriggerError(f"trigger's creator for {event_type!r} made {made.event.type!r}")
    return {"event": made.event.id, "object": made.obj["id"], "webhooks": made.event.queued}
