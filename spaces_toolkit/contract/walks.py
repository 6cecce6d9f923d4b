"""Pagination probes: walk every list forwards and backwards, and try cursors that must be refused.

Correct at any list length: each walk sends at most `budget` pages; a list not walked to its end
within them is a notice, never a failure. A failure needs evidence the server itself gave:
an object visited twice, `has_more` true on an empty page, a page larger than `limit`, an object
the list shows that the walk stepped over, two objects in the opposite order from the list's,
or `has_more` false while the list (or the walk the other way) shows more objects. Short pages are
valid: `limit` is an upper bound.

Checks (names as they appear in reports):
- `pagination_walk`: the forward cursor visits the list's objects once each, in list order.
- `pagination_backward`: the backward cursor walks back through the same objects.
- `cursor_refused`: a cursor taken from another list, an unknown cursor, and both cursors at once
  are answered 400 with a JSON `message` (a 404 for a cursor naming nothing deviates from
  decision 56 only; `grading.RULES`).
- `list_retrieve_identity`: retrieving a sampled listed object returns the object the list showed.
"""

from __future__ import annotations

import math
from typing import Any

from spaces_toolkit.contract.apispec import CheckedApi, ListWalk
from spaces_toolkit.contract.defaults import DEFAULT_WALK_BUDGET
from spaces_toolkit.contract.grading import RULES, deviation_for
from spaces_toolkit.contract.http import Exchange, ProbeClient, ProbeFailed
from spaces_toolkit.contract.listing import Prefix, error_problem, page, pointer_get, read_prefix

__all__ = ["DEFAULT_WALK_BUDGET", "probe_pagination", "order_problem"]

WALK = "pagination_walk"
BACK = "pagination_backward"
REFUSED = "cursor_refused"
IDENTITY = "list_retrieve_identity"
BOUNDARY = "has_more_boundary"
ENVELOPE = "pagination_envelope"
WALK_PAGE = 7  # the small page size the walks use, so that even short lists take several pages
SAMPLE = 5


def order_problem(reference: list[Any], walked: list[Any]) -> str | None:
    """Evidence that a walk disagrees with the list's order: it stepped over an object the list
    shows between two it visited, or visited two of them in the opposite order. Objects the
    reference does not hold (created since it was read) are no evidence either way."""
    where = {c: i for i, c in enumerate(reference)}
    last = -1
    reached = [where[c] for c in walked if c in where]
    for c, i in zip([c for c in walked if c in where], reached, strict=True):
        if i < last:
            return f"{c!r} came after {reference[last]!r}, but the list shows it before"
        last = i
    if reached:
        visited = set(walked)
        skipped = [c for c in reference[: max(reached)] if c not in visited]
        if skipped:
            return f"stepped over {len(skipped)} listed objects, e.g. {skipped[:5]}"
    return None


def _walk_forward(
    client: ProbeClient,
    lst: ListWalk,
    ref: Prefix,
    limit: int,
    budget: int,
    check: str = WALK,
) -> list[Any] | None:
    """The cursors the forward walk visited (None after a failure)."""
    client.ran(check, lst.label)
    reference = [lst.cursor_of(o) for o in ref.objects]
    walked: list[Any] = []
    seen: set[Any] = set()
    cursor = None
    for n in range(1, budget + 1):
        exchange, data, more = page(client, lst, check, limit=limit, after=cursor)
        if more and not data:
            client.fail(
                check, exchange, "has_more is true on an empty page", "The walk cannot end."
            )
            return None
        if n > 1 and not data:
            title = "has_more was true, but the next page is empty"
            detail = (
                f"page {n - 1} of a walk with {_plural(limit)} per page said has_more: true after "
                f"{walked[-1]!r}; the page after it holds nothing (an off-by-one at the last page)"
            )
            client.fail(check, exchange, title, detail)
            return None
        for obj in data:
            c = lst.cursor_of(obj)
            if c is None:
                client.fail(check, exchange, "Listed object has no cursor", _no_cursor(lst))
                return None
            if c in seen:
                title = "Object visited twice"
                client.fail(check, exchange, title, f"{c!r} again on page {n} of the walk")
                return None
            seen.add(c)
            walked.append(c)
        if problem := order_problem(reference, walked):
            client.fail(check, exchange, "Walk does not follow the list", _where(n, limit, problem))
            return None
        if not more:
            rest = _after_last(reference, walked)
            if rest:
                title = "has_more is false before the end"
                detail = f"page {n} ends at {walked[-1]!r}; the list shows {rest} more after it"
                client.fail(check, exchange, title, detail)
                return None
            return walked
        cursor = walked[-1]
    client.result.notes.append(
        f"{lst.label}: the forward walk visited {len(walked)} objects in {budget} pages of "
        f"{limit} without reaching the end (--walk-budget {budget}); the rest was not walked"
    )
    return walked


