"""Deliberately broken variants of the reference server, to prove the suite catches real faults.

Each mutant is a fault from `faults` wrapped around the clean embedded server (through
`run_embedded(wrap=...)`, so the server code stays clean), the check that must catch it, and a
small targeted run (operations, phases, probes) that keeps its test fast. `spaces contract
--mutant NAME` runs the suite against one; `--list-mutants` lists them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from spaces_toolkit.contract import faults as f
from spaces_toolkit.contract.asgi import intercept

__all__ = ["Mutant", "MUTANTS", "get_mutant"]


@dataclass(frozen=True)
class Mutant:
    name: str
    description: str
    caught_by: str
    factory: f.Factory
    scope: dict[str, Any] = field(default_factory=dict)
    # The fault breaks only a decision of the spec (spec/NOTES.md), not the docs: a deviation,
    # which fails the run under --strict.
    strict: bool = False

    @property
    def wrap(self) -> Any:
        """A fresh `wrap` for run_embedded (each server gets its own fault state)."""
        return intercept(self.factory())


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
            f.edit_json(f.drop_email, f.ok_on("/customers")),
            _scope(_LIST, ["fuzzing"]),
        ),
        _M(
            "wrong_object_value",
            'invoices say `"object": "bill"`',
            "object_types",
            f.edit_json(f.retype("invoice", "bill"), f.ok_on("/invoices")),
            _scope(["GET /invoices"], ["fuzzing"]),
        ),
        _M(
            "wrong_nested_object",
            'the Space inside a listed customer says `"object": "Space"`',
            "object_types",
            f.edit_json(f.retype("space", "Space", nested_only=True), f.is_list),
            _scope(_LIST, ["fuzzing"]),
        ),
        _M(
            "ignored_limit",
            "`limit` is ignored: every page has 20 objects",
            "list_envelope",
            f.request_edit(f.drop_param("limit")),
            _scope(_LIST, ["coverage"]),
        ),
        _M(
            "count_is_page_size",
            "`count` is the requested limit, not len(data)",
            "list_envelope",
            f.edit_json(f.count_page_size, f.is_list),
            _scope(["GET /spaces"], ["fuzzing"]),
        ),
        _M(
            "cursor_off_by_one",
            "`starting_after` skips the first object after the cursor",
            "pagination_walk",
            f.edit_json(f.skip_after_cursor, f.is_list),
            _scope(probes=["pagination"]),
        ),
        _M(
            "has_more_always_true",
            "`has_more` is always true",
            "pagination_walk",
            f.edit_json(f.always_more, f.is_list),
            _scope(probes=["pagination"]),
        ),
        _M(
            "starting_before_ignored",
            "`starting_before` is ignored (first page instead)",
            "pagination_backward",
            f.request_edit(f.drop_param("starting_before")),
            _scope(probes=["pagination"]),
        ),
        _M(
            "unknown_cursor_accepted",
            "an unknown or foreign cursor gives the first page, not 400",
            "cursor_refused",
            f.learning(f.unknown_cursor_ignored),
            _scope(probes=["pagination"]),
        ),
        _M(
            "unstable_order",
            "every other customer page comes in reverse order",
            "pagination_walk",
            f.unstable,
            _scope(probes=["pagination"]),
        ),
        _M(
            "server_error_on_max_limit",
            "500 for `limit=100`, a valid value",
            "not_a_server_error",
            f.request_edit(f.boom_on_max_limit),
            _scope(["GET /events"], ["coverage"]),
        ),
        _M(
            "auth_not_enforced",
            "GET /invoices answers without valid credentials",
            "ignored_auth",
            f.learning(f.open_invoices),
            _scope(["GET /invoices"], ["coverage"], ["auth"]),
        ),
        _M(
            "forbidden_not_unauthorized",
            "missing credentials get 403 instead of 401",
            "auth_required",
            f.answer_edit(f.forbidden_not_401),
            _scope(probes=["auth"]),
        ),
        _M(
            "no_auth_challenge",
            "401 without `WWW-Authenticate`",
            "auth_required",
            f.answer_edit(f.no_challenge),
            _scope(probes=["auth"]),
        ),
        _M(
            "tenant_leak",
            "GET /customers/{id} finds another account's customer",
            "tenant_isolation",
            f.learning(f.leak_customers),
            _scope(probes=["tenancy"]),
        ),
        _M(
            "html_error_pages",
            "errors are HTML pages",
            "error_json_message",
            f.answer_edit(f.html_errors),
            _scope(_LIST, ["coverage"]),
        ),
        _M(
            "form_body_rejected",
            "a form-encoded create is refused with 415",
            "positive_data_acceptance",
            f.request_edit(f.reject_forms),
            _scope(["POST /resource_subscriptions"], ["examples"], ["subscriptions"]),
        ),
        _M(
            "subscription_listed_differently",
            "listed subscriptions show another api_version",
            "subscription_roundtrip",
            f.edit_json(
                f.relabel_api_version,
                lambda r, a: f.is_list(r, a) and r.path == "/resource_subscriptions",
            ),
            _scope(probes=["subscriptions"]),
        ),
        _M(
            "wrong_content_type",
            "successful answers are labelled text/plain",
            "content_type_conformance",
            f.answer_edit(f.text_plain),
            _scope(["GET /account"], ["examples", "fuzzing"], max_examples=5),
        ),
        _M(
            "unsupported_method_404",
            "a method the spec lacks gets 404, not 405",
            "unsupported_method",
            f.answer_edit(f.not_found_for_unknown_methods),
            _scope(["GET /account"], ["coverage"]),
        ),
        _M(
            "has_more_off_by_one",
            "`has_more` is true on a full last page (objects left == `limit`)",
            "has_more_boundary",
            f.edit_json(f.more_at_exact_end, f.is_list),
            _scope(probes=["pagination"]),
        ),
        _M(
            "parent_scope_leak",
            "a subscription is found by its token through any customer of the account",
            "parent_scope",
            f.parent_scope_leak,
            _scope(probes=["parent_scope"]),
        ),
        _M(
            "before_acts_as_after",
            "`starting_before` pages forwards, like `starting_after`",
            "pagination_backward",
            f.request_edit(f.before_as_after),
            _scope(probes=["pagination"]),
        ),
        _M(
            "server_error_on_min_limit",
            "500 for `limit=1`, a valid value (all probes and phases: exit 1, never 2)",
            "not_a_server_error",
            f.request_edit(f.boom_on_min_limit),
            _scope(["GET /events"], ["coverage"], ["pagination", "auth", "tenancy"]),
        ),
        _M(
            "no_answer_on_min_limit",
            "`limit=1` is never answered in time (a timeout after every retry: exit 1, not 2)",
            "no_answer",
            f.stall_on_min_limit(2.0),
            {**_scope(probes=["pagination"]), "timeout": 0.5, "retries": 1},
        ),
        _M(
            "rate_limited_on_min_limit",
            "`limit=1` always answered 429 (waited out and sent again: still a failure, since"
            " a 429 is not checked only while it passes)",
            "pagination_walk",
            f.rate_limit_on_min_limit(),
            {**_scope(probes=["pagination"]), "retries": 1},
        ),
    ]
}


def get_mutant(name: str) -> Mutant:
    return MUTANTS[name]
