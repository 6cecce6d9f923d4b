"""The faults the mutants seed: small handlers over `asgi.intercept`, each one realistic bug.

Builders: `edit_json` (rewrite answer bodies), `request_edit` (rewrite or answer a request),
`answer_edit` (rewrite any answer), `learning` (a handler that remembers accepted tokens).
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable
from typing import Any

from spaces_toolkit.contract.asgi import Answer, Request, json_answer, walk_objects
from spaces_toolkit.contract.http import basic

Call = Callable[[Request], Awaitable[Answer]]
Factory = Callable[[], Callable[[Request, Call], Awaitable[Answer]]]

__all__ = [
    "before_as_after",
    "stall_on_min_limit",
    "boom_on_min_limit",
    "more_at_exact_end",
    "parent_scope_leak",
    "Call",
    "Factory",
    "always_more",
    "answer_edit",
    "boom_on_max_limit",
    "count_page_size",
    "drop_email",
    "edit_json",
    "forbidden_not_401",
    "html_errors",
    "is_list",
    "leak_customers",
    "learning",
    "no_challenge",
    "not_found_for_unknown_methods",
    "ok_on",
    "open_invoices",
    "reject_forms",
    "relabel_api_version",
    "request_edit",
    "retype",
    "skip_after_cursor",
    "drop_param",
    "text_plain",
    "token_of",
    "unknown_cursor_ignored",
    "unstable",
]


def edit_json(edit: Callable[[Request, Any], Any], when: Callable[[Request, Answer], bool]):
    """A handler that rewrites the JSON body of the answers `when` selects."""

    def factory():
        async def handler(request: Request, call: Call) -> Answer:
            answer = await call(request)
            body = answer.json
            if body is None or not when(request, answer):
                return answer
            return answer.with_json(edit(request, body))

        return handler

    return factory


def ok_on(path: str) -> Callable[[Request, Answer], bool]:
    return lambda r, a: a.status == 200 and r.path.startswith(path)


def is_list(r: Request, a: Answer) -> bool:
    return a.status == 200 and r.method == "GET" and isinstance((a.json or {}).get("data"), list)


def retype(kind: str, new: str, nested_only: bool = False):
    def edit(request: Request, body: Any) -> Any:
        def visit(obj: dict[str, Any]) -> None:
            if obj.get("object") == kind and (not nested_only or obj is not body):
                obj["object"] = new

        if nested_only and isinstance(body.get("data"), list):
            for item in body["data"]:
                for value in item.values():
                    walk_objects(value, visit)
        else:
            walk_objects(body, visit)
        return body

    return edit


def drop_email(request: Request, body: Any) -> Any:
    walk_objects(body, lambda o: o.pop("email", None) if o.get("object") == "customer" else None)
    return body


def count_page_size(request: Request, body: Any) -> Any:
    body["count"] = int(request.param("limit") or 20)
    return body


def skip_after_cursor(request: Request, body: Any) -> Any:
    if request.param("starting_after") and body["data"]:
        body["data"] = body["data"][1:]
        body["count"] = len(body["data"])
    return body


def always_more(request: Request, body: Any) -> Any:
    body["has_more"] = True
    return body


def relabel_api_version(request: Request, body: Any) -> Any:
    for item in body["data"]:
        item["api_version"] = "2014-09-04"
    return body


def request_edit(edit: Callable[[Request], Request | Answer]):
    def factory():
        async def handler(request: Request, call: Call) -> Answer:
            changed = edit(request)
            return changed if isinstance(changed, Answer) else await call(changed)

        return handler

    return factory


def drop_param(param: str) -> Callable[[Request], Request]:
    return lambda r: r.with_query(**{param: None}) if r.method == "GET" else r


def boom_on_max_limit(request: Request) -> Request | Answer:
    if request.param("limit") == "100":
        return json_answer(500, {"message": "Internal server error"})
    return request


def reject_forms(request: Request) -> Request | Answer:
    if request.method == "POST" and "form" in (request.header("content-type") or ""):
        return json_answer(415, {"message": "Unsupported Content-Type; use application/json"})
    return request


def answer_edit(edit: Callable[[Request, Answer], Answer]):
    def factory():
        async def handler(request: Request, call: Call) -> Answer:
            return edit(request, await call(request))

        return handler

    return factory


def html_errors(request: Request, answer: Answer) -> Answer:
    if answer.status < 400:
        return answer
    page = f"<html><body><h1>Error {answer.status}</h1></body></html>".encode()
    return answer.with_body(page, "text/html; charset=utf-8")


def forbidden_not_401(request: Request, answer: Answer) -> Answer:
    if answer.status == 401:
        answer.status = 403
    return answer


def no_challenge(request: Request, answer: Answer) -> Answer:
    return answer.with_header("www-authenticate", None) if answer.status == 401 else answer


def text_plain(request: Request, answer: Answer) -> Answer:
    return answer.with_header("content-type", "text/plain") if answer.status == 200 else answer


def not_found_for_unknown_methods(request: Request, answer: Answer) -> Answer:
    if answer.status == 405:
        return json_answer(404, {"message": f"No such route: {request.path}"})
    return answer


def token_of(request: Request) -> str | None:
    header = request.header("authorization") or ""
    if not header.lower().startswith("basic "):
        return None
    try:
        return base64.b64decode(header[6:]).decode().partition(":")[0]
    except ValueError:
        return None


def learning(decide: Callable[[Request, Call, set[str]], Awaitable[Answer]]) -> Factory:
    """A handler that remembers every token the server accepted, for faults that misuse them."""

    def factory() -> Callable[[Request, Call], Awaitable[Answer]]:
        known: set[str] = set()

        async def handler(request: Request, call: Call) -> Answer:
            return await decide(request, call, known)

        return handler

    return factory


async def open_invoices(request: Request, call: Call, known: set[str]) -> Answer:
    answer = await call(request)
    token = token_of(request)
    if answer.status == 200 and token:
        known.add(token)
    if answer.status == 401 and request.path == "/invoices" and known:
        return await call(request.with_header("authorization", basic(sorted(known)[0])))
    return answer


async def leak_customers(request: Request, call: Call, known: set[str]) -> Answer:
    answer = await call(request)
    token = token_of(request)
    if answer.status == 200 and token:
        known.add(token)
    if (
        answer.status == 404
        and request.path.startswith("/customers/")
        and request.path.count("/") == 2
    ):
        for other in sorted(known - {token}):
            leaked = await call(request.with_header("authorization", basic(other)))
            if leaked.status == 200:
                return leaked
    return answer


async def unknown_cursor_ignored(request: Request, call: Call, known: set[str]) -> Answer:
    answer = await call(request)
    cursors = {"starting_after": None, "starting_before": None}
    if answer.status == 400 and request.method == "GET" and any(map(request.param, cursors)):
        return await call(request.with_query(**cursors))
    return answer


def unstable():
    seen = {"n": 0}

    async def handler(request: Request, call: Call) -> Answer:
        answer = await call(request)
        body = answer.json
        if is_list(request, answer) and request.path == "/customers":
            seen["n"] += 1
            if seen["n"] % 2 == 0:
                body["data"] = list(reversed(body["data"]))
                return answer.with_json(body)
        return answer

    return handler


def more_at_exact_end(request: Request, body: Any) -> Any:
    """The off-by-one of a server that says `has_more` whenever a page is full: true on the
    last page when the objects left are exactly `limit`."""
    limit = int(request.param("limit") or 20)
    if len(body["data"]) == limit and not request.param("starting_before"):
        body["has_more"] = True
    return body


def before_as_after(request: Request) -> Request:
    """`starting_before` answered as if it were `starting_after`."""
    before = request.param("starting_before")
    if request.method != "GET" or before is None:
        return request
    return request.with_query(starting_before=None, starting_after=before)


def boom_on_min_limit(request: Request) -> Request | Answer:
    if request.param("limit") == "1":
        return json_answer(500, {"message": "Internal server error"})
    return request


def _at(request: Request, path: str, **query: str | None) -> Request:
    """A GET of another path of the API, with the same credentials."""
    prefix = str(request.scope["path"])[: -len(request.path)] if request.path else ""
    scope = dict(request.scope, method="GET", path=prefix + path, raw_path=(prefix + path).encode())
    return Request(scope, b"").with_query(**query)


def parent_scope_leak() -> Callable[[Request, Call], Awaitable[Answer]]:
    """A subscription is found by its token alone: through any customer of the account."""

    async def handler(request: Request, call: Call) -> Answer:
        answer = await call(request)
        parts = request.path.strip("/").split("/")
        if answer.status != 404 or len(parts) != 4 or parts[0] != "customers":
            return answer
        token, cursor = parts[3], None
        for _ in range(50):
            page = await call(_at(request, "/subscriptions", limit="100", starting_after=cursor))
            body = page.json if page.status == 200 else None
            if not isinstance(body, dict) or not body.get("data"):
                break
            for sub in body["data"]:
                if sub.get("token") == token:
                    return Answer(200, list(page.headers)).with_json(sub)
            if not body.get("has_more"):
                break
            cursor = body["data"][-1].get("id")
        return answer

    return handler


def stall_on_min_limit(
    seconds: float,
) -> Callable[[], Callable[[Request, Call], Awaitable[Answer]]]:
    """`limit=1` never answered in time: the client's timeouts, then its retries, run out."""

    def factory() -> Callable[[Request, Call], Awaitable[Answer]]:
        async def handler(request: Request, call: Call) -> Answer:
            if request.param("limit") == "1":
                await asyncio.sleep(seconds)
            return await call(request)

        return handler

    return factory


def too_many_requests(retry_after: str) -> Answer:
    """A rate limiter's refusal (RFC 6585): 429, a JSON `message` and a Retry-After."""
    answer = json_answer(429, {"message": "Too many requests: retry after the delay"})
    return answer.with_header("retry-after", retry_after)


def rate_limit_on_min_limit() -> Callable[[], Callable[[Request, Call], Awaitable[Answer]]]:
    """`limit=1` always refused with 429 Too Many Requests (`Retry-After: 0`): waited out and
    sent again, it never gets an answer, so what the request was for is never done."""

    def factory() -> Callable[[Request, Call], Awaitable[Answer]]:
        async def handler(request: Request, call: Call) -> Answer:
            if request.param("limit") == "1":
                return too_many_requests("0")
            return await call(request)

        return handler

    return factory
