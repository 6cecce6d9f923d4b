"""Creating objects. Each creation runs inside the caller's write transaction and records its
event there too, so an object and its event (and its queued webhooks) exist together or not at
all. Sequential numbers are computed inside that transaction under `tx.lock()` of their scope
(the account's Spaces, the Space's invoices or subscriptions), so concurrent writers in any
process never compute the same number."""

from __future__ import annotations

import json
import random
import time
from typing import Any, NamedTuple

from ..database import Transaction
from ..events import RecordedEvent, record_event
from ..ids import new_id, random_text
from ..render import JSONObject
from . import reads

__all__ = [
    "Created",
    "newest_space",
    "newest_customer",
    "create_space",
    "create_customer",
    "create_invoice",
    "pay_invoice",
    "create_subscription",
    "capture_email",
]


class Created(NamedTuple):
    """What a write made: the object's row (seq), the object as the API renders it, and the
    event recorded about it."""

    seq: int
    obj: JSONObject
    event: RecordedEvent


def _now(created: int | None) -> int:
    return int(time.time()) if created is None else created


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


def create_space(
    tx: Transaction, account_id: int, *, url: str | None, created: int | None = None
) -> int:
    """A new Space; its id is the account's next sequential number (from 1). Returns its seq."""
    tx.lock(f"space ids of account {account_id}")
    row = tx.one(
        "SELECT COALESCE(MAX(id), 0) + 1 AS n FROM spaces WHERE account_id = ?", (account_id,)
    )
    assert row is not None
    return tx.insert(
        "INSERT INTO spaces (account_id, id, created, url) VALUES (?, ?, ?, ?)",
        (account_id, int(row["n"]), _now(created), url),
    )


def newest_space(tx: Transaction, account_id: int) -> int | None:
    """The seq of the account's newest Space, if it has one."""
    row = tx.one("SELECT seq FROM spaces WHERE account_id = ? ORDER BY seq DESC", (account_id,))
    return None if row is None else int(row["seq"])


def newest_customer(tx: Transaction, account_id: int) -> int | None:
    """The seq of the account's newest customer, if it has one."""
    row = tx.one("SELECT seq FROM customers WHERE account_id = ? ORDER BY seq DESC", (account_id,))
    return None if row is None else int(row["seq"])


def _space_seq(tx: Transaction, account_id: int, space_seq: int) -> int:
    row = tx.one("SELECT seq FROM spaces WHERE seq = ? AND account_id = ?", (space_seq, account_id))
    if row is None:
        raise LookupError(f"space {space_seq} does not belong to account {account_id}")
    return space_seq


def _customer_space(tx: Transaction, account_id: int, customer_seq: int) -> int:
    row = tx.one(
        "SELECT space_seq FROM customers WHERE seq = ? AND account_id = ?",
        (customer_seq, account_id),
    )
    if row is None:
        raise LookupError(f"customer {customer_seq} does not belong to account {account_id}")
    return int(row["space_seq"])


def create_customer(
    tx: Transaction,
    account_id: int,
    space_seq: int,
    *,
    name: str,
    email: str,
    created: int | None = None,
    rng: random.Random | None = None,
    history: bool = False,
) -> Created:
    created = _now(created)
    seq = tx.insert(
        "INSERT INTO customers (account_id, id, space_seq, name, email, created)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (
            account_id,
            new_id("customer", rng),
            _space_seq(tx, account_id, space_seq),
            name,
            email,
            created,
        ),
    )
    obj = reads.get_by_seq(tx, reads.CUSTOMERS, seq)
    event_obj = {"object": "customer", "id": obj["id"], "token": obj["id"], **obj}
    event = record_event(
        tx, account_id, "customer.created", event_obj, created=created, rng=rng, history=history
    )
    return Created(seq, obj, event)


