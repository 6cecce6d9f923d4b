"""The storage side of keyset pagination (spaces_toolkit.server.storage.pagination decides the
rest): how a list is selected, a cursor's `seq`, and the rows of one page, in `seq` order."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from ..database import Row, Transaction
from ..render import JSONObject

__all__ = ["ListSource", "cursor_seq", "page_rows"]


@dataclasses.dataclass(frozen=True)
class ListSource:
    """How to list one kind of object.

    `select` is `SELECT <columns> FROM <table> <alias> <joins>`; the alias's table has columns
    `seq`, `account_id` and the public id column `cursor_column`.
    """

    noun: str
    table: str
    alias: str
    select: str
    render: Callable[[Row], JSONObject]
    cursor_column: str = "id"
    where: str = ""  # extra condition on the listed rows, e.g. "r.deleted = 0"
    # Renders a whole page at once (e.g. sharing nested objects between items); default: `render`
    # on each row.
    render_page: Callable[[list[Row]], list[JSONObject]] | None = None


def cursor_seq(tx: Transaction, src: ListSource, account_id: int, cursor: Any) -> int | None:
    """The `seq` of the object of `account_id` whose public id is `cursor` (None: no such one;
    the row may be hidden by `src.where`: its position still holds)."""
    row = tx.one(
        f"SELECT seq FROM {src.table} WHERE account_id = ? AND {src.cursor_column} = ?",
        (account_id, cursor),
    )
    return None if row is None else int(row["seq"])


def page_rows(
    tx: Transaction,
    src: ListSource,
    account_id: int,
    *,
    below: int | None = None,
    above: int | None = None,
    limit: int,
) -> list[Row]:
    """Up to `limit` rows of `src` for `account_id`: newest first below `below` (or from the
    newest), or, with `above`, oldest first above it (the caller reverses those)."""
    a = src.alias
    conds = [f"{a}.account_id = ?"]
    params: list[Any] = [account_id]
    if src.where:
        conds.append(src.where)
    if below is not None:
        conds.append(f"{a}.seq < ?")
        params.append(below)
    elif above is not None:
        conds.append(f"{a}.seq > ?")
        params.append(above)
    order = "ASC" if above is not None and below is None else "DESC"
    sql = f"{src.select} WHERE {' AND '.join(conds)} ORDER BY {a}.seq {order} LIMIT ?"
    return tx.query(sql, [*params, limit])
