"""Keyset pagination: every list is ordered by `seq` descending (newest first; `seq` is unique,
so the order is total and stable). A cursor is an object's public id; it is turned into its `seq`
with one indexed lookup, and the page is a range scan on (account_id, seq) — the same cost on
page 1,000 as on page 1, and no object is seen twice while walking. The SQL is the storage
layer's (repo/pages.py: `ListSource`, the cursor lookup and the page's rows)."""

from __future__ import annotations

import dataclasses
from typing import Any

from ...spec import ListOperation
from ..problems import ApiError
from .database import Transaction
from .render import JSONObject, page
from .repo.pages import ListSource, cursor_seq, page_rows

__all__ = ["PageRequest", "fetch_page"]


@dataclasses.dataclass(frozen=True)
class PageRequest:
    """The validated pagination arguments of a list call. Parameter names and the default page
    size are the spec's (its list operation, from the spec model), not this module's."""

    limit: int
    after: Any = None
    before: Any = None
    after_name: str = "after"  # the cursor parameters' names, for error messages
    before_name: str = "before"

    @classmethod
    def from_query(cls, query: dict[str, Any], listing: ListOperation) -> PageRequest:
        after_name = listing.after.name
        before_name = listing.before.name if listing.before else ""
        after, before = query.get(after_name), query.get(before_name) if before_name else None
        if after is not None and before is not None:
            raise ApiError.bad_request(
                f"{after_name} and {before_name} cannot be combined; pass at most one cursor"
            )
        limit = listing.limit
        if limit is None:
            raise ValueError(f"{listing.label}: the spec gives this list no page-size parameter")
        size = query.get(limit.name, limit.default)
        return cls(int(size), after, before, after_name, before_name)


def _cursor_seq(tx: Transaction, src: ListSource, account_id: int, name: str, value: Any) -> int:
    seq = cursor_seq(tx, src, account_id, value)
    if seq is None:
        article = "an" if src.noun[0].lower() in "aeiou" else "a"
        raise ApiError.bad_request(
            f"Invalid {name}: {value!r} is not the id of {article} {src.noun} in this list"
        )
    return seq


def fetch_page(tx: Transaction, src: ListSource, account_id: int, req: PageRequest) -> JSONObject:
    """One page of `src` for `account_id`, rendered in list order with `has_more`."""
    backwards = req.before is not None
    below = above = None
    if req.after is not None:
        below = _cursor_seq(tx, src, account_id, req.after_name, req.after)
    elif backwards:
        above = _cursor_seq(tx, src, account_id, req.before_name, req.before)
    rows = page_rows(tx, src, account_id, below=below, above=above, limit=req.limit + 1)
    has_more = len(rows) > req.limit
    rows = rows[: req.limit]
    if backwards:
        rows.reverse()
    if src.render_page is not None:
        return page(src.render_page(rows), has_more)
    return page([src.render(r) for r in rows], has_more)