def create_invoice(
    tx: Transaction,
    account_id: int,
    customer_seq: int,
    *,
    items: list[dict[str, Any]],
    currency: str,
    billing_address: dict[str, Any] | None,
    shipping_address: dict[str, Any] | None = None,
    shipped: bool = False,
    shipping_details: str | None = None,
    created: int | None = None,
    rng: random.Random | None = None,
    history: bool = False,
) -> Created:
    """A new invoice with the Space's next order number; records `invoice.created`."""
    created = _now(created)
    space_seq = _customer_space(tx, account_id, customer_seq)
    tx.lock(f"order numbers of space {space_seq}")
    row = tx.one(
        "SELECT COALESCE(MAX(order_number), 0) + 1 AS n FROM invoices WHERE space_seq = ?",
        (space_seq,),
    )
    assert row is not None
    seq = tx.insert(
        "INSERT INTO invoices (account_id, id, customer_seq, space_seq, order_number, created,"
        " billing_address, shipping_address, paid, shipped, shipping_details, total, currency,"
        " items) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)",
        (
            account_id,
            new_id("invoice", rng),
            customer_seq,
            space_seq,
            int(row["n"]),
            created,
            _json(billing_address),
            _json(shipping_address),
            int(shipped),
            shipping_details,
            sum(int(i["total_amount"]) for i in items),
            currency,
            json.dumps(items),
        ),
    )
    obj = reads.get_by_seq(tx, reads.INVOICES, seq)
    event = record_event(
        tx, account_id, "invoice.created", obj, created=created, rng=rng, history=history
    )
    return Created(seq, obj, event)


def pay_invoice(
    tx: Transaction,
    account_id: int,
    invoice_seq: int,
    *,
    created: int | None = None,
    rng: random.Random | None = None,
    history: bool = False,
) -> Created:
    """Mark an unpaid invoice paid; records `invoice.paid`."""
    changed = tx.execute(
        "UPDATE invoices SET paid = 1 WHERE seq = ? AND account_id = ? AND paid = 0",
        (invoice_seq, account_id),
    )
    if changed != 1:
        raise LookupError(f"invoice {invoice_seq} is not an unpaid invoice of account {account_id}")
    obj = reads.get_by_seq(tx, reads.INVOICES, invoice_seq)
    event = record_event(
        tx, account_id, "invoice.paid", obj, created=_now(created), rng=rng, history=history
    )
    return Created(invoice_seq, obj, event)


def create_subscription(
    tx: Transaction,
    account_id: int,
    customer_seq: int,
    *,
    items: list[dict[str, Any]],
    currency: str,
    status: str = "active",
    created: int | None = None,
    rng: random.Random | None = None,
    history: bool = False,
) -> Created:
    """A new subscription: token unique within the customer, serial number within the Space."""
    created = _now(created)
    space_seq = _customer_space(tx, account_id, customer_seq)
    tx.lock(f"serial numbers of space {space_seq}")
    row = tx.one(
        "SELECT COALESCE(MAX(serial_number), 0) + 1 AS n FROM subscriptions WHERE space_seq = ?",
        (space_seq,),
    )
    assert row is not None
    while True:
        token = random_text(10, rng)
        if (
            tx.one(
                "SELECT 1 FROM subscriptions WHERE customer_seq = ? AND token = ?",
                (customer_seq, token),
            )
            is None
        ):
            break
    seq = tx.insert(
        "INSERT INTO subscriptions (account_id, id, customer_seq, space_seq, token, serial_number,"
        " created, status, total, currency, items) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            account_id,
            new_id("subscription", rng),
            customer_seq,
            space_seq,
            token,
            int(row["n"]),
            created,
            status,
            sum(int(i["total_amount"]) for i in items),
            currency,
            json.dumps(items),
        ),
    )
    obj = reads.get_by_seq(tx, reads.SUBSCRIPTIONS, seq)
    event = record_event(
        tx, account_id, "subscription.created", obj, created=created, rng=rng, history=history
    )
    return Created(seq, obj, event)


def capture_email(
    tx: Transaction,
    account_id: int,
    space_seq: int,
    *,
    email: str,
    created: int | None = None,
    rng: random.Random | None = None,
    history: bool = False,
) -> Created:
    created = _now(created)
    seq = tx.insert(
        "INSERT INTO captured_emails (account_id, id, space_seq, email, created)"
        " VALUES (?, ?, ?, ?, ?)",
        (
            account_id,
            new_id("captured_email", rng),
            _space_seq(tx, account_id, space_seq),
            email,
            created,
        ),
    )
    obj = reads.get_by_seq(tx, reads.CAPTURED_EMAILS, seq)
    event = record_event(
        tx, account_id, "captured_email.created", obj, created=created, rng=rng, history=history
    )
    return Created(seq, obj, event)
