"""Valid variants of the reference server: implementations that differ from it only in ways the
spec allows. The suite must pass every one with 0 failures: its specificity, proven the way the
mutants prove its sensitivity.

Each is an `asgi.intercept` handler around the clean embedded server (the server code stays
untouched), plus how the embedded server is seeded. `spaces contract --variant NAME` runs the
suite against one; `--list-variants` lists them.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from spaces_toolkit.contract.asgi import Answer, Request, intercept, walk_objects
from spaces_toolkit.contract.faults import (
    Call,
    Factory,
    answer_edit,
    is_list,
    too_many_requests,
)

__all__ = ["VARIANTS", "Variant", "get_variant"]


@dataclass(frozen=True)
class Variant:
    name: str
    description: str
    factory: Factory
    customers: int = 30  # per seeded account
    options: dict[str, Any] = field(default_factory=dict)  # ContractOptions the variant needs
    # Takes another reading of the docs than a spec decision: passes without --strict, listing
    # its deviations (with their NOTES numbers), and fails with it.
    other_reading: bool = False

    @property
    def wrap(self) -> Any:
        return intercept(self.factory())


def _plain() -> Factory:
    def factory():
        async def handler(request: Request, call: Call) -> Answer:
            return await call(request)

        return handler

    return factory


# ----------------------------------------------------------------------------- short pages


def _short_pages(request: Request, answer: Answer) -> Answer:
    """Pages hold about half of what `limit` allows (`limit` is an upper bound)."""
    body = answer.json
    if not is_list(request, answer) or len(body["data"]) < 2:
        return answer
    keep = math.ceil(len(body["data"]) / 2)
    backwards = request.param("starting_before") is not None
    # A page before a cursor keeps the objects nearest to it; a page after, the first ones.
    body["data"] = body["data"][-keep:] if backwards else body["data"][:keep]
    body["count"], body["has_more"] = keep, True
    return answer.with_json(body)


# ------------------------------------------------------------------- extra fields, errors


def _extra_fields(request: Request, answer: Answer) -> Answer:
    body = answer.json
    if not isinstance(body, dict | list):
        return answer

    found: list[dict[str, Any]] = []
    walk_objects(body, found.append)
    for obj in found:  # added after the walk, so the new objects are not walked into
        obj["x_vendor_trace"] = {"region": "eu-north-1", "shard": 7}
    return answer.with_json(body)


def _error_wording(request: Request, answer: Answer) -> Answer:
    body = answer.json
    if answer.status < 400 or not isinstance(body, dict):
        return answer
    reworded = {
        "message": f"Sorry, we could not do that ({answer.status}). Details: "
        + str(body.get("message", "")).upper(),
        "code": f"E{answer.status}",
        "request_id": "req_0001",
        "documentation_url": "https://example.com/errors",
    }
    return answer.with_json(reworded)


def _charset(request: Request, answer: Answer) -> Answer:
    if (answer.header("content-type") or "").startswith("application/json"):
        return answer.with_header("content-type", "application/json; charset=utf-8")
    return answer


# --------------------------------------------------------------------------- oldest first


def _oldest_first() -> Callable[[Request, Call], Any]:
    """Lists in the opposite (still stable) order: oldest first. The spec leaves order open
    (NOTES 11). Built from the server's own cursors: after X in this order is before X there."""

    async def handler(request: Request, call: Call) -> Answer:
        after, before = request.param("starting_after"), request.param("starting_before")
        if request.method != "GET" or (after is not None and before is not None):
            return await call(request)
        probe = await call(request)
        if not is_list(request, probe):
            return probe
        limit = int(request.param("limit") or 20)
        if after is not None or before is not None:
            swapped = request.with_query(starting_after=before, starting_before=after)
            answer = await call(swapped)
            body = answer.json
            if answer.status == 200:
                body["data"].reverse()
                return answer.with_json(body)
            return answer
        oldest = await _last_object(request, call)
        if oldest is None:
            return probe
        rest = await call(
            request.with_query(starting_before=str(oldest["id"]), limit=str(max(1, limit - 1)))
        )
        body = rest.json
        data = [oldest, *reversed(body["data"])][:limit]
        more = body["has_more"] or len(body["data"]) + 1 > limit
        return probe.with_json(dict(probe.json, data=data, count=len(data), has_more=more))

    return handler


