"""Pagination probes: walk every list forwards and backwards, and try cursors that must be refused.

Checks (names as they appear in reports):
- `pagination_walk`: `starting_after` visits every object exactly once, in the order the list
  shows it in one page; `has_more` is true before the end and false exactly at the end.
- `pagination_backward`: `starting_before` walks back to the start in the same order.
- `cursor_refused`: a cursor taken from another list, an unknown cursor, and both cursors at once
  are answered 400 with a JSON `message`.
- `list_retrieve_identity`: retrieving a listed object returns the object the list showed.
"""

from __future__ import annotations

import math
from typing import Any

from spaces_toolkit.contract.apispec import ApiModel, ListOperation
from spaces_toolkit.contract.http import ProbeClient, ProbeFailed
from spaces_toolkit.contract.listing import cursor_of, error_problem, list_all, page, pointer_get

__all__ = ["probe_pagination"]

WALK = "pagination_walk"
BACK = "pagination_backward"
REFUSED = "cursor_refused"
IDENTITY = "list_retrieve_identity"


def _ids(objects: list[Any]) -> list[str | None]:
    return [cursor_of(o) for o in objects]


def _compare(expected: list[Any], got: list[Any]) -> str | None:
    exp, seen = _ids(expected), _ids(got)
    if exp == seen:
        return None
    dupes = sorted({i for i in seen if seen.count(i) > 1}, key=str)
    missing = [i for i in exp if i not in seen]
    extra = [i for i in seen if i not in exp]
    parts = []
    if missing:
        parts.append(f"never visited: {missing[:10]}")
    if dupes:
        parts.append(f"visited more than once: {dupes[:10]}")
    if extra:
        parts.append(f"not in the list: {extra[:10]}")
    if not parts:
        parts.append("visited in a different order than one page of the whole list shows")
    return "; ".join(parts)


def _walk_forward(client: ProbeClient, lst: ListOperation, full: list[Any], limit: int) -> None:
    client.ran(WALK, lst.label)
    walked: list[Any] = []
    cursor = None
    pages = math.ceil(len(full) / limit) + 2
    for _ in range(pages):
        exchange, data, more = page(client, lst, WALK, limit=limit, starting_after=cursor)
        walked += data
        if more and not data:
            client.fail(WALK, exchange, "has_more is true on an empty page", "The walk cannot end.")
            return
        if not more:
            if len(walked) < len(full):
                _fail_walk(client, exchange, full, walked, "has_more is false before the end")
            elif _compare(full, walked):
                _fail_walk(client, exchange, full, walked, "Walk does not match the list")
            return
        if len(walked) >= len(full):
            # Every object seen, yet has_more says there is more: see what the next page holds.
            _, rest, more_after = page(
                client, lst, WALK, limit=limit, starting_after=cursor_of(data[-1])
            )
            detail = f"(the page after it has {len(rest)} objects and has_more={more_after})"
            title = "has_more is true on the last page"
            _fail_walk(client, exchange, full, walked + rest, title, detail)
            return
        cursor = cursor_of(data[-1])
        if cursor is None:
            client.fail(WALK, exchange, "Listed object has no id", "Cannot paginate without ids.")
            return
    client.fail(WALK, None, "Walk does not end", f"{pages} pages of {limit}", operation=lst.label)


def _fail_walk(client, exchange, full, walked, title, detail=""):
    problem = _compare(full, walked) or ""
    message = (
        f"{len(full)} objects in the list, {len(walked)} visited by the walk. {problem} {detail}"
    )
    client.fail(WALK, exchange, title, message.strip())


def _walk_backward(client: ProbeClient, lst: ListOperation, full: list[Any], limit: int) -> None:
    client.ran(BACK, lst.label)
    walked: list[Any] = [full[-1]]
    cursor = cursor_of(full[-1])
    for _ in range(math.ceil(len(full) / limit) + 2):
        exchange, data, more = page(client, lst, BACK, limit=limit, starting_before=cursor)
        walked = data + walked
        if not data or not more:
            problem = _compare(full, walked)
            if more:
                client.fail(BACK, exchange, "has_more is true on an empty page", "")
            elif problem:
                title = "Walking back with starting_before does not match the list"
                client.fail(BACK, exchange, title, f"{problem} (visited {len(walked)})")
            return
        if len(walked) > len(full):
            problem = _compare(full, walked)
            client.fail(BACK, exchange, "Walking back goes past the start", str(problem))
            return
        cursor = cursor_of(data[0])
    client.fail(BACK, None, "Walk back does not end", "", operation=lst.label)


