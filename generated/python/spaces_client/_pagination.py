# Generated from spec/openapi.yaml (sha256 306778f641634dc469368ec571533f12e75c3c435caa34b857bd49e88afaf895) by the generator.
# Do not edit: change the spec and run `make`.
"""Pages of a cursor-paginated list, iterable over every item of every page."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ._exceptions import PaginationError

__all__ = ["AsyncPage", "AsyncPaginator", "Cursor", "SyncPage"]

T = TypeVar("T")


@dataclass(frozen=True)
class Cursor:
    """How one list operation pages: which envelope, which query parameters, which item field."""

    envelope: Any  # the model of the list body, e.g. CustomerList
    after_param: str  # e.g. starting_after
    before_param: str | None = None  # e.g. starting_before
    cursor_attr: str = "id"  # the item field whose value is the next cursor
    items_attr: str = "data"
    has_more_attr: str = "has_more"


class _Page(Generic[T]):
    def __init__(self, envelope: Any, *, cursor: Cursor, query: Mapping[str, object]) -> None:
        self.envelope = envelope  # the parsed list body, with every field the server sent
        self.data: list[T] = list(getattr(envelope, cursor.items_attr))
        self.has_more: bool = bool(getattr(envelope, cursor.has_more_attr))
        self._cursor = cursor
        self._query = dict(query)

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
        return self.has_more and bool(self.data)

    def next_page_query(self) -> dict[str, object] | None:
        """The query of the next page in the walk's direction, or None after the last page."""
        if not self.has_next_page():
            return None
        cursor = self._cursor
        param = cursor.before_param if self.backwards else cursor.after_param
        assert param is not None
        item = self.data[0] if self.backwards else self.data[-1]
        value = getattr(item, cursor.cursor_attr, None)
        if value is None:
            raise PaginationError(
                f"cannot fetch the next page: the {'first' if self.backwards else 'last'} item "
                "of this page "
                f"has no `{cursor.cursor_attr}` to pass as `{param}` (has_more is true)"
            )
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

    def _walk_order(self) -> list[T]:
        """This page's items in the order of the walk: last to first when walking backwards."""
        return self.data[::-1] if self.backwards else list(self.data)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} items={len(self.data)} has_more={self.has_more}>"


class SyncPage(_Page[T]):
    """A page of a list. Iterating it yields every item of this page and of the following ones.

    The following pages are fetched with the last item's id as the after-cursor; a list asked for
    with the before-cursor walks backwards (first item's id), yielding each page's items last to
    first, so the walk moves steadily away from the cursor.
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
            raise PaginationError("this is the last page")
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
            raise PaginationError("this is the last page")
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
