"""Rows → API objects. Queries select nested objects with column prefixes (s_ space,
c_ customer, …) and these functions assemble the JSON shapes the spec documents."""

from __future__ import annotations

import functools
import json
import operator
from collections.abc import Callable
from typing import Any

from .database import Row

__all__ = [
    "SPACE_COLS",
    "CUSTOMER_COLS",
    "account",
    "space",
    "customer",
    "customers",
    "invoice",
    "subscription",
    "captured_email",
    "event",
    "event_json",
    "webhook",
    "resource_subscription",
    "page",
]

JSONObject = dict[str, Any]

SPACE_COLS = "s.id AS s_id, s.created AS s_created, s.url AS s_url"
CUSTOMER_COLS = (
    "c.id AS c_id, c.name AS c_name, c.email AS c_email, c.created AS c_created, " + SPACE_COLS
)


def account(row: Row) -> JSONObject:
    return {
        "object": "account",
        "created": row["created"],
        "name": row["name"],
        "email": row["email"],
        "avatar_image_url": row["avatar_image_url"],
        "referral_code": row["referral_code"],
    }


def _space(space_id: Any, created: Any, url: Any) -> JSONObject:
    return {"object": "space", "id": space_id, "created": created, "url": url}


def _customer(
    customer_id: Any, name: Any, email: Any, created: Any, space_obj: JSONObject
) -> JSONObject:
    return {
        "object": "customer",
        "id": customer_id,
        "name": name,
        "email": email,
        "created": created,
        "space": space_obj,
    }


def space(row: Row) -> JSONObject:
    return _space(row["s_id"], row["s_created"], row["s_url"])


def customer(row: Row, space_obj: JSONObject | None = None) -> JSONObject:
    return _customer(
        row["c_id"],
        row["c_name"],
        row["c_email"],
        row["c_created"],
        space(row) if space_obj is None else space_obj,
    )


# The columns `customers` reads from each row, in the order it unpacks them.
_CUSTOMER_PAGE_COLUMNS = ("c_id", "c_name", "c_email", "c_created", "s_id", "s_created", "s_url")


def _getter(first: Row, columns: tuple[str, ...]) -> Callable[[Row], tuple[Any, ...]]:
    """A C-level getter of `columns` from rows shaped like `first`. SQLite's rows are looked up
    by position (its lookup by name compares every column name, case-insensitively, each time);
    PostgreSQL's rows are dicts, looked up by name."""
    if isinstance(first, dict):
        return _by_name(columns)
    return _by_position(tuple(first.keys()), columns)  # noqa: SIM118 - sqlite3.Row's API


@functools.cache
def _by_name(columns: tuple[str, ...]) -> Callable[[Row], tuple[Any, ...]]:
    return operator.itemgetter(*columns)


@functools.cache
def _by_position(
    names: tuple[str, ...], columns: tuple[str, ...]
) -> Callable[[Row], tuple[Any, ...]]:
    return operator.itemgetter(*(names.index(c) for c in columns))


def customers(rows: list[Row]) -> list[JSONObject]:
    """`customer` of each row of one page; a Space that several of them share is rendered once
    for the page (the same dict, so the same JSON each time). Scoped to this call: nothing is
    kept between requests."""
    if not rows:
        return []
    get = _getter(rows[0], _CUSTOMER_PAGE_COLUMNS)
    spaces: dict[Any, JSONObject] = {}
    out = []
    for row in rows:
        customer_id, name, email, created, space_id, space_created, url = get(row)
        obj = spaces.get(space_id)
        if obj is None:
            obj = spaces[space_id] = _space(space_id, space_created, url)
        out.append(_customer(customer_id, name, email, created, obj))
    return out


def _json(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def invoice(row: Row) -> JSONObject:
    items = _json(row["i_items"])
    return {
        "object": "invoice",
        "id": row["i_id"],
        "order_number": row["i_order_number"],
        "billing_address": _json(row["i_billing_address"]),
        "shipping_address": _json(row["i_shipping_address"]),
        "created": row["i_created"],
        "paid": bool(row["i_paid"]),
        "shipped": bool(row["i_shipped"]),
        "shipping_details": row["i_shipping_details"],
        "total": row["i_total"],
        "currency": row["i_currency"],
        "items": {"data": items, "count": len(items)},
        "customer": customer(row),
    }


def subscription(row: Row) -> JSONObject:
    items = _json(row["u_items"])
    return {
        "object": "subscription",
        "id": row["u_id"],
        "token": row["u_token"],
        "serial_number": row["u_serial_number"],
        "created": row["u_created"],
        "status": row["u_status"],
        "items": {"data": items, "count": len(items)},
        "total": row["u_total"],
        "currency": row["u_currency"],
        "customer": customer(row),
    }


def captured_email(row: Row) -> JSONObject:
    return {
        "object": "captured_email",
        "id": row["e_id"],
        "email": row["e_email"],
        "created": row["e_created"],
        "space": space(row),
    }


def event(row: Row) -> JSONObject:
    return {
        "object": "event",
        "id": row["v_id"],
        "created": row["v_created"],
        "type": row["v_type"],
        "data": json.loads(row["v_data"]),
    }


def event_json(row: Row) -> str:
    """`event(row)` as JSON text, with the stored `data` spliced in as it is, not parsed and
    re-encoded: a webhook delivery's body. The same text as `json.dumps(event(row))` for data
    that json.dumps wrote (events.py)."""
    return (
        f'{{"object": "event", "id": {json.dumps(row["v_id"])},'
        f' "created": {json.dumps(row["v_created"])}, "type": {json.dumps(row["v_type"])},'
        f' "data": {row["v_data"]}}}'
    )


def webhook(row: Row) -> JSONObject:
    return {
        "object": "webhook",
        "id": row["w_id"],
        "created": row["w_created"],
        "url": row["w_url"],
        "event": event(row),
        "pending": bool(row["w_pending"]),
    }


def resource_subscription(row: Row) -> JSONObject:
    return {
        "object": "resource_subscription",
        "id": row["r_id"],
        "event": row["r_event"],
        "target_url": row["r_target_url"],
        "api_version": row["r_api_version"],
        "created": row["r_created"],
    }


def page(data: list[JSONObject], has_more: bool) -> JSONObject:
    """A list page, in the spec's envelope (`Spec.envelope`: object "list", data, has_more,
    count)."""
    return _envelope().page(data, has_more)


@functools.cache
def _envelope() -> Any:
    from ...spec import default_spec  # read at first use: loading the spec is not for imports

    return default_spec().envelope
