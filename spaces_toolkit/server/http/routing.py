"""Routes built by walking the spec: one route per spec path under /api/v1, dispatching each
declared method to the handler registered for its operationId. Anything else on a declared path
is a 405 with `Allow`; undeclared paths are 404 (see app.py)."""

from __future__ import annotations

import contextlib
import functools
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import parse_qsl

import anyio.to_thread
import orjson
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from ..problems import ApiError, error_body, error_response
from ..settings import Settings, api_prefix
from ..storage.database import Database, Transaction
from .auth import Authenticator
from .handlers import HANDLERS, PRECHECKS, Context, Handler
from .operations import ServedOperation, served_operations
from .validation import parse_body, parse_param

__all__ = ["build_api_routes", "check_registry"]

log = logging.getLogger("spaces.server")
T = TypeVar("T")


class _JSONResponse(Response):
    """The body as compact UTF-8 JSON, like starlette's JSONResponse, but encoded by orjson.

    The bench profile of a 20-customer page had `json.dumps` at ~14% of the server's CPU; orjson
    writes the same bytes several times faster. Integers beyond 64 bits (which orjson refuses)
    fall back to the standard encoder.
    """

    media_type = "application/json"

    def __init__(self, content: Any) -> None:
        # Response.__init__ minus its generic header handling: a 200 with these two headers,
        # in the order starlette writes them.
        self.status_code = 200
        self.background = None
        self.body = self.render(content)
        self.raw_headers = [
            (b"content-length", str(len(self.body)).encode("latin-1")),
            (b"content-type", b"application/json"),
        ]

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


_QUERIES_MAX = 1024


def _query(
    op: ServedOperation, query_string: bytes, known: dict[bytes, dict[str, Any]]
) -> dict[str, Any]:
    """The declared query parameters of `query_string`, parsed and validated (400 otherwise).

    `known` remembers the values of query strings already found valid for this operation
    (clients repeat the same few); errors are never remembered, so they are found again."""
    values = known.get(query_string)
    if values is not None:
        return dict(values)
    raw: dict[str, list[str]] = {}
    # As starlette's QueryParams reads the query string.
    for key, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
        raw.setdefault(key, []).append(value)
    values = {}
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
    if len(known) >= _QUERIES_MAX:
        known.clear()
    known[query_string] = values
    return dict(values)  # undeclared query parameters are ignored


def _header(scope: Scope, name: bytes) -> str | None:
    """The value of request header `name` (lower case); a header sent more than once is a 400
    (for `Authorization`, which one counts would be a guess: spec/NOTES.md 54)."""
    found: str | None = None
    for key, value in scope["headers"]:
        if key == name:
            if found is not None:
                raise ApiError.bad_request(f"{name.decode().title()} header given more than once")
            found = str(value.decode("latin-1"))
    return found


class _Snapshot:
    """The database as a GET handler sees it: `read()` is the request's own reads, the ones it
    was authenticated in (`Database.run_read`: on SQLite one transaction, on PostgreSQL
    statements awaited on the event loop), so a GET takes no second transaction."""

    def __init__(self, db: Database, tx: Transaction) -> None:
        self._db = db
        self._tx = tx
        self.dialect = db.dialect
        self.capabilities = db.capabilities
        self.schema_version = db.schema_version

    def read(self) -> contextlib.AbstractContextManager[Transaction]:
        return contextlib.nullcontext(self._tx)

    def write(self) -> contextlib.AbstractContextManager[Transaction]:
        return self._db.write()

    def autocommit(self) -> contextlib.AbstractContextManager[Transaction]:
        return self._db.autocommit()

    async def run_read(self, fn: Callable[[Transaction], T]) -> T:
        return fn(self._tx)

    async def run_steps(self, fn: Callable[..., T], *args: Any) -> T:
        return await self._db.run_steps(fn, *args)

    async def leave_loop(self) -> None:
        await self._db.leave_loop()

    def listen(self, callback: Callable[[], None]) -> None:
        self._db.listen(callback)

    def close(self) -> None:
        raise RuntimeError("a request's snapshot is not the database: it cannot be closed")


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
        self._queries: dict[str, dict[bytes, dict[str, Any]]] = {m: {} for m in self.ops}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope["method"]
        op = self.ops.get(method)
        try:
            response = await self._handle(op, scope, receive)
        except ApiError as exc:
            response = error_response(exc.status, exc.message, exc.headers)
            if op is not None:
                response = self._checked(op, exc.status, error_body(exc.message), response)
        except ClientDisconnect:  # the client hung up (or was cut off) while sending its body
            log.info("%s %s: client disconnected before the body arrived", method, self.path)
            return
        except Exception:
            # Answer here rather than re-raise: the message is the same either way, and the
            # traceback is logged once, not again by the ASGI server.
            log.exception("unhandled error on %s %s", method, scope["path"])
            response = error_response(500, "Internal server error")
        await response(scope, receive, send)

    async def _handle(self, op: ServedOperation | None, scope: Scope, receive: Receive) -> Response:
        if op is None:
            raise ApiError(
                405,
                f"Method {scope['method']} is not allowed on {api_prefix()}{self.path};"
                f" allowed: {self.allow}",
                {"Allow": self.allow},
            )
        # The token is looked up on every request (auth.py: revocation takes effect at once),
        # before the parameters are looked at (a bad token is a 401 whatever else is wrong).
        authorization = _header(scope, b"authorization")
        if op.method == "GET" and op.body is None:
            # Authentication and the handler read together, as the backend runs reads best
            # from the event loop (storage/database.py, storage/postgres_reads.py).
            result = await self.db.run_read(functools.partial(self._read, op, scope, authorization))
        else:
            # Writes may wait up to busy_timeout for SQLite's write lock: they keep the hop.
            account_id = self.auth.account_id(authorization)
            path, query = self._params(op, scope)
            body = None
            if op.body is not None:
                request = Request(scope, receive)
                raw = await _read_body(request, self.settings.max_body_bytes)
                body = parse_body(op.body, request.headers.get("content-type"), raw)
            ctx = Context(self.db, self.settings, account_id, path, query, body, op.listing)
            precheck = PRECHECKS.get(op.operation_id)
            if precheck is not None:  # e.g. a target's name lookup, off the write threads
                await precheck(ctx)
            result = await anyio.to_thread.run_sync(HANDLERS[op.operation_id], ctx)
        return self._checked(op, 200, result, _JSONResponse(result))

    def _read(
        self, op: ServedOperation, scope: Scope, authorization: str | None, tx: Transaction
    ) -> Any:
        """A GET with its reads `tx`: authentication, then the handler."""
        account_id = self.auth.account_id(authorization, tx)
        path, query = self._params(op, scope)
        snapshot = _Snapshot(self.db, tx)
        ctx = Context(snapshot, self.settings, account_id, path, query, None, op.listing)
        return HANDLERS[op.operation_id](ctx)

    def _params(self, op: ServedOperation, scope: Scope) -> tuple[dict[str, Any], dict[str, Any]]:
        """The operation's path and query parameters, parsed and validated (400 otherwise)."""
        raw_path = scope["path_params"]
        path = {p.name: parse_param(p, raw_path[p.name]) for p in op.params if p.location == "path"}
        return path, _query(op, scope["query_string"], self._queries[op.method])

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
    prefix = api_prefix()
    return [
        Route(f"{prefix}{path}", PathEndpoint(path, path_ops, db, settings, auth))
        for path, path_ops in by_path.items()
    ]
