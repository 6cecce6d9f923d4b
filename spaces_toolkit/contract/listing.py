"""Reading lists as the probes need them: one page, and a bounded prefix of a list.

No probe ever reads a whole list: a real deployment may hold millions of objects. A `Prefix` is
what a bounded number of pages showed, and says whether it reached the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spaces_toolkit.contract.apispec import ListWalk
from spaces_toolkit.contract.http import Exchange, ProbeClient, ProbeFailed

__all__ = ["LIMIT_EXCEEDED", "Prefix", "error_problem", "page", "pointer_get", "read_prefix"]

LIMIT_EXCEEDED = "More objects than `limit`"


@dataclass(frozen=True)
class Prefix:
    """The first objects of a list, in list order; `complete` if the last page said no more."""

    objects: tuple[Any, ...]
    complete: bool
    pages: int


def pointer_get(obj: Any, pointer: str) -> Any:
    for part in pointer.strip("/").split("/"):
        obj = obj.get(part) if isinstance(obj, dict) else None
    return obj


def error_problem(exchange: Exchange, message: str) -> str | None:
    """Why an error answer is not a JSON object with a string `message` (the spec's field,
    `CheckedApi.error_message`), or None if it is."""
    if exchange.content_type != "application/json":
        return f"Content-Type is {exchange.content_type or 'missing'!r}, not application/json"
    body = exchange.json
    if not isinstance(body, dict) or not isinstance(body.get(message), str):
        return f"body has no string `{message}`: {exchange.text[:200]!r}"
    return None


def page(
    client: ProbeClient,
    lst: ListWalk,
    check: str | None,
    token: str = "",
    *,
    limit: int | None = None,
    after: Any = None,
    before: Any = None,
) -> tuple[Exchange, list[Any], bool]:
    """One page of a list: (exchange, data, has_more). A broken answer, or more objects than
    `limit` (sent, or the spec's default), is a failure of `check` (None: not recorded)."""
    params: dict[str, Any] = {lst.limit.name: limit, lst.after: after}
    if lst.before is not None:
        params[lst.before] = before
    exchange = client.send(lst.label, "GET", lst.path, params=params, token=token)
    body = client.expect_ok(check, exchange)
    data = body.get(lst.spec.items_field)
    has_more = body.get(lst.spec.has_more_field)
    if not isinstance(data, list) or not isinstance(has_more, bool):
        if check is None:
            raise ProbeFailed("")
        client.fail(check, exchange, "Not a list envelope", f"Got {exchange.text[:300]}")
        raise ProbeFailed(check)
    allowed = lst.limit.default if limit is None else limit
    if len(data) > allowed:
        if check is not None:
            detail = f"{lst.limit.name}={allowed} but the page holds {len(data)} objects"
            client.fail(check, exchange, LIMIT_EXCEEDED, detail)
        raise ProbeFailed(check or "")
    return exchange, data, has_more


def read_prefix(
    client: ProbeClient, lst: ListWalk, check: str | None, pages: int, token: str = ""
) -> Prefix:
    """Up to `pages` pages of the largest size the spec allows, following the forward cursor."""
    objects: list[Any] = []
    cursor = None
    for n in range(1, max(1, pages) + 1):
        _, data, more = page(client, lst, check, token, limit=lst.limit.maximum, after=cursor)
        objects += data
        if not more:
            return Prefix(tuple(objects), True, n)
        cursor = lst.cursor_of(data[-1]) if data else None
        if cursor is None:
            break  # an empty page claiming more, or no cursor field: the walks judge that
    return Prefix(tuple(objects), False, n)
