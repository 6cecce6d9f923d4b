"""Sandbox helpers: what `spaces trigger`, `spaces listen` and `spaces webhooks check-receiver`
need from a sandbox, over HTTP, so they work with a base URL and a token alone (like Stripe's
test helpers) — no access to the server's database.

They live under `/sandbox/v1`, outside `/api/v1`: the Spaces API's own namespace stays exactly
what spec/openapi.yaml declares (an undeclared path there is a 404, which the contract suite
relies on), and a future API path can never collide with a helper. They are served only while
the server runs as a sandbox (`Settings.sandbox`, `spaces serve --sandbox on|off`,
`$SPACES_SANDBOX`; on by default, as `spaces serve` has always been a sandbox); with
`--sandbox off` these paths are not routed at all (404 like any unknown path).

Every helper authenticates like the API (HTTP Basic, the access token as the username) and acts
on that token's account only. Errors are JSON `{"message": ...}`.

`HELPERS` is the one list of them: the routes, the index at `GET /sandbox/v1` and the tests
iterate it.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..http.auth import Authenticator
from ..http.routing import _read_body
from ..problems import ApiError, error_response
from ..settings import SANDBOX_PREFIX
from ..storage.database import Database
from ..storage.events import EVENT_TYPES
from ..storage.repo.hooks import unsubscribe_by_id
from ..storage.repo.signing_secrets import signing_secrets
from .trigger import TriggerError, check_event_type, trigger

__all__ = ["HELPERS", "Helper", "build_sandbox_routes"]

_MAX_BODY = 4096  # the helpers take at most one short field

Endpoint = Callable[[Database, int, Request], Awaitable[Any]]


@dataclasses.dataclass(frozen=True)
class Helper:
    method: str
    path: str  # under SANDBOX_PREFIX, Starlette syntax ("/resource_subscriptions/{id}")
    summary: str
    endpoint: Endpoint


async def _fields(request: Request) -> dict[str, str]:
    """The request's fields, from a form or a JSON object body (like the API's creates)."""
    raw = await _read_body(request, _MAX_BODY)
    media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if not raw:
        return {}
    if media == "application/json":
        try:
            data = json.loads(raw)
        except ValueError:
            raise ApiError.bad_request("Malformed JSON body") from None
        if not isinstance(data, dict):
            raise ApiError.bad_request("The JSON body must be an object")
        return {str(k): v for k, v in data.items()}
    if media in ("application/x-www-form-urlencoded", ""):
        try:
            return dict(parse_qsl(raw.decode("utf-8"), strict_parsing=True))
        except (UnicodeDecodeError, ValueError):
            raise ApiError.bad_request("Malformed form body") from None
    raise ApiError(415, f"Unsupported Content-Type {media!r}: send a form or JSON")


async def _trigger(db: Database, account_id: int, request: Request) -> Any:
    event_type = (await _fields(request)).get("event_type")
    if not isinstance(event_type, str) or event_type not in EVENT_TYPES:
        raise ApiError.bad_request(
            f"event_type must be one of: {', '.join(EVENT_TYPES)} (got {event_type!r})"
        )
    try:
        check_event_type(event_type)
    except TriggerError as e:
        raise ApiError.bad_request(str(e)) from None
    result = await anyio.to_thread.run_sync(trigger, db, account_id, event_type)
    return {
        "object": "sandbox.trigger",
        "event_type": event_type,
        "event": result["event"],
        "resource": result["object"],
        "webhooks_queued": result["webhooks"],
    }


async def _secrets(db: Database, account_id: int, request: Request) -> Any:
    # signing_secrets creates the account's first secret if it has none (it may write).
    found = await anyio.to_thread.run_sync(signing_secrets, db, account_id)
    return {"object": "sandbox.webhook_secrets", "secrets": found}


def _unsubscribe_in_db(db: Database, account_id: int, rs_id: str) -> bool:
    with db.write() as tx:
        return unsubscribe_by_id(tx, account_id, rs_id)


async def _unsubscribe(db: Database, account_id: int, request: Request) -> Any:
    rs_id = str(request.path_params["id"])
    if len(rs_id) > 200 or not await anyio.to_thread.run_sync(
        _unsubscribe_in_db, db, account_id, rs_id
    ):
        raise ApiError.not_found(f"No such resource subscription: {rs_id[:200]!r}")
    return {"object": "resource_subscription", "id": rs_id, "deleted": True}


async def _index(db: Database, account_id: int, request: Request) -> Any:
    return {
        "object": "sandbox.helpers",
        "helpers": [
            {"method": h.method, "path": SANDBOX_PREFIX + h.path, "summary": h.summary}
            for h in HELPERS
        ],
    }


HELPERS: tuple[Helper, ...] = (
    Helper("GET", "", "this list of sandbox helpers", _index),
    Helper(
        "POST",
        "/triggers",
        "create the object behind `event_type` (form or JSON), recording its event and"
        " queueing its webhooks, like `stripe trigger`",
        _trigger,
    ),
    Helper(
        "GET",
        "/webhook_secrets",
        "the account's webhook signing secrets that still sign deliveries, newest first",
        _secrets,
    ),
    Helper(
        "DELETE",
        "/resource_subscriptions/{id}",
        "remove one of the account's resource subscriptions and stop its pending deliveries"
        " (the API itself has no unsubscribe operation: spec/NOTES.md 36)",
        _unsubscribe,
    ),
)


def _route(helper: Helper, auth: Authenticator, db: Database) -> Route:
    async def endpoint(request: Request) -> Response:
        try:
            account_id = auth.account_id(request.headers.get("authorization"))
            result = await helper.endpoint(db, account_id, request)
        except ApiError as exc:
            return error_response(exc.status, exc.message, exc.headers)
        return JSONResponse(result)

    return Route(SANDBOX_PREFIX + helper.path, endpoint, methods=[helper.method])


def build_sandbox_routes(db: Database) -> list[Route]:
    """One route per helper (mounted by app.py only when the server runs as a sandbox)."""
    auth = Authenticator(db)
    return [_route(h, auth, db) for h in HELPERS]
