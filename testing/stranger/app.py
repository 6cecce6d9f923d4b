"""A second implementation of the Spaces API, written from the prose docs alone (the docs folder's
README.md and sections/*.md), in memory, as a small ASGI app. It exists to test the contract
suite against a server that did not grow up with spec/openapi.yaml: the suite must pass it (the
docs are kept) and must fail it when one of `BREACHES` is switched on (the docs are broken).

Operations (the docs' 14): GET /account; GET /captured_emails; GET /customers and
/customers/{id}; GET /customers/{customer}/subscriptions/{token}; GET /events; GET /invoices and
/invoices/{id}; GET /resource_subscriptions and POST /resource_subscriptions; GET /spaces and
/spaces/{id}; GET /subscriptions; GET /webhooks — all under a base path (default /api/v1).

Readings taken where the docs are silent or contradict themselves (chosen, where reasonable,
differently from spec/NOTES.md, which this module's author did not read):

- Auth: HTTP Basic (RFC 7617), user = access token, the password is ignored whatever it is
  ("you do not need to enter anything"); the scheme name is case-insensitive. No or a bad
  credential: 401 with `WWW-Authenticate: Basic realm="Spaces API", charset="UTF-8"`. Auth is
  checked before anything else, so an unknown path without credentials is a 401, not a 404.
  HTTPS is not enforced (served on loopback for tests).
- Errors: `{"message": ..., "status": <code>}` — the docs' `message` plus a field of our own.
- Unknown path: 404; a known path with another method: 405 with `Allow` (RFC 9110 15.5.6).
- Objects carry exactly the attributes of the docs' tables: no `id` on events, webhooks, captured
  emails and resource subscriptions; subscriptions have `token` and no `id` and no `status` (the
  table has no `status`; only the examples show it).
- `currency` is an integer, as both tables say: the ISO 4217 numeric code (752, 840, 978) —
  the examples' "USD" is read as an illustration.
- Invoice items' `item_id` is a string or an integer, as the example mixes both.
- An event's `data.object` is the object as it was, customers there carry `token` (the event
  example's spelling), with no nested `space`.
- Space ids run "sequentially from 1" per account: every account has a space 1. A customer's
  id is unique for the user (random token), subscription tokens are unique within a customer
  only by the docs but are drawn unique per account here.
- Lists: `{"object": "list", "url": <the list's path>, "count": <objects in this page>,
  "has_more": ..., "data": [...]}` (`url` is ours, as other APIs' lists carry it).
  `count` is the number of objects in `data` (the examples show `count: 20` beside
  `has_more: true` at the default limit of 20, so it cannot be a total).
- Order: oldest first (ascending creation). `starting_after=X`: the objects after X;
  `starting_before=X`: the `limit` objects right before X, still oldest first; `has_more` tells
  whether more objects lie beyond the page in the direction of paging. Both given: the
  `starting_before` one wins.
- A cursor is "the ID of the object": lists sort by `id`; subscriptions by `token` (their only
  identifier). Lists whose objects have no identifier (events, webhooks, captured emails,
  resource subscriptions) cannot be paged past the first page: any cursor there names no object.
  A cursor naming no object of that list of this account: 404, the object "was not found"
  (the docs' 404), not 400. An empty cursor is absent.
- `limit`: an integer (optional sign); outside 1..100 it is clamped into range; not an integer
  is a 400. Unknown query parameters are ignored.
- A malformed id (a space id that is not a decimal integer) is a resource not found: 404.
- POST /resource_subscriptions takes a form (as the curl example) or a JSON object. `event`
  must be one of the docs' five event types; `target_url` must be an absolute http(s) URI with
  a host (RFC 3986) — no other policy. Anything else is a 400. The answer is 200 (the docs say
  "200 OK") with the object; the same event and URL twice make two subscriptions.

Those are the profile "first" of `READINGS`. The profile "second" is another docs-only
implementer (each reading checked against the docs and RFC 9110): lists newest first; every
object carries an `id` (subscriptions also `status`), ids spelled as the examples
(`CUSTOMER_...`), currencies as the examples' codes ("USD"), objects with undocumented
`livemode`/`metadata`, lists without `url`; subscription tokens unique within their customer
only (`SUBSCRIPTION_1` under several customers), Space ids sequential across accounts; errors
`{"message", "code", "request_id"}` and a 404 for a path naming nothing with no `message`
("often include"); `Content-Type: application/json; charset=utf-8`; the Basic password must be
empty; `limit` out of 1..100, unknown query parameters, an empty or unknown cursor and a
malformed Space, customer or invoice id (not of the server's own shape) are 400s;
`starting_after` wins over `starting_before`; the create call takes
the curl example's form only (JSON: 415) and refuses a second subscription to the same event and
URL (400; NOTES 38 allows one); a trailing slash is a 308 to the path without it;
OPTIONS is a 204 with `Allow`; PUT/PATCH/DELETE (implemented for no resource) are a 501 (RFC
9110 15.6.2); and every answer is `Connection: close`, chunked, gzipped when asked, with an
`ETag` and a 304 for `If-None-Match`.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

EVENT_TYPES = (
    "customer.created",
    "invoice.created",
    "invoice.paid",
    "subscription.created",
    "captured_email.created",
)

# Deliberate breaches of the docs, one name each, for tests that the suite fails them.
BREACHES = {
    "has_more_off_by_one": "has_more is true when the rest of the list fits the page exactly",
    "ignores_limit": "lists answer the default page size whatever `limit` says",
    "no_challenge": "401 answers carry no WWW-Authenticate challenge",
    "cross_account": "a customer of the other account is answered by GET /customers/{id}",
    "subscription_any_customer": "a subscription is answered through any customer of its account",
    "cursor_ignored": "a cursor naming no object gives the first page",
    "own_ids_refused": "GET /customers/{id} answers 400 even for the ids the server lists",
    # RFC 9110 allows 201 with Location for a create, but the docs say "Will respond with 200 OK"
    "created_201": "POST /resource_subscriptions answers 201 Created with a Location header",
}

Obj = dict[str, Any]


@dataclass(frozen=True)
class Readings:
    """One docs-only implementer's choices where the docs are silent, contradict themselves or
    leave a matter to HTTP (RFC 9110). Every field is a reading a server may take; `READINGS`
    holds the profiles the tests run."""

    newest_first: bool = False  # list order (the docs name none)
    ids_everywhere: bool = False  # `id` on the five objects whose tables lack it, + `status`
    id_style: str = "prefixed"  # "prefixed" (cus_...) or "example" (CUSTOMER_..., as the docs)
    currency: str = "numeric"  # "numeric" (the tables' integer) or "code" (the examples' "USD")
    extra_fields: bool = False  # undocumented attributes on objects (`livemode`, `metadata`)
    error_extras: bool = False  # errors carry `code` and `request_id` beside `message`
    charset: bool = False  # `Content-Type: application/json; charset=utf-8`
    empty_password: bool = False  # the Basic password must be empty ("-u TOKEN:")
    limit_out_of_range: str = "clamp"  # "clamp" or "400"
    unknown_parameters: str = "ignore"  # "ignore" or "400" (an invalid parameter)
    trailing_slash: str = "same"  # "same" (served as without) or "308" (a redirect to it)
    options: bool = False  # OPTIONS answered 204 with `Allow`
    malformed_id: int = 404  # a Space id that is no decimal integer
    unknown_cursor: int = 404  # a cursor naming no object of the list
    empty_cursor: str = "absent"  # "absent" or "400"
    both_cursors: str = "before"  # which cursor wins: "before", "after", or "400"
    # Protocol: each answer `Connection: close`, sent chunked, gzip when asked, ETag + 304.
    connection_close: bool = False
    chunked: bool = False
    gzip: bool = False
    etag: bool = False
    # Errors "will often include" `message`: a 404 for a path that names nothing carries none.
    message_on_unknown_path: bool = True
    # Space ids run "sequentially from 1" across all accounts, not per account.
    global_space_ids: bool = False
    # Subscription tokens are "only unique within the customer scope": each customer's run
    # SUBSCRIPTION_1, SUBSCRIPTION_2 ...
    tokens_per_customer: bool = False
    list_url: bool = True  # lists carry `url` (ours)
    # The create call's body: the curl example's form only ("form"), or form and JSON ("any");
    # a JSON body is then a 415.
    bodies: str = "any"
    # A method no resource of the server implements (PUT, PATCH, DELETE ...): 405 with `Allow`,
    # or 501 (RFC 9110 15.6.2: "the server does not recognize the request method and is not
    # capable of supporting it for any resource"); a known method on the wrong path is a 405.
    unimplemented_method: int = 405
    # A customer or invoice id not of the server's own shape: 404 (not found) or 400 (an
    # invalid parameter, as decision 42 reads a malformed Space id).
    malformed_token: int = 404
    # The same `event` and `target_url` as a subscription the account already has: a second
    # subscription (the docs are silent) or a 400 (a duplicate refused).
    refuses_duplicates: bool = False


READINGS: dict[str, Readings] = {
    # The first stranger (see the module docstring).
    "first": Readings(),
    # A second docs-only implementer: newest first, the spec's objects, the examples' ids and
    # currencies, errors and 400s of a stricter kind, and HTTP's optional machinery.
    "second": Readings(
        newest_first=True,
        ids_everywhere=True,
        id_style="example",
        currency="code",
        extra_fields=True,
        error_extras=True,
        charset=True,
        empty_password=True,
        limit_out_of_range="400",
        unknown_parameters="400",
        trailing_slash="308",
        options=True,
        malformed_id=400,
        unknown_cursor=400,
        empty_cursor="400",
        both_cursors="after",
        connection_close=True,
        chunked=True,
        gzip=True,
        etag=True,
        message_on_unknown_path=False,
        global_space_ids=True,
        tokens_per_customer=True,
        list_url=False,
        bodies="form",
        unimplemented_method=501,
        refuses_duplicates=True,
        malformed_token=400,
    ),
}


@dataclass
class Account:
    token: str
    profile: Obj
    spaces: list[Obj] = field(default_factory=list)
    customers: list[Obj] = field(default_factory=list)
    invoices: list[Obj] = field(default_factory=list)
    subscriptions: list[Obj] = field(default_factory=list)  # each with a hidden "_customer"
    events: list[Obj] = field(default_factory=list)
    webhooks: list[Obj] = field(default_factory=list)
    captured_emails: list[Obj] = field(default_factory=list)
    resource_subscriptions: list[Obj] = field(default_factory=list)


class BadRequest(Exception):
    pass


class NotFound(Exception):
    pass


class UnsupportedMediaType(Exception):
    pass


def _token(rng: random.Random, prefix: str) -> str:
    return prefix + "".join(rng.choice("abcdefghijkmnopqrstuvwxyz23456789") for _ in range(12))


def _customer_ref(customer: Obj) -> Obj:
    """A customer as an event's data shows it: `token`, no space."""
    return {
        "object": "customer",
        "token": customer["id"],
        "name": customer["name"],
        "email": customer["email"],
        "created": customer["created"],
    }


