"""The ceiling of the stack: a bare ASGI app under the same uvicorn, answering every GET with a
fixed JSON body (the reference server's own answer, captured before the run), so the difference
to the reference server is what Starlette, routing, auth, SQLite and rendering cost.

Run as `python -m uvicorn bench.bare_app:app`; BENCH_BARE_LIST and BENCH_BARE_ITEM name files
holding the bodies for list paths (ending in /customers) and everything else."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

__all__ = ["app"]


def _body(var: str) -> bytes:
    name = os.environ.get(var)
    return Path(name).read_bytes() if name else b"{}"


_LIST = _body("BENCH_BARE_LIST")
_ITEM = _body("BENCH_BARE_ITEM")


def _start(body: bytes) -> dict[str, Any]:
    return {
        "type": "http.response.start",
        "status": 200,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
    }


_RESPONSES = {
    True: (_start(_LIST), {"type": "http.response.body", "body": _LIST}),
    False: (_start(_ITEM), {"type": "http.response.body", "body": _ITEM}),
}


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    start, body = _RESPONSES[scope["path"].endswith("/customers")]
    await send(start)
    await send(body)
