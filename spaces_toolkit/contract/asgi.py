"""A tiny ASGI seam for seeded faults: see each HTTP request and answer, change either.

`intercept(handler)` turns `async def handler(request, call) -> Answer` into a `wrap` for the
embedded server: `call(request)` runs the real application, so a handler can edit the request
before, the answer after, call it twice, or not at all. The real server code stays untouched.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode

__all__ = ["Request", "Answer", "Handler", "intercept", "walk_objects"]

ASGIApp = Callable[..., Awaitable[None]]


@dataclass(frozen=True)
class Request:
    scope: dict[str, Any]
    body: bytes
    query: tuple[tuple[str, str], ...] = ()

    @property
    def method(self) -> str:
        return str(self.scope["method"]).upper()

    @property
    def path(self) -> str:
        """The path below the API's prefix, /api/v1 (e.g. `/customers/abc`)."""
        from spaces_toolkit.server.settings import api_prefix

        path, prefix = str(self.scope["path"]), api_prefix()
        return path.split(prefix, 1)[1] if prefix in path else path

    def param(self, name: str) -> str | None:
        return next((v for k, v in self.query if k == name), None)

    def header(self, name: str) -> str | None:
        wanted = name.lower().encode()
        for key, value in self.scope.get("headers", []):
            if key.lower() == wanted:
                return value.decode("latin-1")
        return None

    def with_query(self, **changes: str | None) -> Request:
        query = [(k, v) for k, v in self.query if k not in changes]
        query += [(k, v) for k, v in changes.items() if v is not None]
        scope = dict(self.scope, query_string=urlencode(query).encode())
        return replace(self, scope=scope, query=tuple(query))

    def with_header(self, name: str, value: str | None) -> Request:
        lower = name.lower().encode()
        headers = [(k, v) for k, v in self.scope.get("headers", []) if k.lower() != lower]
        if value is not None:
            headers.append((lower, value.encode("latin-1")))
        return replace(self, scope=dict(self.scope, headers=headers))


@dataclass
class Answer:
    status: int
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytes = b""

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def header(self, name: str) -> str | None:
        wanted = name.lower().encode()
        return next((v.decode("latin-1") for k, v in self.headers if k.lower() == wanted), None)

    def with_header(self, name: str, value: str | None) -> Answer:
        lower = name.lower().encode()
        headers = [(k, v) for k, v in self.headers if k.lower() != lower]
        if value is not None:
            headers.append((lower, value.encode("latin-1")))
        return Answer(self.status, headers, self.body)

    def with_body(self, body: bytes, content_type: str | None = None) -> Answer:
        answer = Answer(self.status, list(self.headers), body)
        if content_type is not None:
            answer = answer.with_header("content-type", content_type)
        return answer.with_header("content-length", str(len(body)))

    def with_json(self, value: Any, status: int | None = None) -> Answer:
        answer = self.with_body(json.dumps(value).encode(), "application/json")
        answer.status = self.status if status is None else status
        return answer


Handler = Callable[[Request, Callable[[Request], Awaitable[Answer]]], Awaitable[Answer]]


def json_answer(status: int, value: Any) -> Answer:
    return Answer(status).with_json(value)


async def _call(app: ASGIApp, request: Request) -> Answer:
    answer = Answer(500)
    chunks: list[bytes] = []
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": request.body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer.status = message["status"]
            answer.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(request.scope, receive, send)
    answer.body = b"".join(chunks)
    return answer


def intercept(handler: Handler) -> Callable[[ASGIApp], ASGIApp]:
    """A `wrap` for run_embedded that routes every HTTP exchange through `handler`."""

    def wrap(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            body = b""
            while True:
                message = await receive()
                body += message.get("body", b"")
                if not message.get("more_body"):
                    break
            query = tuple(parse_qsl(scope.get("query_string", b"").decode("latin-1"), True))
            request = Request(scope=dict(scope), body=body, query=query)
            answer = await handler(request, lambda r: _call(app, r))
            await send(
                {"type": "http.response.start", "status": answer.status, "headers": answer.headers}
            )
            await send({"type": "http.response.body", "body": answer.body})

        return middleware

    return wrap


def walk_objects(value: Any, visit: Callable[[dict[str, Any]], None]) -> None:
    """Call `visit` on every JSON object inside `value`, depth first."""
    if isinstance(value, dict):
        visit(value)
        for item in list(value.values()):
            walk_objects(item, visit)
    elif isinstance(value, list):
        for item in value:
            walk_objects(item, visit)