def _after_last(reference: list[Any], walked: list[Any]) -> int:
    """How many objects the reference shows after the walk's last one (0 if it is not there)."""
    if walked and walked[-1] in reference:
        return len(reference) - 1 - reference.index(walked[-1])
    return 0


def _where(n: int, limit: int, problem: str) -> str:
    return f"On page {n} of a walk with {_plural(limit)} per page: {problem}"


def _plural(limit: int) -> str:
    return f"{limit} object" + ("s" if limit != 1 else "")


def _no_cursor(lst: ListWalk) -> str:
    return (
        f"A listed object lacks `{lst.cursor_field}`, the pagination cursor: a client cannot "
        f"page through the list with {' / '.join(lst.cursors)}."
    )


def _walk_backward(
    client: ProbeClient, lst: ListWalk, walked: list[Any], limit: int, budget: int
) -> None:
    """From the last object the forward walk reached, back to the first: the same objects."""
    if lst.before is None or not walked:
        return
    client.ran(BACK, lst.label)
    expected = walked[:-1]  # what lies before the start object, in list order
    back: list[Any] = []
    cursor = walked[-1]
    for n in range(1, budget + 1):
        exchange, data, more = page(client, lst, BACK, limit=limit, before=cursor)
        if more and not data:
            client.fail(BACK, exchange, "has_more is true on an empty page", "Walking back.")
            return
        if not data:
            if len(back) < len(expected):
                title = f"Walking back with {lst.before} ends before the start"
                detail = (
                    f"the page before {cursor!r} is empty; the forward walk showed "
                    f"{len(expected) - len(back)} objects before it, e.g. "
                    f"{expected[len(expected) - len(back) - 1]!r}"
                )
                client.fail(BACK, exchange, title, detail)
            return
        cursors = [lst.cursor_of(o) for o in data]
        if None in cursors:
            client.fail(BACK, exchange, "Listed object has no cursor", _no_cursor(lst))
            return
        if set(cursors) & set(back) or len(set(cursors)) < len(cursors):
            client.fail(BACK, exchange, "Object visited twice walking back", f"page {n}")
            return
        back = cursors + back
        if len(back) <= len(expected):
            if back != expected[len(expected) - len(back) :]:
                shown = expected[len(expected) - len(back) :]
                problem = f"got {back[:4]}..., where the forward walk showed {shown[:4]}..."
                title = f"Walking back with {lst.before} does not retrace the walk"
                client.fail(BACK, exchange, title, _where(n, limit, problem))
                return
            if not more:
                if len(back) < len(expected):
                    title = "has_more is false before the start"
                    detail = (
                        f"walking back reached {back[0]!r}; the forward walk showed "
                        f"{len(expected) - len(back)} objects before it"
                    )
                    client.fail(BACK, exchange, title, detail)
                return
        else:
            return  # objects before the first page: created since the walk (no evidence)
        cursor = back[0]
        if len(back) == len(expected) and more:
            # Back at the first page, yet has_more: whatever the next page holds is new.
            exchange, data, more = page(client, lst, BACK, limit=limit, before=cursor)
            if more and not data:
                client.fail(BACK, exchange, "has_more is true on an empty page", "Walking back.")
            return
    client.result.notes.append(
        f"{lst.label}: the backward walk did not get back to the start in {budget} pages "
        f"(--walk-budget {budget})"
    )


def _expect_refused(
    client: ProbeClient,
    model: CheckedApi,
    lst: ListWalk,
    title: str,
    params: dict[str, Any],
    rule: str | None = None,
) -> None:
    """A 400 with a JSON `message`. With `rule` (a decided behaviour of `grading.RULES`), an
    answer other than 400 is a deviation from that decision, not a failure."""
    exchange = client.send(lst.label, "GET", lst.path, params=params)
    decision = None
    if rule is not None:
        decision = deviation_for(model.spec, RULES[rule], exchange.status)
    if exchange.status != 400:
        detail = f"Expected 400, got {exchange.status}"
        if decision is not None and rule is not None:
            detail += f" ({RULES[rule].what}: a decision of the spec, not the docs)"
        client.fail(REFUSED, exchange, title, detail, decision=decision)
        if (
            decision is not None
            and exchange.status >= 400
            and (problem := error_problem(exchange, model.error_message))
        ):
            client.fail(REFUSED, exchange, "Error answer is not JSON with a message", problem)
    elif problem := error_problem(exchange, model.error_message):
        client.fail(REFUSED, exchange, "Error answer is not JSON with a message", problem)


