"""The ASGI application: the API under /api/v1 (routes from the spec), the spec itself at
/openapi.json, the generated docs at /docs (with /llms.txt and /llms-full.txt), a health check
at /healthz and, in sandbox mode only, the sandbox helpers under /sandbox/v1. JSON errors
everywhere, never an HTML page.

`create_app(settings)` builds one. The factory for ASGI servers, with the settings `spaces serve`
would take from SPACES_* variables, is an entry point beside `spaces serve`:
`uvicorn --factory spaces_toolkit.server.run.serve:app_from_env --workers 4`."""

from __future__ import annotations

import contextlib
import html
import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from ..spec import default_spec
from .http.front import FrontDoor
from .http.request_id import request_id_header
from .http.routing import build_api_routes
from .http.transport import RequireHTTPS
from .problems import ApiError, error_response
from .sandbox.fault_injection import fault_middleware
from .sandbox.routes import build_sandbox_routes
from .settings import LLMS_FILES, SANDBOX_BASE_META, Settings, api_prefix
from .storage.database import Database, open_database
from .storage.repo.health import ping
from .webhook_delivery.worker import DeliveryWorker

__all__ = ["create_app"]

log = logging.getLogger("spaces.server")


def _health_route(database: Database) -> Route:
    """For orchestrators: 200 while the database answers, 503 (JSON `message`) when it does not.
    Outside /api/v1 and the spec, and without credentials."""

    async def healthz(request: Request) -> Response:
        try:
            with database.read() as tx:
                ping(tx)
        except Exception as exc:  # noqa: BLE001 - any failure means "not healthy"
            log.warning("health check failed: %s", exc)
            return error_response(503, "Database unavailable")
        return JSONResponse({"status": "ok"})

    return Route("/healthz", healthz, methods=["GET"])


def _spec_routes(settings: Settings) -> list[Route]:
    async def openapi(request: Request) -> Response:
        return JSONResponse(default_spec().content)

    async def docs(request: Request) -> Response:
        if settings.docs_index.is_file():
            page = settings.docs_index.read_text(encoding="utf-8")
            # Tell the page where this sandbox's API is (a path: the page adds its own origin),
            # so its samples and try-it panels use it instead of the production URL.
            api_path = html.escape(request.scope.get("root_path", "") + api_prefix(), quote=True)
            page = page.replace(SANDBOX_BASE_META, SANDBOX_BASE_META.replace('""', f'"{api_path}"'))
            return HTMLResponse(page)
        return error_response(404, "No docs generated yet: run `make docs` first")

    def text_file(name: str) -> Route:
        async def serve(request: Request) -> Response:
            path = settings.docs_index.with_name(name)  # generated with the page, beside it
            if path.is_file():
                return FileResponse(path, media_type="text/plain; charset=utf-8")
            return error_response(404, f"No {name} generated yet: run `make docs` first")

        return Route(f"/{name}", serve, methods=["GET"])

    return [
        Route("/openapi.json", openapi, methods=["GET"]),
        Route("/docs", docs, methods=["GET"]),
        *(text_file(name) for name in LLMS_FILES),
    ]


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return error_response(404, f"No such route: {request.url.path}")
    headers = dict(exc.headers or {})
    if exc.status_code == 405 and "Allow" not in headers:
        headers["Allow"] = "GET"
    return error_response(exc.status_code, exc.detail or "Request failed", headers)


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.message, exc.headers)


class _Server(Starlette):
    """Starlette with `FrontDoor` in front of its whole stack (http/front.py)."""

    def __init__(self, *, api_routes: list[Route], direct: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._api_routes = api_routes
        self._direct = direct

    def build_middleware_stack(self) -> ASGIApp:
        stack = super().build_middleware_stack()
        return FrontDoor(stack, self._api_routes, direct=self._direct)


async def _server_error(request: Request, exc: Exception) -> Response:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "Internal server error")


def create_app(settings: Settings, *, db: Database | None = None) -> Starlette:
    """A server instance over `settings.database` (or the given database).

    `app.state.db` is the database and `app.state.worker` the webhook worker; the worker runs
    while the app's lifespan runs (uvicorn), and tests in-process may call its `run_once()`.
    """
    database = db if db is not None else open_database(settings.database)
    worker = DeliveryWorker(database, settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if settings.run_delivery_worker:
            worker.start()
            database.listen(worker.wake)  # PostgreSQL: NOTIFY from any process wakes it
        try:
            yield
        finally:
            worker.stop()
            database.close()

    middleware = []
    if settings.cors_origins:
        # Outermost, so preflights and error answers carry the headers too.
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
                allow_headers=["Authorization", "Content-Type"],
                expose_headers=[h for h in (request_id_header(),) if h],
                max_age=600,
            )
        )
    middleware += fault_middleware(settings.faults)
    if settings.require_https:
        middleware.append(Middleware(RequireHTTPS, trusted_proxies=settings.trusted_proxies))
    api_routes = build_api_routes(database, settings)
    app = _Server(
        # With no middleware of ours, an API request needs none of Starlette's layers.
        api_routes=api_routes,
        direct=not middleware,
        routes=[
            *api_routes,
            *(build_sandbox_routes(database) if settings.sandbox else []),
            *_spec_routes(settings),
            _health_route(database),
        ],
        middleware=middleware,
        exception_handlers={
            HTTPException: _http_error,
            ApiError: _api_error,
            Exception: _server_error,
        },
        lifespan=lifespan,
    )
    app.router.redirect_slashes = False
    app.state.db = database
    app.state.settings = settings
    app.state.worker = worker
    return app
