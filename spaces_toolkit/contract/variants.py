"""Valid variants of the reference server: implementations that differ from it only in ways the
spec allows. The suite must pass every one with 0 failures: its specificity, proven the way the
mutants prove its sensitivity.

Each is an `asgi.intercept` handler around the clean embedded server (the server code stays
untouched), plus how the embedded server is seeded. `spaces contract --variant NAME` runs the
suite against one; `--list-variants` lists them.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote

from spaces_toolkit.contract.asgi import Answer, Request, intercept, walk_objects
from spaces_toolkit.contract.faults import Call, Factory, answer_edit, is_list

__all__ = ["VARIANTS", "Variant", "get_variant"]


@dataclass(frozen=True)
class Variant:
    name: str
    description: str
    factory: Factory
    customers: int = 30  # per seeded account
    options: dict[str, Any] = field(default_factory=dict)  # ContractOptions the variant needs

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


def _handler(make: Callable[[], Callable[[Request, Call], Any]]) -> Factory:
    return make


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
            "flaky_network",
            "one request in 40 stalls past the client's timeout (retried, counted)",
            _stalling(40, 2.0),
            options={"timeout": 1.0, "phases": ()},
        ),
    ]
}


def get_variant(name: str) -> Variant:
    return VARIANTS[name]