def _expect_refused(client, lst, check, title, token="", **params) -> None:
    exchange = client.send(lst.label, "GET", lst.path, params=params, token=token)
    if exchange.status != 400:
        client.fail(check, exchange, title, f"Expected 400, got {exchange.status}")
    elif problem := error_problem(exchange):
        client.fail(check, exchange, "Error answer is not JSON with a message", problem)


def _foreign_cursor(model: ApiModel, lst: ListOperation, firsts: dict[str, Any]) -> Any:
    own = {cursor_of(o) for o in firsts.get(lst.label, [])}
    for other in model.lists:
        if other is lst or other.cursor_is_integer != lst.cursor_is_integer:
            continue
        for obj in firsts.get(other.label, []):
            cursor = cursor_of(obj)
            if cursor is not None and cursor not in own:
                return cursor
    return None


def _probe_cursors(client, model, lst, full, firsts) -> None:
    client.ran(REFUSED, lst.label)
    unknown: Any = 10**9 if lst.cursor_is_integer else "contract_no_such_cursor"
    for param in ("starting_after", "starting_before"):
        _expect_refused(
            client, lst, REFUSED, f"Unknown {param} cursor accepted", **{param: unknown}
        )
        foreign = _foreign_cursor(model, lst, firsts)
        if foreign is not None:
            title = f"{param} cursor from another list accepted"
            _expect_refused(client, lst, REFUSED, title, **{param: foreign})
    if full and cursor_of(full[0]) is not None:
        own = cursor_of(full[0])
        title = "Both cursors at once accepted"
        _expect_refused(client, lst, REFUSED, title, starting_after=own, starting_before=own)


def _probe_identity(client: ProbeClient, lst: ListOperation, full: list[Any]) -> None:
    if lst.retrieve is None or not full:
        return
    client.ran(IDENTITY, lst.label)
    for obj in {id(o): o for o in full[:5] + full[-1:]}.values():
        path = lst.retrieve.path
        for name, pointer in lst.retrieve_params:
            value = pointer_get(obj, pointer)
            if value is None:
                client.fail(
                    IDENTITY,
                    None,
                    "Listed object lacks its retrieve key",
                    f"{pointer} missing in {obj!r:.200}",
                    operation=lst.label,
                )
                return
            path = path.replace("{" + name + "}", str(value))
        exchange = client.send(lst.retrieve.label, "GET", path)
        client.ran(IDENTITY, lst.retrieve.label)
        if exchange.status != 200 or exchange.json != obj:
            diff = _diff(obj, exchange.json) if exchange.status == 200 else exchange.text[:200]
            client.fail(
                IDENTITY,
                exchange,
                "Retrieve differs from the listed object",
                f"{lst.label} showed one object, {exchange.status} from retrieve: {diff}",
            )


def _diff(listed: Any, got: Any) -> str:
    if not isinstance(listed, dict) or not isinstance(got, dict):
        return repr(got)[:200]
    keys = sorted(k for k in set(listed) | set(got) if listed.get(k) != got.get(k))
    return ", ".join(f"{k}: {listed.get(k)!r:.60} != {got.get(k)!r:.60}" for k in keys[:6])


def probe_pagination(client: ProbeClient, model: ApiModel) -> None:
    """Run the pagination, cursor and identity probes on every list operation."""
    fulls: dict[str, list[Any]] = {}
    for lst in model.lists:
        try:
            fulls[lst.label] = list_all(client, lst, WALK)
        except ProbeFailed:
            continue
    for lst in model.lists:
        full = fulls.get(lst.label)
        if full is not None:
            _probe_list(client, model, lst, full, fulls)


def _probe_list(
    client: ProbeClient,
    model: ApiModel,
    lst: ListOperation,
    full: list[Any],
    fulls: dict[str, list[Any]],
) -> None:
    limit = max(1, min(7, len(full) // 3))
    steps = [
        lambda: _walk_forward(client, lst, full, limit),
        lambda: _walk_backward(client, lst, full, limit) if full else None,
        lambda: _probe_cursors(client, model, lst, full, fulls),
        lambda: _probe_identity(client, lst, full),
    ]
    if any(cursor_of(obj) is None for obj in full):
        client.ran(WALK, lst.label)
        exchange = client.send(lst.label, "GET", lst.path, params={"limit": 100})
        client.fail(
            WALK,
            exchange,
            "Listed objects have no `id`, the pagination cursor",
            "The spec makes `id` optional on this type (NOTES 14), but without it a client "
            "cannot page through the list with starting_after/starting_before.",
        )
        steps = steps[2:]
    for step in steps:
        try:
            step()
        except ProbeFailed:
            pass