def _foreign_cursor(model: CheckedApi, lst: ListWalk, prefixes: dict[str, Prefix]) -> Any:
    """A cursor of another list (of the same cursor type) that this list has not shown."""
    own = {lst.cursor_of(o) for o in prefixes[lst.label].objects}
    for other in model.lists:
        if other is lst or other.cursor_is_integer != lst.cursor_is_integer:
            continue
        if other.cursor_is_integer:
            continue  # integer ids may run from 1 in every list: no cursor is foreign for sure
        for obj in prefixes.get(other.label, Prefix((), True, 0)).objects:
            cursor = other.cursor_of(obj)
            if cursor is not None and cursor not in own:
                return cursor
    return None


def _unknown_cursor(lst: ListWalk) -> Any:
    if lst.cursor_is_integer:
        # The largest cursor the spec allows: valid by the schema, named by no object.
        return lst.cursor_maximum if lst.cursor_maximum is not None else 2**31 - 1
    return "contract_no_such_cursor"


def _probe_cursors(
    client: ProbeClient, model: CheckedApi, lst: ListWalk, prefixes: dict[str, Prefix]
) -> None:
    client.ran(REFUSED, lst.label)
    foreign = _foreign_cursor(model, lst, prefixes)
    for param in lst.cursors:
        title = f"Unknown {param} cursor accepted"
        _expect_refused(client, model, lst, title, {param: _unknown_cursor(lst)}, "unknown_cursor")
        if not lst.cursor_is_integer:
            title = f"Empty {param} cursor accepted"
            _expect_refused(client, model, lst, title, {param: ""}, "empty_cursor")
        if foreign is not None:
            title = f"{param} cursor from another list accepted"
            _expect_refused(client, model, lst, title, {param: foreign}, "unknown_cursor")
    objects = prefixes[lst.label].objects
    own = lst.cursor_of(objects[0]) if objects else None
    if own is not None and lst.before is not None:
        title = "Both cursors at once accepted"
        params = {lst.after: own, lst.before: own}
        _expect_refused(client, model, lst, title, params, "both_cursors")


def _probe_identity(client: ProbeClient, lst: ListWalk, prefix: Prefix) -> None:
    """Retrieve a sample of listed objects (the first few and the last read)."""
    objects = list(prefix.objects)
    if lst.retrieve is None or not objects:
        return
    client.ran(IDENTITY, lst.label)
    for obj in _sample(objects):
        path = lst.retrieve.path
        for name, pointer in lst.retrieve_params:
            value = pointer_get(obj, pointer)
            if value is None:
                detail = f"{pointer} missing in {obj!r:.200}"
                title = "Listed object lacks its retrieve key"
                client.fail(IDENTITY, None, title, detail, operation=lst.label)
                return
            path = path.replace("{" + name + "}", str(value))
        exchange = client.send(lst.retrieve.label, "GET", path)
        client.ran(IDENTITY, lst.retrieve.label)
        client.result.coverage.link_followed(lst.label, lst.link_name)
        if exchange.status != 200 or exchange.json != obj:
            _identity_failure(client, lst, obj, exchange)


def _sample(objects: list[Any]) -> list[Any]:
    """The first few and the last object, and objects whose fields are null in other places
    than any sampled before (so both shapes of a nullable field get retrieved)."""
    chosen = {id(o): o for o in objects[:SAMPLE] + objects[-1:]}
    shapes = {_null_shape(o) for o in chosen.values()}
    for obj in objects:
        if len(chosen) >= 3 * SAMPLE:
            break
        if (shape := _null_shape(obj)) not in shapes:
            shapes.add(shape)
            chosen[id(obj)] = obj
    return list(chosen.values())


def _null_shape(obj: Any) -> frozenset[str]:
    return (
        frozenset(k for k, v in obj.items() if v is None) if isinstance(obj, dict) else frozenset()
    )


