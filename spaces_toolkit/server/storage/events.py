"""Events, and the webhook records each one fans out to."""

from __future__ import annotations

import random
import time
from typing import Any, NamedTuple

from ...spec import default_spec
from .database import Transaction
from .ids import new_id
from .repo.events import insert_event, insert_webhooks, webhook_targets

__all__ = ["EVENT_TYPES", "API_VERSION", "RecordedEvent", "record_event"]

EVENT_TYPES: tuple[str, ...] = tuple(default_spec().schema("EventType").get("enum", ()))
API_VERSION: str = default_spec().version


class RecordedEvent(NamedTuple):
    """An event `record_event` stored: its row, its id and the webhooks it queued."""

    seq: int
    id: str
    type: str
    queued: int  # webhooks queued for delivery (0 for history, recorded as delivered)


def record_event(
    tx: Transaction,
    account_id: int,
    event_type: str,
    obj: dict[str, Any],
    *,
    created: int | None = None,
    rng: random.Random | None = None,
    history: bool = False,
) -> RecordedEvent:
    """Store an event of `event_type` about `obj` (as it is now) and queue its webhooks.

    One webhook per live resource subscription of the account for this type, plus one to the
    account's webhook URL if it has one. With `history=True` (seeded demo data about the past)
    the webhooks are recorded as already delivered instead of being queued.
    """
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    created = int(time.time()) if created is None else created
    event_id = new_id("event", rng)
    event_seq = insert_event(tx, account_id, event_id, event_type, created, obj)
    targets = webhook_targets(tx, account_id, event_type)
    webhooks = [(new_id("webhook", rng), rs_seq, url) for rs_seq, url in targets]
    insert_webhooks(tx, account_id, event_seq, webhooks, created=created, delivered=history)
    return RecordedEvent(event_seq, event_id, event_type, 0 if history else len(targets))
