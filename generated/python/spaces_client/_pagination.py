# Copied verbatim from generator/runtime/_pagination.py by the generator.
# Do not edit this copy: edit generator/runtime/_pagination.py and run `make`.
"""Pages of a cursor-paginated list, iterable over every item of every page."""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ._exceptions import PaginationError
from ._logs import logger

__all__ = ["AsyncPage", "AsyncPaginator", "Cursor", "PaginationWarning", "SyncPage"]

T = TypeVar("T")


class PaginationWarning(UserWarning):
    """A walk stopped early: the server said more items follow, but the page's edge item has
    no field the spec declares as its cursor (spec/NOTES.md 14: the docs give some listed
    objects no id). The items already fetched are all there is to iterate."""


@dataclass(frozen=True)
class Cursor:
    """How one list operation pages: which envelope, which query parameters, which item fields."""

    envelope: Any  # the model of the list body, e.g. CustomerList
    after_param: str  # e.g. starting_after
    before_param: str | None = None  # e.g. starting_before
    # The item fields whose value is a cursor, preferred first (the spec's `x-cursor-fields`):
    # an item's cursor is its first one present.
    cursor_attrs: tuple[str, ...] = ("id",)
    items_attr: str = "data"
    has_more_attr: str = "has_more"

    def of(self, item: Any) -> Any:
        """The cursor of one item, or None when it has none of the declared fields."""
        for attr in self.cursor_attrs:
            value = item.get(attr) if isinstance(item, Mapping) else getattr(item, attr, None)
            if value is not None:
                return value
        return None


class _Page(Generic[T]):
    request_id: str | None = None  # the server's id of the request that fetched this page
    retries_taken: int = 0  # how many times that request was retried before it succeeded

    def __init__(self, envelope: Any, *, cursor: Cursor, query: Mapping[str, object]) -> None:
        self.envelope = envelope  # the parsed list body, with every field the server sent
        self.data: list[T] = list(getattr(envelope, cursor.items_attr))
        self.has_more: bool = bool(getattr(envelope, cursor.has_more_attr))
        self._cursor = cursor
        self._query = dict(query)
        self._warned = False

    @property
    def backwards(self) -> bool:
        """True when the list was asked for with the before-cursor: pages then walk backwards."""
        before = self._cursor.before_param
        return (
            before is not None
            and self._query.get(before) is not None
            and self._query.get(self._cursor.after_param) is None
        )

    def has_next_page(self) -> bool:
        """Whether a following page can be fetched: the server says more follow, and the edge
        item has a cursor. When it has none, the walk stops here with a PaginationWarning
        (once per page) rather than fail: the docs give some listed objects no id."""
        if not (self.has_more and self.data):
            return False
        if self._cursor.of(self._edge) is not None:
            return True
        if not self._warned:
            self._warned = True
            names = " or ".join(f"`{a}`" for a in self._cursor.cursor_attrs)
            message = (
                f"stopping after this page: the server says more items follow, but the "
                f"{'first' if self.backwards else 'last'} item has no {names} to page from"
            )
            logger.warning(message)
            warnings.warn(message, PaginationWarning, stacklevel=3)
        return False

    @property
    def _edge(self) -> Any:
        """The item the next page's cursor comes from (last, or first walking backwards)."""
        return self.data[0] if self.backwards else self.data[-1]

    def next_page_query(self) -> dict[str, object] | None:
        """The query of the next page in the walk's direction, or None after the last page
        (or when the edge item has no cursor)."""
        if not self.has_next_page():
            return None
        cursor = self._cursor
        param = cursor.before_param if self.backwards else cursor.after_param
        assert param is not None
        value = cursor.of(self._edge)
        if value == self._query.get(param):
            raise PaginationError(
                f"the server returned the same page again (`{param}={value}`); stopping"
            )
        query = {
            k: v
            for k, v in self._query.items()
            if k not in (cursor.after_param, cursor.before_param)
        }
        query[param] = value
        return query

    def _no_next_page(self) -> str:
        if self.has_more and self.data:
            names = " or ".join(f"`{a}`" for a in self._cursor.cursor_attrs)
            return f"cannot fetch the next page: the edge item of this page has no {names}"
        return "this is the last page"

    def _walk_order(self) -> list[T]:
        """This page's items in the order of the walk: last to first when walking backwards."""
        return self.data[::-1] if self.backwards else list(self.data)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} items={len(self.data)} has_more={self.has_more}>"


class SyncPage(_Page[T]):
    """A page of a list. Iterating it yields every item of this page and of the following ones.

    The following pages are fetched with the last item's cursor (its first present field of
    the declared cursor fields: `id`, or a subscription's `token`) as the after-cursor; a list
    asked for with the before-cursor walks backwards (the first item's), yielding each page's
    items last to first, so the walk moves steadily away from the cursor. A page whose edge
    item has no cursor ends the walk with a PaginationWarning.
    """

    def __init__(
        self,
        envelope: Any,
        *,
        cursor: Cursor,
        query: Mapping[str, object],
        fetch: Callable[[Mapping[str, object]], SyncPage[T]],
    ) -> None:
        super().__init__(envelope, cursor=cursor, query=query)
        self._fetch = fetch

    def get_next_page(self) -> SyncPage[T]:
        query = self.next_page_query()
        if query is None:
            raise PaginationError(self._no_next_page())
        return self._fetch(query)

    def iter_pages(self) -> Iterator[SyncPage[T]]:
        """This page and every following one."""
        page = self
        yield page
        while page.has_next_page():
            page = page.get_next_page()
            yield page

    def __iter__(self) -> Iterator[T]:
        for page in self.iter_pages():
            yield from page._walk_order()


class AsyncPage(_Page[T]):
    """The async twin of SyncPage: `async for item in page`, `async for p in page.iter_pages()`."""

    def __init__(
        self,
        envelope: Any,
        *,
        cursor: Cursor,
        query: Mapping[str, object],
        fetch: Callable[[Mapping[str, object]], Awaitable[AsyncPage[T]]],
    ) -> None:
        super().__init__(envelope, cursor=cursor, query=query)
        self._fetch = fetch

    async def get_next_page(self) -> AsyncPage[T]:
        query = self.next_page_query()
        if query is None:
            raise PaginationError(self._no_next_page())
        return await self._fetch(query)

    async def iter_pages(self) -> AsyncIterator[AsyncPage[T]]:
        page = self
        yield page
        while page.has_next_page():
            page = await page.get_next_page()
            yield page

    async def _items(self) -> AsyncIterator[T]:
        async for page in self.iter_pages():
            for item in page._walk_order():
                yield item

    def __aiter__(self) -> AsyncIterator[T]:
        return self._items()


class AsyncPaginator(Generic[T]):
    """What an async list method returns: await it for the first page, or `async for` all items."""

    def __init__(self, first_page: Callable[[], Awaitable[AsyncPage[T]]]) -> None:
        self._first_page = first_page

    def __await__(self) -> Generator[Any, None, AsyncPage[T]]:
        return self._first_page().__await__()

    async def iter_pages(self) -> AsyncIterator[AsyncPage[T]]:
        """The first page and every following one."""
        page = await self._first_page()
        async for each in page.iter_pages():
            yield each

    async def _items(self) -> AsyncIterator[T]:
        page = await self._first_page()
        async for item in page:
            yield item

    def __aiter__(self) -> AsyncIterator[T]:
        return self._items()