def _identity_failure(client: ProbeClient, lst: ListWalk, obj: Any, ex: Exchange) -> None:
    diff = _diff(obj, ex.json) if ex.status == 200 else ex.text[:200]
    detail = f"{lst.label} showed one object, {ex.status} from retrieve: {diff}"
    client.fail(IDENTITY, ex, "Retrieve differs from the listed object", detail)


def _diff(listed: Any, got: Any) -> str:
    if not isinstance(listed, dict) or not isinstance(got, dict):
        return repr(got)[:200]
    keys = sorted(k for k in set(listed) | set(got) if listed.get(k) != got.get(k))
    return ", ".join(f"{k}: {listed.get(k)!r:.60} != {got.get(k)!r:.60}" for k in keys[:6])


def _walk_limit(lst: ListWalk, ref: Prefix) -> int:
    """Small pages, so that even a short list takes several; within the spec's bounds."""
    size = WALK_PAGE if not ref.complete else max(1, min(WALK_PAGE, len(ref.objects) // 3))
    return max(lst.limit.minimum, min(size, lst.limit.maximum))


def probe_pagination(client: ProbeClient, model: CheckedApi, budget: int) -> None:
    """Run the pagination, cursor and identity probes on every list operation."""
    prefixes: dict[str, Prefix] = {}
    for lst in model.lists:
        # Enough of the list to judge a walk of `budget` small pages against.
        pages = math.ceil(budget * WALK_PAGE / lst.limit.maximum) + 1
        try:
            prefixes[lst.label] = read_prefix(client, lst, WALK, min(pages, budget))
        except ProbeFailed:
            continue
    for lst in model.lists:
        if lst.label in prefixes:
            _probe_list(client, model, lst, prefixes, budget)


def _probe_list(
    client: ProbeClient,
    model: CheckedApi,
    lst: ListWalk,
    prefixes: dict[str, Prefix],
    budget: int,
) -> None:
    ref = prefixes[lst.label]
    limit = _walk_limit(lst, ref)
    if any(lst.cursor_of(obj) is None for obj in ref.objects):
        try:
            _not_walkable(client, lst, ref)
        except ProbeFailed:
            pass  # recorded; the other lists are still probed
    else:
        try:
            walked = _walk_forward(client, lst, ref, limit, budget)
            if walked is not None:
                _walk_backward(client, lst, walked, limit, budget)
        except ProbeFailed:
            pass
        try:
            _walk_boundaries(client, lst, ref, budget)
        except ProbeFailed:
            pass
    for step in (_probe_cursors, _probe_identity):
        try:
            if step is _probe_cursors:
                _probe_cursors(client, model, lst, prefixes)
            else:
                _probe_identity(client, lst, ref)
        except ProbeFailed:
            pass


def _walk_boundaries(client: ProbeClient, lst: ListWalk, ref: Prefix, budget: int) -> None:
    """Walk at `limit` = the list's length and length - 1, so that a page ends exactly where
    the list does: `has_more` must then be false, or the next page must hold something."""
    if not ref.complete:
        return
    size = len(ref.objects)
    for limit in sorted({size, size - 1}, reverse=True):
        if lst.limit.minimum <= limit <= lst.limit.maximum:
            if _walk_forward(client, lst, ref, limit, budget, BOUNDARY) is None:
                return


def _not_walkable(client: ProbeClient, lst: ListWalk, ref: Prefix) -> None:
    """Objects without a usable cursor: no walk is possible, which the docs allow (the spec
    declares the cursor field per list). What can be checked is: the envelope, `limit` on the
    first page, and `has_more` against what a larger page shows."""
    fields = " or ".join(f"`{f}`" for f in lst.cursor_fields)
    client.notice(
        f"{lst.label}: not walkable: its objects carry no usable cursor ({fields}); "
        "checked for the envelope, `limit` and `has_more` on the first pages only"
    )
    client.ran(ENVELOPE, lst.label)
    shown = len(ref.objects)
    for limit in sorted({lst.limit.minimum, min(max(shown - 1, 1), lst.limit.maximum)}):
        exchange, data, more = page(client, lst, ENVELOPE, limit=limit)
        if not more and shown > len(data):
            title = "has_more is false while the list shows more"
            detail = (
                f"{lst.limit.name}={limit}: {len(data)} objects, but a larger page shows {shown}"
            )
            client.fail(ENVELOPE, exchange, title, detail)
            return
