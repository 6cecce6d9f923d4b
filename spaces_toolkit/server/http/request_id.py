"""A fresh id on every answer, in the response header the spec declares for it (spec/NOTES.md
47), so that a client can name the request when something goes wrong."""

from __future__ import annotations

import functools
import secrets

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ...spec import default_spec

__all__ = ["RequestId", "request_id_header"]


@functools.cache
def request_id_header() -> str | None:
    """The response header the spec declares for request ids (a name ending in `request-id`)."""
    names = {
        header.name
        for op in default_spec().operations
        for response in op.responses
        for header in response.headers
        if header.name.lower().endswith("request-id")
    }
    return min(names, default=None)


class RequestId:
    """Pure ASGI middleware (no per-request objects beyond the id): adds `Request-Id: req_…` to
    every HTTP answer, errors and injected faults included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        name = request_id_header()
        self.header = name.lower().encode("latin-1") if name else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.header is None:
            await self.app(scope, receive, send)
            return
        header = (self.header, b"req_" + secrets.token_hex(12).encode("ascii"))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), header]}
            await send(message)

        await self.app(scope, receive, send_with_id)