def _items(rng: random.Random, kind: str, currency: int | str) -> tuple[Obj, int]:
    data = []
    for n in range(rng.randint(1, 3)):
        quantity = rng.randint(1, 4)
        unit = rng.choice([500, 1000, 1200, 4999])
        discount = rng.choice([0, 0, 100])
        item: Obj = {
            "object": kind,
            "item_id": str(100100 + n) if n % 2 == 0 else 100 + n,
            "description": f"Product {rng.randint(1, 9)}",
            "quantity": quantity,
            "discount": discount,
            "unit_amount": unit,
            "total_amount": unit * quantity - discount,
        }
        if kind == "invoice_item":
            item.update(currency=currency, date_range_start=None, date_range_end=None)
        data.append(item)
    return {"data": data, "count": len(data)}, sum(i["total_amount"] for i in data)


def make_account(
    token: str,
    name: str,
    *,
    customers: int,
    spaces: int = 2,
    seed: int = 0,
    start: int = 0,
    first_space: int = 1,
    readings: Readings = Readings(),
) -> Account:
    """An account with `spaces` Spaces (ids 1..n), `customers` customers spread over them, and
    per customer invoices, subscriptions, events, webhooks and captured emails drawn from `seed`.
    `start` offsets `created` so two accounts' timestamps differ."""
    rng = random.Random(seed)
    codes = {752: "SEK", 840: "USD", 978: "EUR"}

    def ident(prefix: str, example: str) -> str:
        if readings.id_style == "example":
            return f"{example}_{_token(rng, '').upper()}"
        return _token(rng, prefix)

    def money(code: int) -> int | str:
        return codes[code] if readings.currency == "code" else code

    def extra(obj: Obj, prefix: str, example: str) -> Obj:
        if readings.ids_everywhere and "id" not in obj:
            obj = {"id": ident(prefix, example), **obj}
        return obj

    clock = 1_410_196_557 + start
    email = name.lower().replace(" ", ".") + "@example.com"
    account = Account(
        token,
        {
            "object": "account",
            "created": clock,
            "name": name,
            "email": email,
            "avatar_image_url": None if seed % 2 else "http://example.com/image.jpg",
            "referral_code": _token(rng, "")[:7].upper(),
        },
    )

    def tick() -> int:
        nonlocal clock
        clock += rng.randint(1, 90)
        return clock

    for n in range(first_space, first_space + spaces):
        url = None if n % 3 == 0 else f"https://spaces.pe/s/{_token(rng, '').upper()[:7]}"
        account.spaces.append({"object": "space", "id": n, "created": tick(), "url": url})
    order = 0
    for n in range(customers):
        space = account.spaces[n % len(account.spaces)]
        customer = {
            "object": "customer",
            "id": ident("cus_", "CUSTOMER"),
            "name": f"Customer {n + 1}",
            "email": f"customer{n + 1}@example.com",
            "created": tick(),
            "space": dict(space),
        }
        account.customers.append(customer)
        account.events.append(
            {
                "object": "event",
                "created": customer["created"],
                "type": "customer.created",
                "data": {"object": _customer_ref(customer)},
            }
        )
        for _ in range(rng.randint(0, 2)):
            currency = money(rng.choice([752, 840, 978]))
            items, total = _items(rng, "invoice_item", currency)
            order += 1
            paid = rng.random() < 0.5
            invoice = {
                "object": "invoice",
                "id": ident("inv_", "INVOICE"),
                "created": tick(),
                "order_number": order,
                "billing_address": {
                    "line_1": f"{n + 1} Rocket Rd",
                    "line_2": "",
                    "line_3": "",
                    "zip_code": "90250",
                    "locality": "Hawthorne",
                    "region": "CA",
                    "country": "US",
                },
                "shipping_address": None,
                "paid": paid,
                "shipped": False,
                "shipping_details": None,
                "total": total,
                "currency": currency,
                "items": items,
                "customer": dict(customer),
            }
            account.invoices.append(invoice)
            types = ["invoice.created"] + (["invoice.paid"] if paid else [])
            for kind in types:
                account.events.append(
                    {
                        "object": "event",
                        "created": invoice["created"],
                        "type": kind,
                        "data": {"object": {k: v for k, v in invoice.items() if k != "customer"}},
                    }
                )
        for index in range(rng.randint(0, 2)):
            currency = money(rng.choice([752, 840, 978]))
            items, total = _items(rng, "subscription_item", currency)
            subscription = {
                "object": "subscription",
                "token": ident("sub_", "SUBSCRIPTION")
                if not readings.tokens_per_customer
                else f"SUBSCRIPTION_{index + 1}",
                "serial_number": len(account.subscriptions) + 1,
                "created": tick(),
                "items": items,
                "total": total,
                "currency": currency,
                "customer": dict(customer),
                "_customer": customer["id"],
            }
            if readings.ids_everywhere:
                subscription = {"id": ident("sb_", "SUB"), **subscription, "status": "active"}
            account.subscriptions.append(subscription)
            shown = {k: v for k, v in subscription.items() if k not in ("customer", "_customer")}
            account.events.append(
                {
                    "object": "event",
                    "created": subscription["created"],
                    "type": "subscription.created",
                    "data": {"object": shown},
                }
            )
        if rng.random() < 0.4:
            captured = {
                "object": "captured_email",
                "email": f"lead{n + 1}@example.org",
                "created": tick(),
                "space": dict(space),
            }
            captured = extra(captured, "ce_", "CAPTURED_EMAIL")
            account.captured_emails.append(captured)
            account.events.append(
                {
                    "object": "event",
                    "created": captured["created"],
                    "type": "captured_email.created",
                    "data": {"object": dict(captured)},
                }
            )
    account.events.sort(key=lambda e: e["created"])
    account.events = [extra(e, "evt_", "EVENT") for e in account.events]
    for event in account.events[::3]:
        account.webhooks.append(
            extra(
                {
                    "object": "webhook",
                    "created": event["created"],
                    "url": "http://example.com/webhook_location_example",
                    "event": event,
                    "pending": rng.random() < 0.3,
                },
                "wh_",
                "WEBHOOK",
            )
        )
    for n, kind in enumerate(EVENT_TYPES[:2]):
        account.resource_subscriptions.append(
            extra(
                {
                    "object": "resource_subscription",
                    "event": kind,
                    "target_url": f"https://hooks.example.com/{name.split()[0].lower()}/{n}",
                    "api_version": "04-09-2014",
                    "created": tick(),
                },
                "rs_",
                "RESOURCE_SUBSCRIPTION",
            )
        )
    return account


