"""Every check the suite runs, with its stable code: the one registry reports iterate.

A code never changes meaning once given (like Schemathesis' ST1xx): a CI rule or a ticket can
name it. `SP1xx` are Schemathesis' own checks, `SP2xx` the suite's checks on single answers,
`SP3xx` pagination, `SP4xx` credentials and tenancy, `SP5xx` input and round trips, `SP9xx` what
the server did to the run itself (no answer after the retries).

Grades: a *failure* breaks what the Spaces docs state; a *deviation* differs only from a decision
the spec took where the docs are silent or contradict themselves (spec/NOTES.md, numbered), and
fails a run only under `--strict`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CHECKS",
    "DEVIATION",
    "FAILURE",
    "GRADES",
    "CheckInfo",
    "code_of",
]

FAILURE = "failure"
DEVIATION = "deviation"
GRADES = (FAILURE, DEVIATION)


@dataclass(frozen=True)
class CheckInfo:
    name: str
    code: str
    summary: str


_C = CheckInfo
CHECKS: dict[str, CheckInfo] = {
    c.name: c
    for c in [
        # Schemathesis' built-in checks
        _C("not_a_server_error", "SP101", "no 5xx answer"),
        _C("status_code_conformance", "SP102", "the status is one the spec declares"),
        _C("content_type_conformance", "SP103", "the Content-Type is one the spec declares"),
        _C("response_headers_conformance", "SP104", "declared response headers are sent"),
        _C("response_schema_conformance", "SP105", "the body matches the spec's schema"),
        _C("negative_data_rejection", "SP106", "a request the spec calls invalid is refused"),
        _C("positive_data_acceptance", "SP107", "a request the spec calls valid is accepted"),
        _C("use_after_free", "SP108", "a deleted object stays gone"),
        _C("ensure_resource_availability", "SP109", "a created object can be fetched"),
        _C("ignored_auth", "SP110", "credentials are required"),
        _C("max_response_time", "SP111", "an answer within the time limit"),
        _C("missing_required_header", "SP112", "a missing required header is refused"),
        _C("unsupported_method", "SP113", "a method the spec lacks gets 405"),
        _C("allow_header_conformance", "SP114", "a 405 names the allowed methods"),
        _C("object_level_authorization", "SP115", "one user's object is not another's"),
        _C("after_run", "SP119", "Schemathesis' checks over the whole run"),
        # The suite's checks on every generated answer
        _C("list_envelope", "SP201", "list envelope: at most `limit` objects, `count`, cursors"),
        _C("object_types", "SP202", "`object` names the type the spec gives"),
        _C("error_json_message", "SP203", "errors are JSON with a `message`; 401 challenges"),
        # Pagination
        _C("pagination_walk", "SP301", "the forward cursor visits every object once, in order"),
        _C("pagination_backward", "SP302", "the backward cursor retraces the forward walk"),
        _C("cursor_refused", "SP303", "cursors naming no object of the list are refused"),
        _C("list_retrieve_identity", "SP304", "a listed object retrieves as listed"),
        _C("has_more_boundary", "SP305", "`has_more` at a page boundary (limit = list length)"),
        _C("pagination_envelope", "SP306", "a list that cannot be walked: envelope and `limit`"),
        # Credentials and tenancy
        _C("auth_required", "SP401", "no, wrong or other-scheme credentials get 401"),
        _C("tenant_isolation", "SP402", "one account never sees another's objects"),
        _C("parent_scope", "SP403", "a child through another parent of the account is a 404"),
        # Input and round trips
        _C("subscription_roundtrip", "SP501", "a created object is echoed and listed as sent"),
        _C("link_target", "SP502", "the spec's links lead to a 200"),
        _C("bad_input_refused", "SP503", "malformed input is refused with a JSON 4xx"),
        # The server and the run
        _C("no_answer", "SP901", "the server answered (no timeout or reset after the retries)"),
    ]
}
_UNKNOWN = "SP199"  # a Schemathesis check this registry does not know yet (a newer version)


def code_of(check: str) -> str:
    info = CHECKS.get(check)
    return info.code if info else _UNKNOWN
