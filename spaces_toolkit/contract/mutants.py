"""Deliberately broken variants of the reference server, to prove the suite catches real faults.

Each mutant is an ASGI wrapper (see `asgi.intercept`) around the clean embedded server, the check
that must catch it, and a small targeted run (operations, phases, probes) that keeps its test fast.
`spaces contract --mutant NAME` runs the suite against one of them.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from spaces_toolkit.contract.asgi import Answer, Request, intercept, json_answer, walk_objects

__all__ = ["Mutant", "MUTANTS", "get_mutant"]

Call = Callable[[Request], Awaitable[Answer]]


@dataclass(frozen=True)
class Mutant:
    name: str
    description: str
    caught_by: str
    factory: Callable[[], Callable[[Request, Call], Awaitable[Answer]]]
    scope: dict[str, Any] = field(default_factory=dict)

    @property
    def wrap(self) -> Callable[[Any], Any]:
        return intercept(self.factory())


def _edit_json(edit: Callable[[Request, Any], Any], when: Callable[[Request, Answer], bool]):
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


def _ok_on(path: str) -> Callable[[Request, Answer], bool]:
    return lambda r, a: a.status == 200 and r.path.startswith(path)


def _is_list(r: Request, a: Answer) -> bool:
    return a.status == 200 and r.method == "GET" and isinstance((a.json or {}).get("data"), list)


def _retype(kind: str, new: str, nested_only: bool = False):
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


def _drop_email(request: Request, body: Any) -> Any:
    walk_objects(body, lambda o: o.pop("email", None) if o.get("object") == "customer" else None)
    return body


def _count_page_size(request: Request, body: Any) -> Any:
    body["count"] = int(request.param("limit") or 20)
    return body


def _skip_after_cursor(request: Request, body: Any) -> Any:
    if request.param("starting_after") and body["data"]:
        body["data"] = body["data"][1:]
        body["count"] = len(body["data"])
    return body


def _always_more(request: Request, body: Any) -> Any:
    body["has_more"] = True
    return body


def _relabel_api_version(request: Request, body: Any) -> Any:
    for item in body["data"]:
        item["api_version"] = "2014-09-04"
    return body


def _request_edit(edit: Callable[[Request], Request | Answer]):
    def factory():
        async def handler(request: Request, call: Call) -> Answer:
            changed = edit(request)
            return changed if isinstance(changed, Answer) else await call(changed)

        return handler

    return factory


def _strip(param: str) -> Callable[[Request], Request]:
    return lambda r: r.with_query(**{param: None}) if r.method == "GET" else r


def _boom_on_max_limit(request: Request) -> Request | Answer:
    if request.param("limit") == "100":
        return json_answer(500, {"message": "Internal server error"})
    return request


def _reject_forms(request: Request) -> Request | Answer:
    if request.method == "POST" and "form" in (request.header("content-type") or ""):
        return json_answer(415, {"message": "Unsupported Content-Type; use application/json"})
    return request


def _answer_edit(edit: Callable[[Request, Answer], Answer]):
    def factory():
        async def handler(request: Request, call: Call) -> Answer:
            return edit(request, await call(request))

        return handler

    return factory


def _html_errors(request: Request, answer: Answer) -> Answer:
    if answer.status < 400:
        return answer
    page = f"<html><body><h1>Error {answer.status}</h1></body></html>".encode()
    return answer.with_body(page, "text/html; charset=utf-8")


def _forbidden_not_401(request: Request, answer: Answer) -> Answer:
    if answer.status == 401:
        answer.status = 403
    return answer


def _no_challenge(request: Request, answer: Answer) -> Answer:
    return answer.with_header("www-authenticate", None) if answer.status == 401 else answer


def _text_plain(request: Request, answer: Answer) -> Answer:
    return answer.with_header("content-type", "text/plain") if answer.status == 200 else answer


def _not_found_for_unknown_methods(request: Request, answer: Answer) -> Answer:
    if answer.status == 405:
        return json_answer(404, {"message": f"No such route: {request.path}"})
    return answer


def _token_of(request: Request) -> str | None:
    header = request.header("authorization") or ""
    if not header.lower().startswith("basic "):
        return None
    try:
        return base64.b64decode(header[6:]).decode().partition(":")[0]
    except ValueError:
        return None


def _learning(decide: Callable[[Request, Answer, set[str]], Awaitable[Answer]] | Any):
    """A handler that remembers every token the server accepted, for faults that misuse them."""

    def factory():
        known: set[str] = set()

        async def handler(request: Request, call: Call) -> Answer:
            return await decide(request, call, known)

        return handler

    return factory


async def _open_invoices(request: Request, call: Call, known: set[str]) -> Answer:
    answer = await call(request)
    token = _token_of(request)
    if answer.status == 200 and token:
        known.add(token)
    if answer.status == 401 and request.path == "/invoices" and known:
        from spaces_toolkit.contract.http import basic

        return await call(request.with_header("authorization", basic(sorted(known)[0])))
    return answer


async def _leak_customers(request: Request, call: Call, known: set[str]) -> Answer:
    answer = await call(request)
    token = _token_of(request)
    if answer.status == 200 and token:
        known.add(token)
    if (
        answer.status == 404
        and request.path.startswith("/customers/")
        and request.path.count("/") == 2
    ):
        from spaces_toolkit.contract.http import basic

        for other in sorted(known - {token}):
            leaked = await call(request.with_header("authorization", basic(other)))
            if leaked.status == 200:
                return leaked
    return answer


async def _unknown_cursor_ignored(request: Request, call: Call, known: set[str]) -> Answer:
    answer = await call(request)
    cursors = {"starting_after": None, "starting_before": None}
    if answer.status == 400 and request.method == "GET" and any(map(request.param, cursors)):
        return await call(request.with_query(**cursors))
    return answer


def _unstable():
    seen = {"n": 0}

    async def handler(request: Request, call: Call) -> Answer:
        answer = await call(request)
        body = answer.json
        if _is_list(request, answer) and request.path == "/customers":
            seen["n"] += 1
            if seen["n"] % 2 == 0:
                body["data"] = list(reversed(body["data"]))
                return answer.with_json(body)
        return answer

    return handler


def _scope(operations=(), phases=(), probes=(), max_examples=10) -> dict[str, Any]:
    return {
        "operations": tuple(operations) or None,
        "phases": tuple(phases),
        "probes": tuple(probes),
        "max_examples": max_examples,
    }


_LIST = ("GET /customers",)
_M = Mutant
MUTANTS: dict[str, Mutant] = {
    m.name: m
    for m in [
        _M(
            "dropped_required_field",
            "customers lose their required `email`",
            "response_schema_conformance",
            _edit_json(_drop_email, _ok_on("/customers")),
            _scope(_LIST, ["fuzzing"]),
        ),
        _M(
            "wrong_object_value",
            'invoices say `"object": "bill"`',
            "object_types",
            _edit_json(_retype("invoice", "bill"), _ok_on("/invoices")),
            _scope(["GET /invoices"], ["fuzzing"]),
        ),
        _M(
            "wrong_nested_object",
            'the Space inside a listed customer says `"object": "Space"`',
            "object_types",
            _edit_json(_retype("space", "Space", nested_only=True), _is_list),
            _scope(_LIST, ["fuzzing"]),
        ),
        _M(
            "ignored_limit",
            "`limit` is ignored: every page has 20 objects",
            "list_envelope",
            _request_edit(_strip("limit")),
            _scope(_LIST, ["coverage"]),
        ),
        _M(
            "count_is_page_size",
            "`count` is the requested limit, not len(data)",
            "list_envelope",
            _edit_json(_count_page_size, _is_list),
            _scope(["GET /spaces"], ["fuzzing"]),
        ),
        _M(
            "cursor_off_by_one",
            "`starting_after` skips the first object after the cursor",
            "pagination_walk",
            _edit_json(_skip_after_cursor, _is_list),
            _scope(probes=["pagination"]),
        ),
        _M(
            "has_more_always_true",
            "`has_more` is always true",
            "pagination_walk",
            _edit_json(_always_more, _is_list),
            _scope(probes=["pagination"]),
        ),
        _M(
            "starting_before_ignored",
            "`starting_before` is ignored (first page instead)",
            "pagination_backward",
            _request_edit(_strip("starting_before")),
            _scope(probes=["pagination"]),
        ),
        _M(
            "unknown_cursor_accepted",
            "an unknown or foreign cursor gives the first page, not 400",
            "cursor_refused",
            _learning(_unknown_cursor_ignored),
            _scope(probes=["pagination"]),
        ),
        _M(
            "unstable_order",
            "every other customer page comes in reverse order",
            "pagination_walk",
            _unstable,
            _scope(probes=["pagination"]),
        ),
        _M(
            "server_error_on_max_limit",
            "500 for `limit=100`, a valid value",
            "not_a_server_error",
            _request_edit(_boom_on_max_limit),
            _scope(["GET /events"], ["coverage"]),
        ),
        _M(
            "auth_not_enforced",
            "GET /invoices answers without valid credentials",
            "ignored_auth",
            _learning(_open_invoices),
            _scope(["GET /invoices"], ["coverage"], ["auth"]),
        ),
        _M(
            "forbidden_not_unauthorized",
            "missing credentials get 403 instead of 401",
            "auth_required",
            _answer_edit(_forbidden_not_401),
            _scope(probes=["auth"]),
        ),
        _M(
            "no_auth_challenge",
            "401 without `WWW-Authenticate`",
            "error_json_message",
            _answer_edit(_no_challenge),
            _scope(["GET /account"], ["coverage"], ["auth"]),
        ),
        _M(
            "tenant_leak",
            "GET /customers/{id} finds another account's customer",
            "tenant_isolation",
            _learning(_leak_customers),
            _scope(probes=["tenancy"]),
        ),
        _M(
            "html_error_pages",
            "errors are HTML pages",
            "error_json_message",
            _answer_edit(_html_errors),
            _scope(_LIST, ["coverage"]),
        ),
        _M(
            "form_body_rejected",
            "a form-encoded create is refused with 415",
            "positive_data_acceptance",
            _request_edit(_reject_forms),
            _scope(["POST /resource_subscriptions"], ["examples"], ["subscriptions"]),
        ),
        _M(
            "subscription_listed_differently",
            "listed subscriptions show another api_version",
            "subscription_roundtrip",
            _edit_json(
                _relabel_api_version,
                lambda r, a: _is_list(r, a) and r.path == "/resource_subscriptions",
            ),
            _scope(probes=["subscriptions"]),
        ),
        _M(
            "wrong_content_type",
            "successful answers are labelled text/plain",
            "content_type_conformance",
            _answer_edit(_text_plain),
            _scope(["GET /account"], ["examples", "fuzzing"], max_examples=5),
        ),
        _M(
            "unsupported_method_404",
            "a method the spec lacks gets 404, not 405",
            "unsupported_method",
            _answer_edit(_not_found_for_unknown_methods),
            _scope(["GET /account"], ["coverage"]),
        ),
    ]
}


def get_mutant(name: str) -> Mutant:
    return MUTANTS[name]
