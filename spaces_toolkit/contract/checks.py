"""Schemathesis checks the suite adds to the built-in ones, run on every generated response.

- `list_envelope`: a list answer holds at most `limit` objects (the spec gives the page-size
  parameter, its default and maximum), `count` is the number of objects in `data`, and a page
  never contains its own cursor.
- `object_types`: `object` names the type the spec gives it on every object and nested object.
- `error_json_message`: every 4xx/5xx answer is a JSON object with a string `message`, and a 401
  says how to authenticate (`WWW-Authenticate: Basic`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import schemathesis
from schemathesis.core.failures import Failure

from spaces_toolkit.contract.apispec import CheckedApi, expected_object_problems, load_model
from spaces_toolkit.contract.grading import Grader, decision_at, grader_for
from spaces_toolkit.spec import escape_token

__all__ = [
    "use_model",
    "ContractViolation",
    "list_envelope",
    "object_types",
    "error_json_message",
]

_models: list[CheckedApi] = []


def use_model(model: CheckedApi) -> None:
    """Judge responses against this spec (the one the run loaded)."""
    _models[:] = [model]


def _model() -> CheckedApi:
    if not _models:
        _models.append(load_model())  # plain `st run` with our hooks: the shipped spec
    return _models[0]


class ContractViolation(Failure):
    """A failure of one of the suite's own checks; with `decisions`, a deviation from them."""

    kind_title = "Contract violation"
    decisions: tuple[int, ...] = ()

    @property
    def _unique_key(self) -> str:
        return self.title


def grader() -> Grader:
    return grader_for(_model().spec)


def _fail(case: schemathesis.Case, title: str, message: str, decision: int | None = None) -> None:
    violation = ContractViolation(operation=case.operation.label, title=title, message=message)
    if decision is not None:
        violation.decisions = (decision,)
    raise violation


def _header(response: schemathesis.Response, name: str) -> str:
    for key, values in response.headers.items():
        if key.lower() == name:
            return values[0] if values else ""
    return ""


def _json_body(response: schemathesis.Response) -> Any:
    """The body as JSON, None if it is not; parsed once per response (`Response.json` keeps it)."""
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError):
        return None


def _sent_query(response: schemathesis.Response) -> dict[str, list[str]]:
    return parse_qs(urlsplit(str(response.request.url)).query, keep_blank_values=True)


@schemathesis.check
def list_envelope(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    lst = _model().list_for(case.operation.label)
    if response.status_code != 200 or lst is None:
        return True
    body = _json_body(response)
    envelope = _model().spec.envelope
    if not isinstance(body, dict) or not isinstance(body.get(envelope.data), list):
        return None  # response_schema_conformance reports the shape
    query = _sent_query(response)
    limit = lst.limit.default
    raw = query.get(lst.limit.name, [])
    if len(raw) == 1 and raw[0].strip().lstrip("+-").isdigit():
        # Out of range, a server may refuse (the spec's decision) or clamp (the docs' other
        # reading): a page it answers holds at most the clamped number.
        limit = min(max(int(raw[0]), lst.limit.minimum), lst.limit.maximum)
    data, items, count = body[envelope.data], envelope.data, envelope.count
    if len(data) > max(limit, 0):
        _fail(
            case,
            "More objects than `limit`",
            f"limit={limit} but `{items}` has {len(data)} objects",
        )
    # A missing `count` is response_schema_conformance's (once per run); its meaning, the
    # number of objects in `data`, is the spec's decision where the docs say nothing.
    if count is not None and count in body and body.get(count) != len(data):
        decision = decision_at(
            _model().spec, f"{lst.envelope_pointer}/properties/{escape_token(count)}"
        )
        _fail(
            case,
            f"`{count}` is not the number of objects in `{items}`",
            f"{count}={body.get(count)!r}, len({items})={len(data)}",
            decision,
        )
    for param in lst.cursors:
        for cursor in query.get(param, []):
            if any(str(lst.cursor_of(o)) == cursor for o in data):
                _fail(case, "Page contains its own cursor", f"{param}={cursor} is in `{items}`")
    return None


@schemathesis.check
def object_types(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    if not 200 <= response.status_code < 300:
        return True
    operation = _model().by_label(case.operation.label)
    body = _json_body(response)
    if operation is None or operation.success_schema is None or body is None:
        return True
    problems = expected_object_problems(_model().spec, operation.success_schema, body)
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        _fail(case, "`object` does not name the type", "; ".join(problems[:5]) + more)
    return None


@schemathesis.check
def error_json_message(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    if response.status_code < 400:
        return True
    media = _header(response, "content-type").split(";")[0].strip().lower()
    body = _json_body(response)
    status = response.status_code
    if media != "application/json" or not isinstance(body, dict):
        snippet = response.content[:120].decode("utf-8", "replace")
        _fail(
            case,
            "Error answer is not JSON",
            f"{status} with Content-Type {media or 'missing'!r}: {snippet!r}",
        )
    elif not isinstance(body.get(message := _model().error_message), str):
        _fail(
            case, f"Error answer has no `{message}`", f"{status} body: {response.content[:200]!r}"
        )
    scheme = _model().auth_scheme
    if status == 401 and scheme not in _header(response, "www-authenticate").lower():
        _fail(
            case,
            f"401 without `WWW-Authenticate: {scheme.title()}`",
            "The answer does not say how to log in",
        )
    return None
