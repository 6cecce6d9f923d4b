"""Resource subscriptions (REST Hooks): subscribing a target URL, and the 410 unsubscribe."""

from __future__ import annotations

import random
import time

from ..database import Transaction
from ..events import API_VERSION
from ..ids import new_id
from ..render import JSONObject
from . import reads

__all__ = [
    "create_resource_subscription",
    "remove_resource_subscription",
    "unsubscribe_by_id",
    "resource_subscription_id_taken",
]


def create_resource_subscription(
    tx: Transaction,
    account_id: int,
    *,
    event: str,
    target_url: str,
    created: int | None = None,
    rng: random.Random | None = None,
) -> JSONObject:
    """Subscribe `target_url` to `event` (no event is recorded for this)."""
    seq = tx.insert(
        "INSERT INTO resource_subscriptions"
        " (account_id, id, event, target_url, api_version, created) VALUES (?, ?, ?, ?, ?, ?)",
        (
            account_id,
            new_id("resource_subscription", rng),
            event,
            target_url,
            API_VERSION,
            int(time.time()) if created is None else created,
        ),
    )
    return reads.get_by_seq(tx, reads.RESOURCE_SUBSCRIPTIONS, seq)


def remove_resource_subscription(tx: Transaction, rs_seq: int) -> None:
    """REST Hooks unsubscribe: hide the subscription and stop its other pending deliveries."""
    tx.execute("UPDATE resource_subscriptions SET deleted = 1 WHERE seq = ?", (rs_seq,))
    # Deliveries in flight (leased) are settled by their worker, which sees the deletion.
    tx.execute(
        "UPDATE webhooks SET pending = 0"
        " WHERE resource_subscription_seq = ? AND pending = 1 AND lease_owner IS NULL",
        (rs_seq,),
    )


def unsubscribe_by_id(tx: Transaction, account_id: int, rs_id: str) -> bool:
    """Remove the live resource subscription of `account_id` whose public id is `rs_id` (as
    `remove_resource_subscription`); False if it has none by that id."""
    row = tx.one(
        "SELECT seq FROM resource_subscriptions WHERE account_id = ? AND id = ? AND deleted = 0",
        (account_id, rs_id),
    )
    if row is None:
        return False
    remove_resource_subscription(tx, int(row["seq"]))
    return True


def resource_subscription_id_taken(tx: Transaction, account_id: int, rs_id: str) -> bool:
    """Whether `account_id` has (or had: deleted ones count) a resource subscription `rs_id`."""
    return (
        tx.one(
            "SELECT 1 FROM resource_subscriptions WHERE account_id = ? AND id = ?",
            (account_id, rs_id),
        )
        is not None
    )
