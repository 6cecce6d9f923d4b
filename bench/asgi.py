"""Calling an ASGI app in-process without a socket or an HTTP client: the cost measured is the
app's own (routing, auth, validation, SQLite, rendering, JSON)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

__all__ = ["get", "timed_gets"]


async def get(app: Any, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    """One GET through the app: (status, body)."""
    parts = urlsplit(path)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": parts.path,
        "raw_path": parts.path.encode(),
        "query_string": parts.query.encode(),
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
        "state": {},
    }
    status = 0
    body = bytearray()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            body.extend(message.get("body", b""))

    await app(scope, receive, send)
    return status, bytes(body)


def timed_gets(
    app: Any, paths: Sequence[str], headers: dict[str, str], count: int
) -> dict[str, list[float]]:
    """Seconds per GET for each path, `count` times each, round-robin; fails on a non-200."""
    times: dict[str, list[float]] = {p: [] for p in paths}

    async def main() -> None:
        for _ in range(count):
            for path in paths:
                t0 = time.perf_counter()
                status, body = await get(app, path, headers)
                times[path].append(time.perf_counter() - t0)
                if status != 200:
                    raise RuntimeError(f"GET {path}: {status} {body[:200]!r}")

    asyncio.run(main())
    return times
