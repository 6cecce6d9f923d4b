"""The ceiling of the stack: a bare ASGI app under the same uvicorn, answering each GET with a
fixed JSON body (the reference server's own answer to the same URL, captured before the run),
so the difference to the reference server is what Starlette, routing, auth, SQLite and
rendering cost.

Run as `python -m uvicorn bench.bare_app:app`; BENCH_BARE_BODIES names a JSON file mapping
request targets ("/api/v1/customers?limit=20") to files holding the bodies."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

__all__ = ["app", "load_responses"]

Message = dict[str, Any]


def load_responses(index: str | None) -> dict[str, tuple[Message, Message]]:
    """Request target → (response start, response body) messages."""
    targets = json.loads(Path(index).read_text(encoding="utf-8")) if index else {}
    out = {}
    for target, body_file in targets.items():
        body = Path(body_file).read_bytes()
        start = {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
        out[target] = (start, {"type": "http.response.body", "body": body})
    return out


_RESPONSES = load_responses(os.environ.get("BENCH_BARE_BODIES"))
_NOT_FOUND = (
    {"type": "http.response.start", "status": 404, "headers": [(b"content-length", b"2")]},
    {"type": "http.response.body", "body": b"{}"},
)


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    target = scope["path"]
    if scope["query_string"]:
        target += "?" + scope["query_string"].decode("latin-1")
    start, body = _RESPONSES.get(target, _NOT_FOUND)
    await send(start)
    await send(body)
