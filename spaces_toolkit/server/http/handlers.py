"""One function per operationId of the spec. Each takes the validated request and returns the
JSON body of a 200 (or raises ApiError); routing.py maps spec operations onto this registry."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from ...spec import ListOperation
from ..problems import ApiError
from ..settings import Settings
from ..storage.database import Database
from ..storage.pagination import PageRequest, fetch_page
from ..storage.render import JSONObject, account
from ..storage.repo import accounts, hooks, reads
from ..storage.repo.pages import ListSource
from ..webhook_delivery.resolver import Resolver
from ..webhook_delivery.targets import TargetRefused, check_target

log = logging.getLogger("spaces.server")

__all__ = ["Context", "HANDLERS", "PRECHECKS"]


@dataclasses.dataclass(frozen=True)
class Context:
    """A validated, authenticated request."""

    db: Database
    settings: Settings
    account_id: int
    path: dict[str, Any]
    query: dict[str, Any]
    body: dict[str, Any] | None
    listing: ListOperation | None = None  # the operation's cursor semantics, for lists


Handler = Callable[[Context], JSONObject]
HANDLERS: dict[str, Handler] = {}
# Async checks routing awaits before an operation's handler runs on a write thread: for work
# that waits on the outside world (name lookups), which must not hold the API's threads.
Precheck = Callable[[Context], Awaitable[None]]
PRECHECKS: dict[str, Precheck] = {}


def operation(operation_id: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[operation_id] = fn
        return fn

    return register


def _lister(operation_id: str, src: ListSource) -> None:
    def handler(ctx: Context) -> JSONObject:
        assert ctx.listing is not None, f"{operation_id} is not a list operation in the spec"
        req = PageRequest.from_query(ctx.query, ctx.listing)
        with ctx.db.read() as tx:
            return fetch_page(tx, src, ctx.account_id, req)

    handler.__name__ = operation_id
    HANDLERS[operation_id] = handler


def _getter(operation_id: str, src: ListSource) -> None:
    def handler(ctx: Context) -> JSONObject:
        value = ctx.path["id"]
        with ctx.db.read() as tx:
            obj = reads.get(tx, src, ctx.account_id, value)
        if obj is None:
            raise ApiError.not_found(f"No such {src.noun}: {value}")
        return obj

    handler.__name__ = operation_id
    HANDLERS[operation_id] = handler


_lister("listSpaces", reads.SPACES)
_lister("listCustomers", reads.CUSTOMERS)
_lister("listInvoices", reads.INVOICES)
_lister("listSubscriptions", reads.SUBSCRIPTIONS)
_lister("listCapturedEmails", reads.CAPTURED_EMAILS)
_lister("listEvents", reads.EVENTS)
_lister("listWebhooks", reads.WEBHOOKS)
_lister("listResourceSubscriptions", reads.RESOURCE_SUBSCRIPTIONS)
_getter("retrieveSpace", reads.SPACES)
_getter("retrieveCustomer", reads.CUSTOMERS)
_getter("retrieveInvoice", reads.INVOICES)


@operation("retrieveAccount")
def retrieve_account(ctx: Context) -> JSONObject:
    with ctx.db.read() as tx:
        row = accounts.get_account(tx, ctx.account_id)
    if row is None:  # the token was valid a moment ago; the account is gone
        raise ApiError.unauthorized("No valid access token provided")
    return account(row)


@operation("retrieveSubscription")
def retrieve_subscription(ctx: Context) -> JSONObject:
    customer_id, token = ctx.path["customer_id"], ctx.path["token"]
    with ctx.db.read() as tx:
        if reads.get(tx, reads.CUSTOMERS, ctx.account_id, customer_id) is None:
            raise ApiError.not_found(f"No such customer: {customer_id}")
        obj = reads.get_subscription(tx, ctx.account_id, customer_id, token)
    if obj is None:
        raise ApiError.not_found(f"No such subscription: {token} (customer {customer_id})")
    return obj


# Lookups of new targets' names, on threads of their own: an account holds at most 4 at once,
# abandoned ones included, so its slow names delay only its own requests
# (webhook_delivery/resolver.py).
_CREATION_LOOKUPS = Resolver(per_key=4, total=64)


async def _check_new_target(ctx: Context) -> None:
    """What a new target's name resolves to within the delivery deadline must be acceptable
    (spec/NOTES.md 53): checked before the handler, off the API's write threads. A name that
    does not resolve in that time is accepted (delivery resolves it again)."""
    assert ctx.body is not None
    limit = ctx.settings.webhook_timeout
    try:
        async with asyncio.timeout(limit):
            await check_target(
                str(ctx.body["target_url"]),
                allow_private=ctx.settings.allow_private_targets,
                lookup=functools.partial(_CREATION_LOOKUPS.lookup, ctx.account_id),
            )
    except TargetRefused as exc:
        raise ApiError.bad_request(f"Invalid target_url: {exc}") from None
    except TimeoutError:
        log.info(
            "target %s: no answer from the resolver within %g s; accepted",
            ctx.body["target_url"],
            limit,
        )


@operation("createResourceSubscription")
def create_resource_subscription(ctx: Context) -> JSONObject:
    assert ctx.body is not None
    target_url = str(ctx.body["target_url"])  # checked by _check_new_target
    with ctx.db.write() as tx:
        return hooks.create_resource_subscription(
            tx, ctx.account_id, event=str(ctx.body["event"]), target_url=target_url
        )


PRECHECKS["createResourceSubscription"] = _check_new_target