def two_accounts(seed: int = 0, readings: Readings = Readings()) -> list[Account]:
    """The test pair: one account with 27 customers (more than a default page) and one with 6."""
    return [
        make_account(
            "tok_stranger_first",
            "First Owner",
            customers=27,
            spaces=3,
            seed=seed,
            readings=readings,
        ),
        make_account(
            "tok_stranger_second",
            "Second Owner",
            customers=6,
            spaces=2,
            seed=seed + 1,
            start=7,
            first_space=4 if readings.global_space_ids else 1,
            readings=readings,
        ),
    ]


# --- HTTP ---------------------------------------------------------------------------------

INTEGER = re.compile(r"[+-]?[0-9]+")
DECIMAL = re.compile(r"[0-9]+")
PAGING = frozenset({"limit", "starting_after", "starting_before"})
EXTRA_FIELDS: Obj = {"livemode": False, "metadata": {}}


def _limit(raw: str | None, breaches: frozenset[str], readings: Readings) -> int:
    if raw is None or "ignores_limit" in breaches:
        return 20
    if not INTEGER.fullmatch(raw):
        raise BadRequest("limit must be an integer between 1 and 100")
    if readings.limit_out_of_range == "400" and not 1 <= int(raw) <= 100:
        raise BadRequest("limit must be between 1 and 100")
    return min(100, max(1, int(raw)))


