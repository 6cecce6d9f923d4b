"""Fixtures for behaviour tests of the generated client (generated/python, on pytest's path).

Every test talks to an in-process httpx.MockTransport: no sockets, no sleeping (the retry
sleeps are recorded instead of waited for).
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from spaces_client import AsyncSpacesClient, SpacesClient

TOKEN = "tok_live_DO_NOT_LOG_0123456789"
Handler = Callable[[httpx.Request], httpx.Response]


def space(n: int = 1) -> dict[str, Any]:
    return {"object": "space", "id": n, "created": 1410196557, "url": None}


def customer(n: int | str = 1, **extra: Any) -> dict[str, Any]:
    ident = n if isinstance(n, str) else f"cus_{n}"
    return {
        "object": "customer",
        "id": ident,
        "name": "John Doe",
        "email": "test@example.com",
        "created": 1410196557,
        "space": space(),
        **extra,
    }


def page(items: list[dict[str, Any]], has_more: bool = False, **extra: Any) -> dict[str, Any]:
    return {"object": "list", "data": items, "has_more": has_more, "count": len(items), **extra}


def event(type_: str, data: Any, **extra: Any) -> dict[str, Any]:
    return {"object": "event", "created": 1410196574, "type": type_, "data": data, **extra}


class Recorder:
    """A MockTransport handler that records every request and answers from `respond`."""

    def __init__(self, respond: Handler | list[httpx.Response | Exception]) -> None:
        self.requests: list[httpx.Request] = []
        self._respond = respond

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if callable(self._respond):
            return self._respond(request)
        answer = self._respond.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def sync_client(handler: Handler, **kwargs: Any) -> SpacesClient:
    kwargs.setdefault("access_token", TOKEN)
    return SpacesClient(http_client=httpx.Client(transport=httpx.MockTransport(handler)), **kwargs)


def async_client(handler: Handler, **kwargs: Any) -> AsyncSpacesClient:
    kwargs.setdefault("access_token", TOKEN)
    return AsyncSpacesClient(
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)), **kwargs
    )


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SPACES_ACCESS_TOKEN", "SPACES_BASE_URL", "SPACES_LOG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """Retry delays, recorded instead of slept (sync and async clients)."""
    import spaces_client._async_client as async_mod
    import spaces_client._sync_client as sync_mod

    recorded: list[float] = []

    async def async_sleep(delay: float) -> None:
        recorded.append(delay)

    monkeypatch.setattr(sync_mod, "time", types.SimpleNamespace(sleep=recorded.append))
    monkeypatch.setattr(async_mod, "_sleep", async_sleep)
    yield recorded
