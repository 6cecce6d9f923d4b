"""Auto-pagination: forwards with starting_after, backwards with starting_before, async twin."""

from __future__ import annotations

import warnings
from typing import Any

import httpx
import pytest
from spaces_client import AsyncPage, PaginationError, PaginationWarning, SyncPage

from .conftest import Recorder, async_client, customer, event, page, space, sync_client


class PagedServer:
    """A list of objects in server order, paged as the spec says (limit, starting_after/before)."""

    def __init__(
        self, items: list[dict[str, Any]], default_limit: int = 2, key: str = "id"
    ) -> None:
        self.items = items
        self.default_limit = default_limit
        self.key = key  # the item field the server reads a cursor as
        self.queries: list[dict[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        query = dict(request.url.params)
        self.queries.append(query)
        limit = int(query.get("limit", self.default_limit))
        ids = [str(item.get(self.key)) for item in self.items]
        if "starting_after" in query:
            start = ids.index(query["starting_after"]) + 1
            chunk = self.items[start : start + limit]
            more = start + limit < len(self.items)
        elif "starting_before" in query:
            end = ids.index(query["starting_before"])
            start = max(0, end - limit)
            chunk = self.items[start:end]
            more = start > 0
        else:
            chunk = self.items[:limit]
            more = limit < len(self.items)
        return httpx.Response(200, json=page(chunk, has_more=more))


def _subscription(token: str, **extra: Any) -> dict[str, Any]:
    return {
        "object": "subscription",
        "token": token,
        "serial_number": 1,
        "created": 1410196578,
        "status": "active",
        "items": {"data": [], "count": 0},
        "total": 0,
        "currency": "USD",
        "customer": customer(1),
        **extra,
    }


def test_iterating_a_page_walks_every_page_with_the_last_id() -> None:
    server = PagedServer([customer(n) for n in range(5)])
    client = sync_client(server)
    first = client.customers.list(limit=2)
    assert isinstance(first, SyncPage)
    assert [c.id for c in first.data] == ["cus_0", "cus_1"]
    assert first.has_more is True
    assert [c.id for c in first] == [f"cus_{n}" for n in range(5)]
    assert server.queries == [
        {"limit": "2"},
        {"limit": "2", "starting_after": "cus_1"},
        {"limit": "2", "starting_after": "cus_3"},
    ]


def test_iter_pages_yields_each_page_once() -> None:
    client = sync_client(PagedServer([customer(n) for n in range(5)]))
    pages = list(client.customers.list(limit=2).iter_pages())
    assert [[c.id for c in p.data] for p in pages] == [
        ["cus_0", "cus_1"],
        ["cus_2", "cus_3"],
        ["cus_4"],
    ]
    assert [p.has_more for p in pages] == [True, True, False]


def test_starting_before_walks_backwards_with_the_first_id() -> None:
    server = PagedServer([customer(n) for n in range(6)])
    client = sync_client(server)
    seen = [c.id for c in client.customers.list(limit=2, starting_before="cus_5")]
    # items before cus_5, walking away from it: cus_4, cus_3, ... cus_0
    assert seen == ["cus_4", "cus_3", "cus_2", "cus_1", "cus_0"]
    assert [q.get("starting_before") for q in server.queries] == ["cus_5", "cus_3", "cus_1"]
    assert all("starting_after" not in q for q in server.queries)


def test_a_single_page_makes_a_single_request() -> None:
    server = PagedServer([customer(1)])
    assert [c.id for c in sync_client(server).customers.list()] == ["cus_1"]
    assert len(server.queries) == 1


def test_spaces_page_with_integer_cursors() -> None:
    server = PagedServer([space(n) for n in range(1, 6)])
    ids = [s.id for s in sync_client(server).spaces.list(limit=2)]
    assert ids == [1, 2, 3, 4, 5]
    assert server.queries[1] == {"limit": "2", "starting_after": "2"}


def test_a_missing_cursor_id_ends_the_walk_with_a_warning_instead_of_failing() -> None:
    # captured emails have only an optional id (spec/NOTES.md item 14): a docs-correct server
    # may send none, so the walk stops after the page it cannot page past, with a warning.
    email = {"object": "captured_email", "email": "a@example.com", "created": 1, "space": space()}
    recorder = Recorder(lambda request: httpx.Response(200, json=page([email], has_more=True)))
    first = sync_client(recorder).captured_emails.list()
    with pytest.warns(PaginationWarning, match="last item has no `id`"):
        walked = [e.email for e in first]
    assert walked == ["a@example.com"]
    assert len(recorder.requests) == 1
    assert not first.has_next_page() and first.has_more
    with pytest.raises(PaginationError, match="no `id`"):
        first.get_next_page()


def test_subscriptions_page_by_token_when_the_server_sends_no_id() -> None:
    # the declared cursor fields of GET /subscriptions are `id`, then `token` (NOTES 14)
    subs = [_subscription(f"sub_{n}") for n in range(5)]
    server = PagedServer(subs, key="token")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tokens = [s.token for s in sync_client(server).subscriptions.list(limit=2)]
    assert tokens == [f"sub_{n}" for n in range(5)]
    assert server.queries[1] == {"limit": "2", "starting_after": "sub_1"}


def test_an_id_is_preferred_to_the_token_when_both_are_sent() -> None:
    subs = [_subscription(f"tok_{n}", id=f"sub_{n}") for n in range(3)]
    server = PagedServer(subs)
    assert [s.id for s in sync_client(server).subscriptions.list(limit=2)] == [
        "sub_0",
        "sub_1",
        "sub_2",
    ]
    assert server.queries[1]["starting_after"] == "sub_1"


def test_a_server_repeating_the_same_cursor_is_stopped() -> None:
    def same_page(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=page([customer(1)], has_more=True))

    with pytest.raises(PaginationError, match="same page"):
        list(sync_client(same_page).customers.list())


def test_events_page_by_their_optional_id() -> None:
    events = [event("customer.created", {"object": customer(n)}, id=f"evt_{n}") for n in range(3)]
    ids = [e.id for e in sync_client(PagedServer(events)).events.list(limit=2)]
    assert ids == ["evt_0", "evt_1", "evt_2"]


def test_get_next_page_after_the_last_page_raises() -> None:
    last = sync_client(PagedServer([customer(1)])).customers.list()
    assert not last.has_next_page()
    with pytest.raises(PaginationError):
        last.get_next_page()


async def test_async_for_walks_every_page() -> None:
    server = PagedServer([customer(n) for n in range(5)])
    client = async_client(server)
    assert [c.id async for c in client.customers.list(limit=2)] == [f"cus_{n}" for n in range(5)]
    assert len(server.queries) == 3


async def test_async_list_awaits_to_the_first_page() -> None:
    client = async_client(PagedServer([customer(n) for n in range(5)]))
    first = await client.customers.list(limit=2)
    assert isinstance(first, AsyncPage)
    assert [c.id for c in first.data] == ["cus_0", "cus_1"]
    pages = [p async for p in first.iter_pages()]
    assert [len(p.data) for p in pages] == [2, 2, 1]


async def test_async_backwards_walk() -> None:
    client = async_client(PagedServer([customer(n) for n in range(4)]))
    seen = [c.id async for c in client.customers.list(limit=1, starting_before="cus_3")]
    assert seen == ["cus_2", "cus_1", "cus_0"]


async def test_async_iter_pages_without_awaiting_first() -> None:
    client = async_client(PagedServer([customer(n) for n in range(3)]))
    sizes = [len(p.data) async for p in client.customers.list(limit=2).iter_pages()]
    assert sizes == [2, 1]