async def _last_object(request: Request, call: Call) -> Any:
    """The last object of the server's own order (walking it in pages of 100)."""
    cursor: str | None = None
    last = None
    while True:
        answer = await call(request.with_query(limit="100", starting_after=cursor))
        body = answer.json
        if not body["data"]:
            return last
        last = body["data"][-1]
        if not body["has_more"]:
            return last
        cursor = str(last["id"])


# ------------------------------------------------------------------------- other id format

_REFERENCE_ID = re.compile(r"^(cus|in|sub|ce|evt|wh|rs)_[A-Za-z0-9]{24}$")
_OURS = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4,}$")


def _encode_id(value: str) -> str:
    raw = value.encode().hex()
    return f"{raw[:8]}-{raw[8:]}"  # a hex id with a dash: nothing like the reference's


def _decode_id(value: str) -> str:
    if not _OURS.match(value):
        return value
    try:
        decoded = bytes.fromhex(value.replace("-", "")).decode()
    except ValueError:
        return value
    return decoded if _REFERENCE_ID.match(decoded) else value


def _map_strings(value: Any, change: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return change(value)
    if isinstance(value, list):
        return [_map_strings(v, change) for v in value]
    if isinstance(value, dict):
        return {k: _map_strings(v, change) for k, v in value.items()}
    return value


def _other_ids() -> Callable[[Request, Call], Any]:
    """String ids in another format (the spec only says they are strings)."""

    def encode(s: str) -> str:
        return _encode_id(s) if _REFERENCE_ID.match(s) else s

    async def handler(request: Request, call: Call) -> Answer:
        path = str(request.scope["path"])
        parts = [quote(_decode_id(unquote(p)), safe="") for p in path.split("/")]
        scope = dict(request.scope, path="/".join(parts), raw_path="/".join(parts).encode())
        inner = Request(scope, request.body, request.query)
        inner = inner.with_query(**{k: _decode_id(v) for k, v in request.query})
        if request.body and (inner.header("content-type") or "").startswith("application/json"):
            try:
                decoded = _map_strings(json.loads(request.body), _decode_id)
                inner = Request(inner.scope, json.dumps(decoded).encode(), inner.query)
            except ValueError:
                pass
        answer = await call(inner)
        body = answer.json
        return answer if body is None else answer.with_json(_map_strings(body, encode))

    return handler


# -------------------------------------------------------------------------------- timing


def _slow() -> Callable[[Request, Call], Any]:
    """Every answer a little late, one in twenty 150-400 ms: a distant, sometimes busy server."""
    count = {"n": 0}

    async def handler(request: Request, call: Call) -> Answer:
        count["n"] += 1
        n = count["n"]
        await asyncio.sleep(0.15 + 0.05 * (n % 6) if n % 20 == 0 else 0.001 * (n % 3))
        return await call(request)

    return handler


def _stalling(every: int, stall: float) -> Factory:
    """One request in `every` stalls for `stall` seconds (longer than the client's timeout):
    the client sees a timeout and must retry, as on a flaky network."""

    def factory():
        count = {"n": 0}

        async def handler(request: Request, call: Call) -> Answer:
            count["n"] += 1
            if count["n"] % every == 0:
                await asyncio.sleep(stall)
            return await call(request)

        return handler

    return factory


def _rate_limited(every: int) -> Factory:
    """One request in `every` refused with 429 Too Many Requests and a Retry-After (RFC 6585),
    as a rate limiter in front of a server does: nothing of the request reaches the API. The
    delays alternate between delay-seconds and an HTTP-date, both of them now."""

    def factory():
        count = {"n": 0}

        async def handler(request: Request, call: Call) -> Answer:
            count["n"] += 1
            if count["n"] % every:
                return await call(request)
            n = count["n"] // every
            return too_many_requests("0" if n % 2 else email.utils.formatdate(usegmt=True))

        return handler

    return factory


def _handler(make: Callable[[], Callable[[Request, Call], Any]]) -> Factory:
    return make


# ------------------------------------------------- the docs' other readings (spec decisions)
# Servers written from the docs alone, taking where the docs are silent or contradict
# themselves another reading than spec/NOTES.md did. Each must pass without --strict and show
# its deviations, each with the NOTES numbers it differs from.

Handler = Callable[[Request, Call], Any]


def _chain(*makers: Callable[[], Handler]) -> Factory:
    """Handlers applied in order, the first outermost."""

    def factory():
        handlers = [make() for make in makers]

        def bind(handler: Handler, inner: Call) -> Call:
            return lambda request: handler(request, inner)

        async def outer(request: Request, call: Call) -> Answer:
            chained = call
            for handler in reversed(handlers):
                chained = bind(handler, chained)
            return await chained(request)

        return outer

    return factory


# The objects whose attribute tables show no `id` (NOTES 14).
_NO_ID_OBJECTS = frozenset(
    {"subscription", "captured_email", "event", "webhook", "resource_subscription"}
)


def _docs_objects() -> Handler:
    """No `id` on the five objects whose tables lack it; subscriptions paged by their
    documented `token` (unique within an account here), the other four lists not pageable by
    cursor at all (the docs give them nothing to page by)."""
    token_to_id: dict[str, str] = {}

    async def handler(request: Request, call: Call) -> Answer:
        if request.path == "/subscriptions":
            cursors = {
                name: token_to_id.get(value, value)
                for name in ("starting_after", "starting_before")
                if (value := request.param(name))
            }
            request = request.with_query(**cursors)
        answer = await call(request)
        body = answer.json
        if not isinstance(body, dict):
            return answer

        def strip(obj: dict[str, Any]) -> None:
            kind = obj.get("object")
            if isinstance(kind, str) and kind in _NO_ID_OBJECTS and "id" in obj:
                if obj["object"] == "subscription" and isinstance(obj.get("token"), str):
                    token_to_id[obj["token"]] = str(obj["id"])
                obj.pop("id")

        walk_objects(body, strip)
        return answer.with_json(body)

    return handler


def _empty_cursor_absent() -> Handler:
    """`?starting_after=` (empty) is the same as no cursor."""

    async def handler(request: Request, call: Call) -> Answer:
        empty = {k: None for k, v in request.query if k.startswith("starting_") and v == ""}
        return await call(request.with_query(**empty) if empty else request)

    return handler


def _wide_urls() -> Handler:
    """Any absolute http(s) URI RFC 3986 allows is a target URL (userinfo, a fragment, an IPv6
    literal, `_` in a host, an upper-case scheme, a trailing dot ...): the reference's own
    validation sees a stand-in, and every answer shows the URL as sent."""
    stand_ins: dict[str, str] = {}

    def wide(url: str) -> bool:
        try:
            parts = urlsplit(url)
            return parts.scheme.lower() in {"http", "https"} and bool(parts.netloc)
        except ValueError:
            return False

    async def handler(request: Request, call: Call) -> Answer:
        if request.method == "POST" and request.path == "/resource_subscriptions":
            request = _swap_target(request, stand_ins, wide)
        answer = await call(request)
        if not stand_ins or answer.json is None:
            return answer
        originals = {v: k for k, v in stand_ins.items()}
        return answer.with_json(_map_strings(answer.json, lambda s: originals.get(s, s)))

    return handler


def _swap_target(
    request: Request, stand_ins: dict[str, str], wide: Callable[[str], bool]
) -> Request:
    media = (request.header("content-type") or "").split(";")[0].strip().lower()
    try:
        if media == "application/json":
            body = json.loads(request.body)
        elif media == "application/x-www-form-urlencoded":
            body = dict(parse_qsl(request.body.decode(), keep_blank_values=True))
        else:
            return request
    except (ValueError, UnicodeDecodeError):
        return request
    url = body.get("target_url") if isinstance(body, dict) else None
    if not isinstance(url, str) or not wide(url):
        return request
    stand_in = stand_ins.setdefault(url, f"https://example.com/wide/{len(stand_ins)}")
    body["target_url"] = stand_in
    raw = json.dumps(body).encode() if media == "application/json" else urlencode(body).encode()
    headers = [(k, v) for k, v in request.scope.get("headers", []) if k != b"content-length"]
    headers.append((b"content-length", str(len(raw)).encode()))
    return Request(dict(request.scope, headers=headers), raw, request.query)


def _tables_only() -> Handler:
    """No list `count` and no subscription `status`: what the attribute tables show."""

    async def handler(request: Request, call: Call) -> Answer:
        answer = await call(request)
        body = answer.json
        if not isinstance(body, dict) or answer.status != 200:
            return answer
        if is_list(request, answer):
            body.pop("count", None)

        def strip(obj: dict[str, Any]) -> None:
            if obj.get("object") == "subscription":
                obj.pop("status", None)

        walk_objects(body, strip)
        return answer.with_json(body)

    return handler


def _malformed_id_404() -> Handler:
    """A malformed id is "not found" (404), where the spec chose 400."""

    async def handler(request: Request, call: Call) -> Answer:
        answer = await call(request)
        parts = request.path.strip("/").split("/")
        if answer.status == 400 and request.method == "GET" and len(parts) == 2:
            return answer.with_json({"message": f"No such object: {parts[1]}"}, status=404)
        return answer

    return handler


def _limit_clamped() -> Handler:
    """An integer `limit` out of 1..100 is clamped into it, not refused."""

    async def handler(request: Request, call: Call) -> Answer:
        raw = request.param("limit")
        if raw is not None and raw.strip().lstrip("+-").isdigit():
            clamped = min(max(int(raw), 1), 100)
            if str(clamped) != raw:
                request = request.with_query(limit=str(clamped))
        return await call(request)

    return handler


def _both_cursors_after_wins() -> Handler:
    """Both cursors at once: the forward one is used, the other ignored (not a 400)."""

    async def handler(request: Request, call: Call) -> Answer:
        if request.param("starting_after") and request.param("starting_before"):
            request = request.with_query(starting_before=None)
        return await call(request)

    return handler


def _reading(make: Callable[[], Handler]) -> Factory:
    return _chain(make)


_READINGS: dict[str, tuple[str, Callable[[], Handler]]] = {
    "docs_objects": (
        "no `id` on the five objects whose tables lack it; subscriptions paged by `token`",
        _docs_objects,
    ),
    "empty_cursor_absent": ("an empty cursor is the same as none", _empty_cursor_absent),
    "wide_urls": ("any absolute http(s) URI is a target URL (RFC 3986)", _wide_urls),
    "tables_only": ("no list `count`, no subscription `status` (as the tables say)", _tables_only),
    "malformed_id_404": ("a malformed id is a 404, not a 400", _malformed_id_404),
    "limit_clamped": ("`limit` out of range is clamped, not a 400", _limit_clamped),
    "both_cursors_after_wins": (
        "both cursors at once: `starting_after` wins, not a 400",
        _both_cursors_after_wins,
    ),
}


_V = Variant
VARIANTS: dict[str, Variant] = {
    v.name: v
    for v in [
        _V("reference", "the reference server as it is", _plain()),
        _V(
            "short_pages", "pages hold about half of what `limit` allows", answer_edit(_short_pages)
        ),
        _V(
            "extra_fields",
            "an unknown extra field on every JSON object, errors included",
            answer_edit(_extra_fields),
        ),
        _V(
            "error_wording",
            "other error messages, plus extra error fields (code, request_id, ...)",
            answer_edit(_error_wording),
        ),
        _V(
            "json_charset",
            "Content-Type `application/json; charset=utf-8`",
            answer_edit(_charset),
        ),
        _V("oldest_first", "lists in another stable order: oldest first", _handler(_oldest_first)),
        _V("other_ids", "string ids in another format (dashed hex)", _handler(_other_ids)),
        _V(
            "large_lists",
            "2,000 customers per account (lists longer than a walk's budget)",
            _plain(),
            customers=2000,
            options={"walk_budget": 20},
        ),
        _V(
            "slow_responses",
            "every answer a little late, one in twenty 150-400 ms",
            _handler(_slow),
        ),
        _V(
            "rate_limited",
            "one request in 13 refused with 429 and a Retry-After (not checked, sent again)",
            _rate_limited(13),
        ),
        _V(
            "flaky_network",
            "one request in 40 stalls past the client's timeout (retried, counted)",
            _stalling(40, 2.0),
            options={"timeout": 1.0, "phases": ()},
        ),
    ]
    + [
        _V(name, description, _reading(make), other_reading=True)
        for name, (description, make) in _READINGS.items()
    ]
    + [
        _V(
            "docs_reading",
            "every other reading at once: " + "; ".join(d for d, _ in _READINGS.values()),
            _chain(*(make for _, make in _READINGS.values())),
            other_reading=True,
        )
    ]
}


def get_variant(name: str) -> Variant:
    return VARIANTS[name]
