"""Reading lists as the probes need them: one page, a whole list, an object's cursor."""

from __future__ import annotations

from typing import Any

from spaces_toolkit.contract.apispec import ListOperation
from spaces_toolkit.contract.http import Exchange, ProbeClient, ProbeFailed

__all__ = ["MAX_PAGES", "cursor_of", "error_problem", "list_all", "page", "pointer_get"]

MAX_PAGES = 50


def cursor_of(obj: Any) -> str | None:
    if isinstance(obj, dict) and obj.get("id") is not None:
        return str(obj["id"])
    return None


def pointer_get(obj: Any, pointer: str) -> Any:
    for part in pointer.strip("/").split("/"):
        obj = obj.get(part) if isinstance(obj, dict) else None
    return obj


def error_problem(exchange: Exchange) -> str | None:
    """Why an error answer is not a JSON object with a string `message` (None if it is)."""
    if exchange.content_type != "application/json":
        return f"Content-Type is {exchange.content_type or 'missing'!r}, not application/json"
    body = exchange.json
    if not isinstance(body, dict) or not isinstance(body.get("message"), str):
        return f"body has no string `message`: {exchange.text[:200]!r}"
    return None


def page(
    client: ProbeClient, lst: ListOperation, check: str | None, token: str = "", **params: Any
):
    """One page of a list: (exchange, data, has_more); a broken answer is a failure of `check`."""
    exchange = client.send(lst.label, "GET", lst.path, params=params, token=token)
    body = client.expect_ok(check, exchange)
    data = body.get("data")
    if not isinstance(data, list) or not isinstance(body.get("has_more"), bool):
        if check is None:
            raise ProbeFailed("")
        client.fail(check, exchange, "Not a list envelope", f"Got {exchange.text[:300]}")
        raise ProbeFailed(check)
    return exchange, data, body["has_more"]


def list_all(
    client: ProbeClient, lst: ListOperation, check: str | None, token: str = ""
) -> list[Any]:
    """Every object of a list, in pages of 100 (up to MAX_PAGES pages); failures are
    recorded under `check` (None: not recorded)."""
    objects: list[Any] = []
    cursor = None
    for _ in range(MAX_PAGES):
        _, data, more = page(client, lst, check, token, limit=100, starting_after=cursor)
        objects += data
        if not more or not data or cursor_of(data[-1]) is None:
            break
        cursor = cursor_of(data[-1])
    return objects
