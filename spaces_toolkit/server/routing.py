"""Routes built by walking the spec: one route per spec path under /api/v1, dispatching each
declared method to the handler registered for its operationId. Anything else on a declared path
is a 405 with `Allow`; undeclared paths are 404 (see app.py)."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

import anyio.to_thread
import orjson
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from .auth import Authenticator
from .db import Database
from .handlers import HANDLERS, PRECHECKS, Context, Handler
from .operations import ServedOperation, served_operations
from .problems import ApiError, error_response
from .settings import API_PREFIX, Settings
from .validation import parse_body, parse_param

__all__ = ["build_api_routes", "check_registry"]

log = logging.getLogger("spaces.server")


class _JSONResponse(Response):
    """The body as compact UTF-8 JSON, like starlette's JSONResponse, but encoded by orjson.

    The bench profile of a 20-customer page had `json.dumps` at ~14% of the server's CPU; orjson
    writes the same bytes several times faster. Integers beyond 64 bits (which orjson refuses)
    fall back to the standard encoder.
    """

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        try:
            return orjson.dumps(content)
        except TypeError:  # orjson.JSONEncodeError: e.g. an int outside 64 bits
            return json.dumps(
                content, ensure_ascii=False, allow_nan=False, separators=(",", ":")
            ).encode("utf-8")


def check_registry(ops: tuple[ServedOperation, ...], handlers: Mapping[str, Handler]) -> None:
    """Fail at startup unless spec operations and handlers match one to one."""
    declared = {op.operation_id for op in ops}
    missing, extra = declared - handlers.keys(), handlers.keys() - declared
    if missing or extra:
        raise RuntimeError(
            f"spec/handler mismatch: no handler for {sorted(missing)}; "
            f"handlers without an operation: {sorted(extra)}"
        )


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise ApiError.bad_request(f"Invalid Content-Length header: {declared[:40]!r}")
        if int(declared) > limit:
            raise ApiError(413, f"Request body too large (limit {limit} bytes)")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, f"Request body too large (limit {limit} bytes)")
        chunks.append(chunk)
    return b"".join(chunks)


def _query(op: ServedOperation, request: Request) -> dict[str, Any]:
    raw: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        raw.setdefault(key, []).append(value)
    values: dict[str, Any] = {}
    for param in op.params:
        if param.location != "query":
            continue
        given = raw.get(param.name)
        if not given:
            if param.required:
                raise ApiError.bad_request(f"Missing required query parameter {param.name}")
            if param.default is not None:
                values[param.name] = param.default
            continue
        if len(given) > 1:
            raise ApiError.bad_request(f"Query parameter {param.name} given more than once")
        values[param.name] = parse_param(param, given[0])
    return values  # undeclared query parameters are ignored


class PathEndpoint:
    """The ASGI app behind one spec path: method dispatch, auth, validation, handler, JSON."""

    def __init__(
        self,
        path: str,
        ops: list[ServedOperation],
        db: Database,
        settings: Settings,
        auth: Authenticator,
    ):
        self.path = path
        self.auth = auth
        self.ops = {op.method: op for op in ops}
        self.allow = ", ".join(sorted(self.ops))
        self.db = db
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            response = await self._handle(request)
        except ApiError as exc:
            response = error_response(exc.status, exc.message, exc.headers)
            op = self.ops.get(request.method)
            if op is not None:
                response = self._checked(op, exc.status, {"message": exc.message}, response)
        except ClientDisconnect:  # the client hung up (or was cut off) while sending its body
            log.info(
                "%s %s: client disconnected before the body arrived", request.method, self.path
            )
            return
        except Exception:
            # Answer here rather than re-raise: the message is the same either way, and the
            # traceback is logged once, not again by the ASGI server.
            log.exception("unhandled error on %s %s", request.method, request.url.path)
            response = error_response(500, "Internal server error")
        await response(scope, receive, send)

    async def _handle(self, request: Request) -> Response:
        op = self.ops.get(request.method)
        if op is None:
            raise ApiError(
                405,
                f"Method {request.method} is not allowed on {API_PREFIX}{self.path};"
                f" allowed: {self.allow}",
                {"Allow": self.allow},
            )
        # Reads run inline on the event loop: an indexed SQLite read (WAL: readers never wait
        # for writers) takes tens of µs, a hop to the thread pool and back costs several times
        # that in GIL hand-offs (the benchmarks' profile: 2 hops were ~40% of a GET's CPU).
        # Writes may wait up to busy_timeout for SQLite's write lock, so they keep the hop.
        # The token is looked up on every request (auth.py: revocation takes effect at once).
        credentials = request.headers.getlist("authorization")
        if len(credentials) > 1:  # which one counts would be a guess: refuse instead
            raise ApiError.bad_request("Authorization header given more than once")
        account_id = self.auth.account_id(credentials[0] if credentials else None)
        path = {
            p.name: parse_param(p, request.path_params[p.name])
            for p in op.params
            if p.location == "path"
        }
        query = _query(op, request)
        body = None
        if op.body is not None:
            raw = await _read_body(request, self.settings.max_body_bytes)
            body = parse_body(op.body, request.headers.get("content-type"), raw)
        ctx = Context(self.db, self.settings, account_id, path, query, body, op.listing)
        handler = HANDLERS[op.operation_id]
        precheck = PRECHECKS.get(op.operation_id)
        if precheck is not None:
            await precheck(ctx)
        if op.method == "GET":
            result = handler(ctx)
        else:
            result = await anyio.to_thread.run_sync(handler, ctx)
        return self._checked(op, 200, result, _JSONResponse(result))

    def _checked(self, op: ServedOperation, status: int, body: Any, response: Response) -> Response:
        if not self.settings.validate_responses:
            return response
        validator = op.response_validator(status)
        if validator is None:
            problem = f"status {status} is not declared for {op.operation_id}"
        else:
            error = next(iter(validator.iter_errors(body)), None)
            if error is None:
                return response
            problem = f"{error.message} at {list(error.absolute_path)}"
        log.error("response does not match the spec: %s", problem)
        return error_response(500, f"Response does not match the spec: {problem}")


def build_api_routes(db: Database, settings: Settings) -> list[Route]:
    ops = served_operations()
    check_registry(ops, HANDLERS)
    auth = Authenticator(db)
    by_path: dict[str, list[ServedOperation]] = {}
    for op in ops:
        by_path.setdefault(op.path, []).append(op)
    return [
        Route(f"{API_PREFIX}{path}", PathEndpoint(path, path_ops, db, settings, auth))
        for path, path_ops in by_path.items()
    ]
