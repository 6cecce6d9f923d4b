"""Storing an event and the webhook records it fans out to (spaces_toolkit.server.storage.events
decides which and when)."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

from ..database import Transaction

__all__ = ["insert_event", "insert_webhooks", "webhook_targets"]


def insert_event(
    tx: Transaction, account_id: int, event_id: str, event_type: str, created: int, obj: Any
) -> int:
    """Store an event about `obj` (as it is now); returns its `seq`."""
    return tx.insert(
        "INSERT INTO events (account_id, id, type, created, data) VALUES (?, ?, ?, ?, ?)",
        (account_id, event_id, event_type, created, json.dumps({"object": obj})),
    )


def webhook_targets(
    tx: Transaction, account_id: int, event_type: str
) -> list[tuple[int | None, str]]:
    """Where an event of `event_type` goes: (resource subscription seq, URL) of each live
    subscription of the account to that type, oldest first, then (None, the account's webhook
    URL) if it set one."""
    targets: list[tuple[int | None, str]] = [
        (int(r["seq"]), str(r["target_url"]))
        for r in tx.query(
            "SELECT seq, target_url FROM resource_subscriptions"
            " WHERE account_id = ? AND event = ? AND deleted = 0 ORDER BY seq",
            (account_id, event_type),
        )
    ]
    account = tx.one("SELECT webhook_url FROM accounts WHERE id = ?", (account_id,))
    if account is not None and account["webhook_url"]:
        targets.append((None, str(account["webhook_url"])))
    return targets


def insert_webhooks(
    tx: Transaction,
    account_id: int,
    event_seq: int,
    webhooks: Sequence[tuple[str, int | None, str]],
    *,
    created: int,
    delivered: bool,
) -> None:
    """One webhook record per (webhook id, resource subscription seq or None, URL): queued for
    delivery now, or (`delivered`: history) recorded as delivered at its first attempt."""
    for webhook_id, rs_seq, url in webhooks:
        tx.insert(
            "INSERT INTO webhooks (account_id, id, event_seq, resource_subscription_seq, url,"
            " created, pending, delivered, attempts, next_attempt_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                account_id,
                webhook_id,
                event_seq,
                rs_seq,
                url,
                created,
                0 if delivered else 1,
                1 if delivered else 0,
                1 if delivered else 0,
                time.time(),
            ),
        )