def _cursor(query: dict[str, str], name: str, readings: Readings) -> str | None:
    value = query.get(name)
    if value == "" and readings.empty_cursor == "400":
        raise BadRequest(f"{name} must name an object")
    return value or None


def page(
    objects: Sequence[Obj],
    key: str | None,
    query: dict[str, str],
    breaches: frozenset[str],
    url: str = "",
    readings: Readings = Readings(),
) -> Obj:
    """One page of `objects` (in the list's order) by the docs' cursor arguments; `key` names
    the attribute a cursor holds (None: the objects have no identifier)."""
    limit = _limit(query.get("limit"), breaches, readings)
    after = _cursor(query, "starting_after", readings)
    before = _cursor(query, "starting_before", readings)
    if after and before:
        if readings.both_cursors == "400":
            raise BadRequest("give starting_after or starting_before, not both")
        if readings.both_cursors == "after":
            before = None
        else:
            after = None
    cursor = before or after
    if readings.newest_first:
        objects = list(reversed(objects))

    def shown(obj: Obj) -> Obj:
        return _shown(obj, readings)

    at = None
    if cursor is not None:
        keys = [str(o[key]) if key is not None else None for o in objects]
        at = keys.index(cursor) if cursor in keys else None
        if at is None and "cursor_ignored" not in breaches:
            name = "starting_before" if before else "starting_after"
            message = f"{name}: no such object in this list"
            if readings.unknown_cursor == 400:
                raise BadRequest(message)
            raise NotFound(message)
    if at is None:  # no cursor (or, breached, one naming nothing): the first page
        chunk, rest = list(objects[:limit]), len(objects) - limit
    elif before:
        chunk, rest = list(objects[max(0, at - limit) : at]), at - limit
    else:
        chunk, rest = list(objects[at + 1 : at + 1 + limit]), len(objects) - (at + 1 + limit)
    has_more = rest > 0 or ("has_more_off_by_one" in breaches and rest == 0 and bool(chunk))
    data = [shown(o) for o in chunk]
    envelope: Obj = {"object": "list", "url": url, "count": len(data), "has_more": has_more}
    if not readings.list_url:
        del envelope["url"]
    return {**envelope, "data": data}


