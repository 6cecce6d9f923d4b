"""Queries: how each resource is listed and fetched, with its nested objects joined in."""

from __future__ import annotations

from typing import Any

from .. import render
from ..database import Transaction
from ..render import CUSTOMER_COLS, SPACE_COLS, JSONObject
from .pages import ListSource

__all__ = [
    "SPACES",
    "CUSTOMERS",
    "INVOICES",
    "SUBSCRIPTIONS",
    "CAPTURED_EMAILS",
    "EVENTS",
    "WEBHOOKS",
    "RESOURCE_SUBSCRIPTIONS",
    "get",
    "get_by_seq",
    "get_subscription",
]

_CUSTOMER_JOIN = "JOIN customers c ON c.seq = {a}.customer_seq JOIN spaces s ON s.seq = c.space_seq"
_EVENT_COLS = "v.id AS v_id, v.created AS v_created, v.type AS v_type, v.data AS v_data"

SPACES = ListSource("Space", "spaces", "s", f"SELECT {SPACE_COLS} FROM spaces s", render.space)

CUSTOMERS = ListSource(
    "customer",
    "customers",
    "c",
    f"SELECT {CUSTOMER_COLS} FROM customers c JOIN spaces s ON s.seq = c.space_seq",
    render.customer,
    render_page=render.customers,
)

INVOICES = ListSource(
    "invoice",
    "invoices",
    "i",
    "SELECT i.id AS i_id, i.order_number AS i_order_number, i.created AS i_created,"
    " i.billing_address AS i_billing_address, i.shipping_address AS i_shipping_address,"
    " i.paid AS i_paid, i.shipped AS i_shipped, i.shipping_details AS i_shipping_details,"
    " i.total AS i_total, i.currency AS i_currency, i.items AS i_items, "
    f"{CUSTOMER_COLS} FROM invoices i {_CUSTOMER_JOIN.format(a='i')}",
    render.invoice,
)

SUBSCRIPTIONS = ListSource(
    "subscription",
    "subscriptions",
    "u",
    "SELECT u.id AS u_id, u.token AS u_token, u.serial_number AS u_serial_number,"
    " u.created AS u_created, u.status AS u_status, u.total AS u_total,"
    " u.currency AS u_currency, u.items AS u_items, "
    f"{CUSTOMER_COLS} FROM subscriptions u {_CUSTOMER_JOIN.format(a='u')}",
    render.subscription,
)

CAPTURED_EMAILS = ListSource(
    "captured email",
    "captured_emails",
    "e",
    f"SELECT e.id AS e_id, e.email AS e_email, e.created AS e_created, {SPACE_COLS}"
    " FROM captured_emails e JOIN spaces s ON s.seq = e.space_seq",
    render.captured_email,
)

EVENTS = ListSource("event", "events", "v", f"SELECT {_EVENT_COLS} FROM events v", render.event)

WEBHOOKS = ListSource(
    "webhook",
    "webhooks",
    "w",
    "SELECT w.id AS w_id, w.created AS w_created, w.url AS w_url, w.pending AS w_pending, "
    f"{_EVENT_COLS} FROM webhooks w JOIN events v ON v.seq = w.event_seq",
    render.webhook,
)

RESOURCE_SUBSCRIPTIONS = ListSource(
    "resource subscription",
    "resource_subscriptions",
    "r",
    "SELECT r.id AS r_id, r.event AS r_event, r.target_url AS r_target_url,"
    " r.api_version AS r_api_version, r.created AS r_created FROM resource_subscriptions r",
    render.resource_subscription,
    where="r.deleted = 0",
)


def get(tx: Transaction, src: ListSource, account_id: int, value: Any) -> JSONObject | None:
    """The object of `account_id` whose public id is `value`, or None (also for other tenants)."""
    extra = f" AND {src.where}" if src.where else ""
    row = tx.one(
        f"{src.select} WHERE {src.alias}.account_id = ? AND {src.alias}.{src.cursor_column} = ?"
        + extra,
        (account_id, value),
    )
    return None if row is None else src.render(row)


def get_by_seq(tx: Transaction, src: ListSource, seq: int) -> JSONObject:
    """The object stored under `seq` (an internal key just written by this process)."""
    row = tx.one(f"{src.select} WHERE {src.alias}.seq = ?", (seq,))
    if row is None:
        raise LookupError(f"{src.table}: no row {seq}")
    return src.render(row)


def get_subscription(
    tx: Transaction, account_id: int, customer_id: str, token: str
) -> JSONObject | None:
    row = tx.one(
        f"{SUBSCRIPTIONS.select} WHERE u.account_id = ? AND c.id = ? AND u.token = ?",
        (account_id, customer_id, token),
    )
    return None if row is None else SUBSCRIPTIONS.render(row)
