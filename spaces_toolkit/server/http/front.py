"""The app's outermost layer, one pure ASGI callable in front of Starlette's stack:

- a fresh `Request-Id` (the header the spec declares for it, spec/NOTES.md 47) on every HTTP
  answer: errors, injected faults, CORS preflights and Starlette's own 500s included;
- HEAD answered wherever GET is: the GET's status and headers (Content-Length included), no
  body; a 405's `Allow` lists HEAD next to GET (the API's routes, built from the spec, declare
  GET only);
- a request to one of the API's own paths is handed straight to its endpoint
  (routing.PathEndpoint) when nothing else would have run in between (no CORS, faults or
  `--require-https` configured, no root path): the route found as Starlette's router finds it
  (the API's routes come first in its list), without Starlette's error, exception and routing
  layers, which an endpoint does not need (it answers its own errors, a 500 included).
  Everything else goes through the whole stack.

Profiled under wrk (bench 4), the five layers this replaces (RequestId, HeadAsGet, Starlette's
ServerErrorMiddleware, ExceptionMiddleware and router), each with its own wrapper of `send`,
were ~10 µs of a GET's server CPU."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..problems import error_response
from .request_id import RequestIds, request_id_header

__all__ = ["FrontDoor"]

log = logging.getLogger("spaces.server")


class FrontDoor:
    def __init__(self, app: ASGIApp, api_routes: Sequence[Route], *, direct: bool) -> None:
        """`app`: Starlette's stack. `api_routes`: the API's routes (the first of the router's),
        whose endpoints may be called directly when `direct`."""
        self.app = app
        name = request_id_header()
        self._header = name.lower().encode("latin-1") if name else None
        self._ids = RequestIds()
        self._static: dict[str, ASGIApp] = {}
        self._patterns: list[Route] = []
        # A route with methods of its own has its check in Route.handle, not here.
        direct = direct and all(route.methods is None for route in api_routes)
        if direct:
            # Starlette's router takes the first route that matches, in order: a path is found
            # in `_static` unless a route with parameters before it matches it too.
            for route in api_routes:
                if route.param_convertors:
                    self._patterns.append(route)
                elif not any(p.path_regex.match(route.path) for p in self._patterns):
                    self._static.setdefault(route.path, route.app)
        self._direct = direct

    def _endpoint(self, scope: Scope) -> ASGIApp | None:
        """The API endpoint for the request's path, with `path_params` set as Starlette's
        router sets them; None: not an API path (or one Starlette's stack must see)."""
        if not self._direct or scope.get("root_path"):
            return None
        path = scope["path"]
        endpoint = self._static.get(path)
        if endpoint is not None:
            scope["path_params"] = {}
            return endpoint
        for route in self._patterns:
            match = route.path_regex.match(path)
            if match is not None:
                convertors = route.param_convertors
                scope["path_params"] = {
                    key: convertors[key].convert(value) for key, value in match.groupdict().items()
                }
                return route.app
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = self._header
        request_id = (header, self._ids.next()) if header is not None else None
        head = scope["method"] == "HEAD"
        started = False

        async def answer(message: Message) -> None:
            nonlocal started
            kind = message["type"]
            if kind == "http.response.start":
                started = True
                headers = [*message.get("headers", ())]
                if request_id is not None:
                    headers.append(request_id)
                if message["status"] == 405:
                    headers = _allow_head(headers)
                message = {**message, "headers": headers}
            elif head and kind == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        if head:
            scope = {**scope, "method": "GET"}
        endpoint = self._endpoint(scope)
        if endpoint is None:
            await self.app(scope, receive, answer)
            return
        try:
            await endpoint(scope, receive, answer)
        except Exception:
            # An endpoint answers its own errors; this is a failure while sending the answer.
            log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            if not started:
                await error_response(500, "Internal server error")(scope, receive, answer)


def _allow_head(headers: list[Any]) -> list[Any]:
    out = []
    for name, value in headers:
        if name.lower() == b"allow":
            methods = [m.strip() for m in value.split(b",")]
            if b"GET" in methods and b"HEAD" not in methods:
                value = b", ".join([*methods, b"HEAD"])
        out.append((name, value))
    return out