def _shown(obj: Obj, readings: Readings) -> Obj:
    shown = {k: v for k, v in obj.items() if not k.startswith("_")}
    return {**shown, **EXTRA_FIELDS} if readings.extra_fields else shown


def _credentials(
    header: str | None, tokens: dict[str, Account], readings: Readings
) -> Account | None:
    if header is None:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    import base64
    import binascii

    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, colon, password = decoded.partition(":")
    if not colon or (readings.empty_password and password):
        return None
    return tokens.get(user)


def _target_url(value: str) -> bool:
    if not value or any(c.isspace() or ord(c) < 0x20 or c in '<>"{}|\\^`' for c in value):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


Handler = Callable[[Request, Account, dict[str, str]], Awaitable[Response]]


class StrangerApp:
    """The ASGI app: `accounts` hold the data; `breaches` names entries of BREACHES to commit;
    `readings` the implementer's choices (an entry of READINGS)."""

    def __init__(
        self,
        accounts: Iterable[Account],
        *,
        base: str = "/api/v1",
        breaches: Iterable[str] = (),
        readings: Readings = Readings(),
    ) -> None:
        self.accounts = list(accounts)
        self.tokens = {a.token: a for a in self.accounts}
        self.base = base.rstrip("/")
        self.breaches = frozenset(breaches)
        self.readings = readings
        unknown = self.breaches - BREACHES.keys()
        if unknown:
            raise ValueError(f"unknown breach: {', '.join(sorted(unknown))}")
        cursor = "id" if readings.ids_everywhere else None
        lists: dict[str, tuple[str, str | None]] = {
            "captured_emails": ("captured_emails", cursor),
            "customers": ("customers", "id"),
            "events": ("events", cursor),
            "invoices": ("invoices", "id"),
            "resource_subscriptions": ("resource_subscriptions", cursor),
            "spaces": ("spaces", "id"),
            "subscriptions": ("subscriptions", cursor or "token"),
            "webhooks": ("webhooks", cursor),
        }
        nested = r"/customers/(?P<customer>[^/]+)/subscriptions/(?P<token>[^/]+)"
        listed = {"/" + name: {"GET": self.lister(*spec)} for name, spec in lists.items()}
        listed["/resource_subscriptions"]["POST"] = self.subscribe
        routes: dict[str, dict[str, Handler]] = {
            "/account": {"GET": self.account},
            **listed,
            "/customers/(?P<id>[^/]+)": {"GET": self.customer},
            nested: {"GET": self.subscription},
            "/invoices/(?P<id>[^/]+)": {"GET": self.invoice},
            "/spaces/(?P<id>[^/]+)": {"GET": self.space},
        }
        self.routes = [(re.compile(path), methods) for path, methods in routes.items()]
        self.app: Callable[[Scope, Receive, Send], Awaitable[None]] = self._serve
        if readings.gzip:
            self.app = GZipMiddleware(self._serve, minimum_size=200)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        await self.app(scope, receive, send)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = await self.dispatch(request)
        if self.readings.etag and request.method in ("GET", "HEAD") and response.status_code == 200:
            tag = '"' + hashlib.sha256(response.body).hexdigest()[:32] + '"'
            response.headers["ETag"] = tag
            wanted = [t.strip() for t in request.headers.get("if-none-match", "").split(",")]
            if tag in wanted or "*" in wanted:
                response = Response(status_code=304, headers={"ETag": tag})
        if self.readings.connection_close:
            response.headers["Connection"] = "close"
        if not self.readings.chunked or not response.body:
            await response(scope, receive, send)
            return
        headers = [(k, v) for k, v in response.raw_headers if k != b"content-length"]
        await send(
            {"type": "http.response.start", "status": response.status_code, "headers": headers}
        )
        body, half = response.body, len(response.body) // 2
        await send({"type": "http.response.body", "body": body[:half], "more_body": True})
        await send({"type": "http.response.body", "body": body[half:], "more_body": False})

    def _json(
        self, content: Any, status: int = 200, headers: dict[str, str] | None = None
    ) -> Response:
        kind = "application/json; charset=utf-8" if self.readings.charset else "application/json"
        body = json.dumps(content, separators=(",", ":")).encode()
        return Response(body, status, headers=headers, media_type=kind)

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        body: Obj = {"message": message, "status": status}
        if self.readings.error_extras:
            body = {"message": message, "code": f"http_{status}", "request_id": uuid.uuid4().hex}
        return self._json(body, status, headers)

    def _unknown_path(self) -> Response:
        if self.readings.message_on_unknown_path:
            return self._error(404, "no such resource")
        return self._json({"code": "http_404", "request_id": uuid.uuid4().hex}, 404)

    async def dispatch(self, request: Request) -> Response:
        readings = self.readings
        account = _credentials(request.headers.get("authorization"), self.tokens, readings)
        if account is None:
            headers = {}
            if "no_challenge" not in self.breaches:
                headers["WWW-Authenticate"] = 'Basic realm="Spaces API", charset="UTF-8"'
            return self._error(401, "a valid access token is required (HTTP Basic user)", headers)
        path = request.url.path
        if not path.startswith(self.base + "/"):
            return self._unknown_path()
        path = path[len(self.base) :]
        if path.endswith("/") and path != "/" and readings.trailing_slash == "308":
            stripped = self.base + path.rstrip("/")
            query = "?" + request.url.query if request.url.query else ""
            if any(p.fullmatch(path.rstrip("/")) for p, _ in self.routes):
                return self._error(308, "moved", {"Location": stripped + query})
            return self._error(404, "no such resource")
        path = path.rstrip("/") or "/"
        for pattern, methods in self.routes:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            allow = ", ".join(sorted({*methods, "HEAD"} if "GET" in methods else methods))
            if request.method == "OPTIONS" and readings.options:
                return Response(status_code=204, headers={"Allow": allow + ", OPTIONS"})
            method = "GET" if request.method == "HEAD" else request.method
            handler = methods.get(method)
            if readings.unimplemented_method == 501 and method not in ("GET", "POST", "OPTIONS"):
                return self._error(501, f"{request.method} is not implemented")
            if handler is None:
                return self._error(405, f"{request.method} is not allowed here", {"Allow": allow})
            try:
                if readings.unknown_parameters == "400":
                    self._known_parameters(request, path)
                return await handler(request, account, match.groupdict())
            except BadRequest as exc:
                return self._error(400, str(exc))
            except NotFound as exc:
                return self._error(404, str(exc) or "no such resource")
            except UnsupportedMediaType as exc:
                return self._error(415, str(exc))
        return self._unknown_path()

    def _known_parameters(self, request: Request, path: str) -> None:
        listing = request.method in ("GET", "HEAD") and path.count("/") == 1 and path != "/account"
        allowed = PAGING if listing else frozenset()
        unknown = sorted(
            {k for k, _ in parse_qsl(request.url.query, keep_blank_values=True)} - allowed
        )
        if unknown:
            raise BadRequest(f"unknown parameter: {unknown[0]}")

    def _query(self, request: Request) -> dict[str, str]:
        return dict(parse_qsl(request.url.query, keep_blank_values=True))

    def lister(self, attribute: str, key: str | None) -> Handler:
        async def handler(request: Request, account: Account, _: dict[str, str]) -> Response:
            objects = getattr(account, attribute)
            query = self._query(request)
            url = request.url.path
            return self._json(page(objects, key, query, self.breaches, url, self.readings))

        return handler

    async def account(self, request: Request, account: Account, _: dict[str, str]) -> Response:
        return self._json(_shown(account.profile, self.readings))

    def _find(self, objects: Iterable[Obj], key: str, value: str) -> Obj:
        for obj in objects:
            if str(obj[key]) == value:
                return _shown(obj, self.readings)
        raise NotFound(f"no such {key}: {value}")

    def _shaped(self, value: str, example: str) -> None:
        if self.readings.malformed_token == 400 and self.readings.id_style == "example":
            if not re.fullmatch(example + r"_[A-Z0-9]{12}", value):
                raise BadRequest(f"not a {example.lower()} id: {value}")

    async def customer(self, request: Request, account: Account, p: dict[str, str]) -> Response:
        self._shaped(p["id"], "CUSTOMER")
        if "own_ids_refused" in self.breaches:
            raise BadRequest(f"not a customer id: {p['id']}")
        customers: Iterable[Obj] = account.customers
        if "cross_account" in self.breaches:
            customers = [c for a in self.accounts for c in a.customers]
        return self._json(self._find(customers, "id", p["id"]))

    async def invoice(self, request: Request, account: Account, p: dict[str, str]) -> Response:
        self._shaped(p["id"], "INVOICE")
        return self._json(self._find(account.invoices, "id", p["id"]))

    async def space(self, request: Request, account: Account, p: dict[str, str]) -> Response:
        if not DECIMAL.fullmatch(p["id"]):
            if self.readings.malformed_id == 400:
                raise BadRequest("a Space id is a positive integer")
            raise NotFound("no such space")
        return self._json(self._find(account.spaces, "id", str(int(p["id"]))))

    async def subscription(self, request: Request, account: Account, p: dict[str, str]) -> Response:
        self._find(account.customers, "id", p["customer"])
        mine = [
            s
            for s in account.subscriptions
            if s["_customer"] == p["customer"] or "subscription_any_customer" in self.breaches
        ]
        return self._json(self._find(mine, "token", p["token"]))

    async def subscribe(self, request: Request, account: Account, _: dict[str, str]) -> Response:
        form = await self._body(request)
        event, target = form.get("event"), form.get("target_url")
        if not isinstance(event, str) or event not in EVENT_TYPES:
            raise BadRequest(f"event must be one of {', '.join(EVENT_TYPES)}")
        if not isinstance(target, str) or not _target_url(target):
            raise BadRequest("target_url must be an absolute http or https URL")
        if self.readings.refuses_duplicates and any(
            (s["event"], s["target_url"]) == (event, target) for s in account.resource_subscriptions
        ):
            raise BadRequest("a subscription to this event and target_url exists")
        created = int(time.time())  # after every seeded object: the list stays oldest first
        subscription: Obj = {
            "object": "resource_subscription",
            "event": event,
            "target_url": target,
            "api_version": "04-09-2014",
            "created": created,
        }
        if self.readings.ids_everywhere:
            subscription = {
                "id": "RESOURCE_SUBSCRIPTION_" + uuid.uuid4().hex.upper(),
                **subscription,
            }
        account.resource_subscriptions.append(subscription)
        if "created_201" in self.breaches:
            where = f"{self.base}/resource_subscriptions?created={created}"
            return self._json(_shown(subscription, self.readings), 201, {"Location": where})
        return self._json(_shown(subscription, self.readings))

    async def _body(self, request: Request) -> dict[str, Any]:
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        raw = await request.body()
        if kind == "application/json" and self.readings.bodies == "any":
            try:
                body = json.loads(raw)
            except (ValueError, UnicodeDecodeError) as exc:
                raise BadRequest("the body is not JSON") from exc
            if not isinstance(body, dict):
                raise BadRequest("the body must be a JSON object")
            return body
        if kind in ("application/x-www-form-urlencoded", ""):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise BadRequest("the form is not UTF-8") from exc
            return dict(parse_qsl(text, keep_blank_values=True))
        if self.readings.bodies == "form":
            raise UnsupportedMediaType(
                f"send a form (application/x-www-form-urlencoded), not {kind}"
            )
        raise BadRequest(f"unsupported content type: {kind}")


def create_app(
    accounts: Sequence[Account] | None = None,
    *,
    breaches: Iterable[str] = (),
    seed: int = 0,
    readings: str = "first",
) -> StrangerApp:
    """The stranger with the readings of `READINGS[readings]`."""
    chosen = READINGS[readings]
    data = two_accounts(seed, chosen) if accounts is None else accounts
    return StrangerApp(data, breaches=breaches, readings=chosen)
