"""The proxy's checks: each exchange held to the contract, as far as one exchange (or what the
run's traffic so far) can show. The one module between the proxy and the contract suite.

Every fact comes from the spec model (`spaces_toolkit.spec`): operations, parameters and their
schemas, request bodies, declared statuses, media types, headers, list operations. The suite's
own per-response checks (`spaces_toolkit.contract.checks`: `list_envelope`, `object_types`,
`error_json_message`) are called as they are; what Schemathesis checks on a generated case
(status, content type, schema, headers, auth, negative and positive data, methods) is done here
with the same names, on the spec model's JSON Schema validators.

`CHECKS` is the registry: every check's name (the suite's where the suite has one), stable
code, party (`client`: the request broke the contract; `server`: the answer did) and whether it
needs more than one exchange. A `Violation` carries `code`, `grade` and `decision` as the
contract suite's verdicts do (see `grade`). What the suite grades by a rule of
`contract.grading` is graded here by the same functions: an undeclared status by the docs'
status table (NOTES 6), a list's 404 to a cursor (56), a repeated parameter or form field
value by value (55).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qsl

import jsonschema_rs

from spaces_toolkit.contract import checks as suite_checks
from spaces_toolkit.contract.apispec import CheckedApi, model_of
from spaces_toolkit.contract.grading import (
    RULES,
    Verdict,
    deviation_for,
    grade_body_encoding,
    grade_fields,
    grade_method,
    grade_repeated,
)
from spaces_toolkit.contract.http import RATE_LIMITED
from spaces_toolkit.proxy.exchange import Exchange
from spaces_toolkit.spec import Operation, Spec, escape_token, pointer_ref
from spaces_toolkit.spec.envelope import api_prefix_of
from spaces_toolkit.spec.model import Parameter

__all__ = ["CHECKS", "FAILURE", "Check", "Checker", "Grade", "Violation", "base_path_of", "grade"]


@dataclass(frozen=True)
class Check:
    name: str
    code: str
    party: str  # "client" | "server"
    what: str
    across: bool = False  # needs more than one exchange of the run


_C = Check
CHECKS: dict[str, Check] = {
    c.name: c
    for c in [
        # the client's side: the request is not one the spec allows
        _C("request_operation", "PX001", "client", "the method and path are an operation"),
        _C("request_parameters", "PX002", "client", "required parameters sent, values valid"),
        _C("request_body", "PX003", "client", "body media type declared, body valid"),
        _C("request_credentials", "PX004", "client", "credentials sent where the spec asks"),
        # the server's side, one exchange
        _C("not_a_server_error", "PX101", "server", "no 5xx answer"),
        _C("status_code_conformance", "PX102", "server", "the status is declared"),
        _C("content_type_conformance", "PX103", "server", "the Content-Type is declared"),
        _C("response_schema_conformance", "PX104", "server", "the body matches its schema"),
        _C("response_headers_conformance", "PX105", "server", "declared headers present, valid"),
        _C("list_envelope", "PX106", "server", "list envelope, `limit`, `count`, own cursor"),
        _C("object_types", "PX107", "server", "`object` names the type"),
        _C("error_json_message", "PX108", "server", "JSON error with `message`; 401 challenge"),
        _C("ignored_auth", "PX109", "server", "no answer without credentials"),
        _C("auth_required", "PX110", "server", "missing credentials get 401"),
        _C("negative_data_rejection", "PX111", "server", "a request the spec forbids is refused"),
        _C("positive_data_acceptance", "PX112", "server", "a declared media type is accepted"),
        _C("unsupported_method", "PX113", "server", "a method the path lacks gets 405"),
        _C("pagination_walk", "PX114", "server", "an empty page does not claim more"),
        _C("no_answer", "PX115", "server", "the server answers (no reset, no timeout)"),
        # the server's side, across the run's exchanges
        _C("page_stability", "PX201", "server", "one request, one page (no write between)", True),
        _C("tenant_isolation", "PX202", "server", "no object under two accounts' tokens", True),
        _C("cursor_refused", "PX203", "server", "another account's object is no cursor", True),
        _C("cursor_continuity", "PX204", "server", "a page goes on where its cursor is", True),
    ]
}

_JSON = re.compile(r"^application/(.+\+)?json$")
_INT = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
MAX_ERRORS = 3
MAX_REMEMBERED = 200_000  # objects and pages remembered for the checks across exchanges


@dataclass(frozen=True)
class Grade:
    """How a violation is graded, as the contract suite grades: a "failure" breaks what the
    docs state; a "deviation" breaks only what spec/NOTES.md decided (`decisions`: the
    entries of the rules it broke, from the spec model's provenance)."""

    grade: str  # "failure" | "deviation"
    decisions: tuple[int, ...] = ()

    @property
    def decision(self) -> int | None:
        return self.decisions[0] if self.decisions else None


FAILURE = Grade("failure")


def grade(spec: Spec, rules: Iterable[str], *, docs_allow: bool) -> Grade:
    """The one place a violation is graded. `docs_allow`: what was checked is acceptable under
    the docs alone (valid under `Spec.docs_document()`, or the rule is one the docs do not
    state); `rules`: JSON pointers of the spec's rules it broke. A deviation names the NOTES
    decisions of those rules (`Spec.provenance`); anything the docs forbid is a failure."""
    if not docs_allow:
        return FAILURE
    decisions: set[int] = set()
    for pointer in rules:
        try:
            found = spec.provenance(pointer).decision
        except KeyError:
            continue
        if found is not None:
            decisions.add(found)
    return Grade("deviation", tuple(sorted(decisions)))


def _worst(grades: Iterable[Grade]) -> Grade:
    """One grade for several problems: a failure if any is, else a deviation of them all."""
    found = list(grades)
    if not found or any(g.grade == "failure" for g in found):
        return FAILURE
    return Grade("deviation", tuple(sorted({d for g in found for d in g.decisions})))


@dataclass(frozen=True)
class Violation:
    number: int  # the exchange's number
    check: str
    code: str
    party: str
    grade: str  # "failure" | "deviation" (see `grade`)
    decision: int | None  # the first of `decisions`
    operation: str  # "GET /customers", or "GET <path>" outside the spec
    title: str
    message: str
    method: str
    target: str
    status: int
    decisions: tuple[int, ...] = ()  # the NOTES entries a deviation departs from

    def as_dict(self) -> dict[str, Any]:
        return {
            "exchange": self.number,
            "check": self.check,
            "code": self.code,
            "party": self.party,
            "grade": self.grade,
            "decision": self.decision,
            "decisions": list(self.decisions),
            "operation": self.operation,
            "title": self.title,
            "message": self.message,
            "method": self.method,
            "target": self.target,
            "status": self.status,
        }


def base_path_of(spec: Spec) -> str:
    """The API's base path as the spec's servers give it ("/api/v1")."""
    paths = {api_prefix_of((s,)) for s in spec.servers}
    return spec.api_prefix if len(paths) == 1 else ""


class _Route:
    def __init__(self, path: str, operations: list[Operation]) -> None:
        self.path = path
        parts = path.strip("/").split("/")
        pattern = "".join(
            f"/(?P<p{i}>[^/]+)" if p.startswith("{") else "/" + re.escape(p)
            for i, p in enumerate(parts)
        )
        self.names = {f"p{i}": p[1:-1] for i, p in enumerate(parts) if p.startswith("{")}
        self.regex = re.compile(f"^{pattern}/?$")
        self.literals = sum(1 for p in parts if not p.startswith("{"))
        self.by_method = {op.method: op for op in operations}

    def match(self, path: str) -> dict[str, str] | None:
        found = self.regex.match(path)
        return None if found is None else {self.names[k]: v for k, v in found.groupdict().items()}


class _Response:
    """What the suite's Schemathesis checks read of a response (duck-typed)."""

    def __init__(self, exchange: Exchange) -> None:
        self.status_code = exchange.status
        self.content = exchange.response_content
        headers: dict[str, list[str]] = {}
        for k, v in exchange.response_headers:
            headers.setdefault(k.lower(), []).append(v)
        self.headers = headers
        self.request = SimpleNamespace(url=exchange.url)
        self._exchange = exchange

    def json(self) -> Any:
        """The body as JSON (None if it is not), parsed once for every check."""
        return self._exchange.response_json


class _Case:
    def __init__(self, label: str) -> None:
        self.operation = SimpleNamespace(label=label)


_SUITE_CHECKS = (
    ("list_envelope", suite_checks.list_envelope),
    ("object_types", suite_checks.object_types),
    ("error_json_message", suite_checks.error_json_message),
)


class Checker:
    """Checks exchanges in the order given; remembers what the checks across exchanges need."""

    def __init__(self, spec: Spec, base_path: str | None = None) -> None:
        self.spec = spec
        self.model: CheckedApi = model_of(spec)
        self.base_path = (base_path_of(spec) if base_path is None else base_path).rstrip("/")
        grouped: dict[str, list[Operation]] = {}
        for op in spec.operations:
            grouped.setdefault(op.path, []).append(op)
        self.routes = sorted(
            (_Route(path, ops) for path, ops in grouped.items()), key=lambda r: -r.literals
        )
        self._validators: dict[str, Any] = {}
        self._docs_validators: dict[str, Any] = {}
        self._header_rules: dict[str, frozenset[str]] = {}
        self._owners: dict[str, str] = {}  # object id -> first token
        self._pages: dict[tuple[Any, ...], tuple[tuple[Any, ...], int]] = {}
        self._writes: dict[str | None, int] = {}
        # (token, list, other query, write epoch, id) -> the id after it / before it in the list
        self._next: dict[tuple[Any, ...], Any] = {}
        self._prev: dict[tuple[Any, ...], Any] = {}
        self._accounts: dict[str, Any] = {}
        self.checked = 0  # exchanges held to the spec
        self.outside = 0  # exchanges outside the API's base path (forwarded, not checked)
        self.rate_limited = 0  # exchanges answered 429: only their requests checked
        self.runs: dict[tuple[str, str], int] = {}  # (operation, check) -> times it ran
        self.per_operation: dict[str, int] = {}  # operation -> exchanges checked

    def counters(self) -> dict[str, Any]:
        """What the checker counted (for a session whose checks ran in another process)."""
        return {
            "checked": self.checked,
            "outside": self.outside,
            "rate_limited": self.rate_limited,
            "runs": dict(self.runs),
            "per_operation": dict(self.per_operation),
        }

    def adopt(self, counters: dict[str, Any]) -> None:
        self.checked = counters["checked"]
        self.outside = counters["outside"]
        self.rate_limited = counters.get("rate_limited", 0)
        self.runs = dict(counters["runs"])
        self.per_operation = dict(counters["per_operation"])

    # ------------------------------------------------------------------ entry point

    def check(self, exchange: Exchange) -> list[Violation]:
        path = exchange.path
        if self.base_path and not (path == self.base_path or path.startswith(self.base_path + "/")):
            self.outside += 1
            return []
        self.checked += 1
        rel = path[len(self.base_path) :] or "/"
        found: list[Violation] = []
        route, params = self._route(rel)
        op = route.by_method.get(exchange.method) if route else None
        label = op.label if op else f"{exchange.method} {route.path if route else rel}"
        self.per_operation[label] = self.per_operation.get(label, 0) + 1

        def report(check: str, title: str, message: str, graded: Grade = FAILURE) -> None:
            info = CHECKS[check]
            found.append(
                Violation(
                    exchange.number,
                    check,
                    info.code,
                    info.party,
                    graded.grade,
                    graded.decision,
                    label,
                    title,
                    message,
                    exchange.method,
                    exchange.target,
                    exchange.status,
                    graded.decisions,
                )
            )

        def ran(*names: str) -> None:
            for name in names:
                self.runs[(label, name)] = self.runs.get((label, name), 0) + 1

        if exchange.status == RATE_LIMITED:
            # Too many requests (RFC 6585): the upstream declined to answer this one now,
            # which says nothing of the answer it would give; only the request is checked.
            self.rate_limited += 1
            if op is not None:
                assert params is not None
                self._request(exchange, op, params, report, ran)
            return found
        conforms = False  # the body matched its declared schema
        ran("not_a_server_error")
        if exchange.status >= 500:
            # a 501 to a method the path lacks: NOTES 57 (graded as the suite grades it)
            verdict = (
                None
                if route is None
                else grade_method(self.spec, f"GET {route.path}", exchange.method, exchange.status)
            )
            report(
                "not_a_server_error",
                "Server error",
                f"{exchange.status}: {_snippet(exchange)}",
                FAILURE if verdict is None else Grade(verdict.grade, verdict.decisions),
            )
        if op is None:
            self._unknown_operation(exchange, route, rel, report, ran)
        else:
            assert params is not None
            request_problems = self._request(exchange, op, params, report, ran)
            conforms = self._response(exchange, op, request_problems, report, ran)
            self._across(exchange, op, report, ran)
        if exchange.status >= 400 or op is not None:
            self._suite(exchange, op, label, report, ran, conforms)
        return found

    # ------------------------------------------------------------------ helpers

    def _route(self, rel: str) -> tuple[_Route | None, dict[str, str] | None]:
        for route in self.routes:
            params = route.match(rel)
            if params is not None:
                return route, params
        return None, None

    def _validator(self, pointer: str, *, docs: bool = False) -> Any:
        """A compiled JSON Schema 2020-12 validator (with formats) for the schema at `pointer`
        of the spec's document (`docs`: of `Spec.docs_document()`, what the docs alone state).
        jsonschema-rs: the same keywords as the spec model's `Spec.validator`, some 30 times
        faster, which a proxy on a hot path needs."""
        cache = self._docs_validators if docs else self._validators
        found = cache.get(pointer)
        if found is None:
            root = dict(self.spec.docs_document() if docs else self.spec.content)
            root["$ref"] = pointer_ref(pointer)
            found = jsonschema_rs.Draft202012Validator(root, validate_formats=True)
            cache[pointer] = found
        return found

    def _errors(self, pointer: str, value: Any) -> tuple[list[str], Grade]:
        """What is wrong with `value` under the schema at `pointer` (nothing: []), and how that
        is graded: valid under the docs' document, it is a deviation from the decisions of
        the keywords it failed."""
        validator = self._validator(pointer)
        if validator.is_valid(value):
            return [], FAILURE
        errors = sorted(validator.iter_errors(value), key=lambda e: list(e.instance_path))
        out = []
        for error in errors[:MAX_ERRORS]:
            where = "/" + "/".join(str(p) for p in error.instance_path)
            out.append(f"{where}: {_short(error.message)}")
        if len(errors) > MAX_ERRORS:
            out.append(f"(and {len(errors) - MAX_ERRORS} more)")
        if not self._validator(pointer, docs=True).is_valid(value):
            return out, FAILURE
        rules = [rule for error in errors for rule in self._rules(error)]
        return out, grade(self.spec, rules, docs_allow=True)

    def _verdict(self, pointer: str, value: Any) -> Verdict | None:
        """`_errors` as the suite's grading reads a grade (None: valid)."""
        errors, graded = self._errors(pointer, value)
        if not errors:
            return None
        return Verdict(graded.grade, graded.decisions, "; ".join(errors))

    def _rules(self, error: Any) -> list[str]:
        """JSON pointers of the spec's rules a jsonschema-rs error broke: the keyword (for
        `required`, the entry naming the missing property); for `oneOf`/`anyOf`, the rules
        broken in the branch that came closest (fewest rules the docs state, then fewest), and
        the combinator itself."""
        base = "".join(f"/{escape_token(str(t))}" for t in error.schema_path)
        kind = error.kind
        if isinstance(kind, jsonschema_rs.ValidationErrorKind.Required):
            listed = self.spec.lookup(base)
            if isinstance(listed, list) and kind.property in listed:
                return [f"{base}/{listed.index(kind.property)}"]
        context = getattr(kind, "context", None)
        if context:
            branches = [[rule for e in branch for rule in self._rules(e)] for branch in context]

            def stated(rules: list[str]) -> int:
                return sum(1 for rule in rules if self._stated(rule))

            # the combinator's own rule too: a decided `oneOf` is what made the branches rules
            return [base, *min(branches, key=lambda rules: (stated(rules), len(rules)))]
        return [base]

    def _stated(self, pointer: str) -> bool:
        try:
            return self.spec.provenance(pointer).stated
        except KeyError:
            return True

    def _unknown_operation(self, exchange, route, rel, report, ran) -> None:
        ran("request_operation")
        if route is None:
            report("request_operation", "No such path in the spec", f"{exchange.method} {rel}")
            return
        declared = ", ".join(sorted(route.by_method))
        report(
            "request_operation",
            "Method not declared for this path",
            f"{exchange.method} {route.path} (declared: {declared})",
        )
        if exchange.method not in {"HEAD", "OPTIONS"}:
            ran("unsupported_method")
            if exchange.status != 405:
                # NOTES 57 tolerates a 501 to a method implemented nowhere (RFC 9110 15.6.2)
                rule = RULES["unimplemented_method"]
                decision = deviation_for(self.spec, rule, exchange.status)
                report(
                    "unsupported_method",
                    "Undeclared method not answered with 405",
                    f"{exchange.method} {route.path} answered {exchange.status} ({rule.what})",
                    FAILURE if decision is None else Grade("deviation", (decision,)),
                )

    # ------------------------------------------------------------------ the request

    def _request(self, exchange, op: Operation, path_params, report, ran) -> list[Grade]:
        """Check the request; the grades of what it broke (none: it is one the spec allows)."""
        broke: list[Grade] = []
        ran("request_parameters")
        query: dict[str, list[str]] = {}
        for k, v in exchange.query:
            query.setdefault(k, []).append(v)
        for param in op.parameters:
            if param.location == "path":
                raw = [path_params[param.name]] if param.name in path_params else []
            elif param.location == "query":
                raw = query.get(param.name, [])
            elif param.location == "header":
                value = exchange.request_header(param.name)
                raw = [] if value is None else [value]
            else:
                continue
            if not raw:
                if param.required:
                    rule = f"{param.pointer}/required"
                    graded = grade(self.spec, [rule], docs_allow=not self._stated(rule))
                    report("request_parameters", "Required parameter missing", param.name, graded)
                    broke.append(graded)
                continue
            if len(raw) > 1 and not _is_array(param):
                # given more than once: graded value by value, as the suite grades (NOTES 55)
                pointer = param.schema.pointer
                verdict = grade_repeated(
                    param.name, [self._verdict(pointer, _scalar(param.type, v)) for v in raw]
                )
                if verdict is not None:
                    graded = Grade(verdict.grade, verdict.decisions)
                    report(
                        "request_parameters",
                        f"Invalid {param.location} parameter `{param.name}`",
                        f"{param.name}={raw!r}: {verdict.message}",
                        graded,
                    )
                    broke.append(graded)
                continue
            value = _typed(param, raw)
            errors, graded = self._errors(param.schema.pointer, value)
            if errors:
                report(
                    "request_parameters",
                    f"Invalid {param.location} parameter `{param.name}`",
                    f"{param.name}={raw[0]!r}: " + "; ".join(errors),
                    graded,
                )
                broke.append(graded)
        body = op.request_body
        if body is not None:
            ran("request_body")
            broke += self._request_body(exchange, body, report)
        if op.security and not any(len(req) == 0 for req in op.security):
            ran("request_credentials")
            if exchange.request_header("authorization") is None:
                report(
                    "request_credentials",
                    "No credentials",
                    f"{op.label} requires authentication; the request has no Authorization",
                )
        return broke

    def _request_body(self, exchange: Exchange, body, report) -> list[Grade]:
        content = exchange.request_body
        if not content:
            if body.required:
                report("request_body", "Required body missing", "the request has no body")
                return [FAILURE]
            return []
        media = exchange.request_media
        declared = body.media(media) if media else None
        if declared is None:
            report(
                "request_body",
                "Undeclared request media type",
                f"Content-Type {media or 'missing'!r}; declared: {', '.join(body.media_types)}",
            )
            return []  # the server's 415 for it is right; nothing to hold it to
        if declared.schema is None:
            return []
        if _JSON.match(media):
            try:
                import json

                value = json.loads(content)
            except (ValueError, UnicodeDecodeError):
                report("request_body", "Body is not JSON", f"{content[:120]!r}")
                return [FAILURE]
        elif media == "application/x-www-form-urlencoded":
            pairs = parse_qsl(content.decode("latin-1"), keep_blank_values=True)
            value = _form(self.spec.resolve(declared.schema.resolved), pairs)
        else:
            return []
        if isinstance(value, dict) and any(isinstance(v, _Repeated) for v in value.values()):
            # a field given more than once: graded value by value, as the suite grades (55)
            pointer = declared.schema.pointer
            fields = {k: list(v) if isinstance(v, _Repeated) else v for k, v in value.items()}
            verdict = grade_fields(fields, lambda whole: self._verdict(pointer, whole))
            if verdict is None:
                return []
            repeated = Grade(verdict.grade, verdict.decisions)
            report("request_body", "Invalid request body", verdict.message, repeated)
            return [repeated]
        errors, graded = self._errors(declared.schema.pointer, value)
        if errors:
            report("request_body", "Invalid request body", "; ".join(errors), graded)
            return [graded]
        return []

    # ------------------------------------------------------------------ the answer

    def _response(
        self, exchange: Exchange, op: Operation, request_broke: list[Grade], report, ran
    ) -> bool:
        """Check the answer; True if its body matched its declared JSON schema."""
        conforms = False
        status = exchange.status
        declared = op.response(status)
        ran("status_code_conformance")
        if declared is None:
            statuses = ", ".join(r.status for r in op.responses)
            graded, why = self._status_grade(exchange, op)
            report(
                "status_code_conformance",
                "Undeclared status code",
                f"{status} is not declared (declared: {statuses}){why}",
                graded,
            )
        authorized = exchange.request_header("authorization") is not None
        secured = bool(op.security) and not any(len(req) == 0 for req in op.security)
        if secured and not authorized:
            ran("ignored_auth", "auth_required")
            if 200 <= status < 300:
                report(
                    "ignored_auth", "Answered without credentials", f"{op.label} answered {status}"
                )
            elif status == 403:
                report(
                    "auth_required",
                    "Missing credentials answered 403, not 401",
                    "a request without credentials is unauthenticated (401), not forbidden",
                )
        if request_broke:
            ran("negative_data_rejection")
            if 200 <= status < 300:
                report(
                    "negative_data_rejection",
                    "Request the spec forbids was accepted",
                    f"answered {status}; the request's problems are reported for the client",
                    _worst(request_broke),  # accepting what only a decision forbids deviates
                )
        elif status == 415 and exchange.request_body and op.request_body is not None:
            ran("positive_data_acceptance")
            if op.request_body.media(exchange.request_media) is not None:
                # a JSON body refused by a server taking the docs' form only: NOTES 38
                verdict = grade_body_encoding(
                    self.spec, op.label, exchange.request_media or "", status
                )
                report(
                    "positive_data_acceptance",
                    "Declared media type refused",
                    f"{exchange.request_media} is declared for {op.label}; answered 415",
                    FAILURE if verdict is None else Grade(verdict.grade, verdict.decisions),
                )
        if declared is None or exchange.truncated or exchange.method == "HEAD":
            return conforms
        content = exchange.response_content
        ran("content_type_conformance")
        if not declared.content:
            if content:
                report(
                    "content_type_conformance",
                    "Body where the spec declares none",
                    f"{status} with {len(content)} bytes",
                )
        else:
            media = exchange.response_media
            match = declared.media(media) if media else None
            if match is None:
                report(
                    "content_type_conformance",
                    "Undeclared Content-Type",
                    f"{media or 'missing'!r}; declared: "
                    + ", ".join(m.media_type for m in declared.content),
                )
            elif match.schema is not None and _JSON.match(media):
                ran("response_schema_conformance")
                body = exchange.response_json
                if body is None and content.strip() != b"null":
                    report("response_schema_conformance", "Body is not JSON", _snippet(exchange))
                else:
                    errors, graded = self._errors(match.schema.pointer, body)
                    conforms = not errors
                    if errors:
                        report(
                            "response_schema_conformance",
                            "Response does not match its schema",
                            "; ".join(errors),
                            graded,
                        )
        self._headers(exchange, declared, report, ran)
        return conforms

    def _status_grade(self, exchange: Exchange, op: Operation) -> tuple[Grade, str]:
        """The grade of an undeclared status, as the suite grades it (`grading.RULES`): one
        the docs' status table lists deviates from decision 6; a list's 404 with a JSON
        `message` to a request naming a cursor (the docs' "not found" for a cursor naming no
        object) deviates from decision 56 too. Anything else fails."""
        status = exchange.status
        table = deviation_for(self.spec, RULES["declared_statuses"], status)
        if table is None:
            return FAILURE, ""
        decisions, why = {table}, f"; the docs' status table lists {status}"
        lst = self.spec.list_of(op)
        if lst is not None and self._names_cursor(exchange, lst) and self._has_message(exchange):
            rule = RULES["unknown_cursor"]
            cursor = deviation_for(self.spec, rule, status)
            if cursor is not None:
                decisions.add(cursor)
                why += f"; for a cursor naming no object ({rule.what}: a decision of the spec)"
        return Grade("deviation", tuple(sorted(decisions))), why

    @staticmethod
    def _names_cursor(exchange: Exchange, lst) -> bool:
        names = {p.name for p in (lst.after, lst.before) if p is not None}
        return any(k in names for k, _ in exchange.query)

    def _has_message(self, exchange: Exchange) -> bool:
        body = exchange.response_json
        field = self.model.error_message
        return _JSON.match(exchange.response_media) is not None and (
            isinstance(body, dict) and isinstance(body.get(field), str)
        )

    def _headers(self, exchange: Exchange, declared, report, ran) -> None:
        if not declared.headers:
            return
        ran("response_headers_conformance")
        required = self._required_headers(declared)
        for h in declared.headers:
            value = exchange.response_header(h.name)
            if value is None:
                if h.name in required:
                    rule = f"{declared.pointer}/headers/{escape_token(h.name)}/required"
                    report(
                        "response_headers_conformance",
                        f"Missing header `{h.name}`",
                        f"{exchange.status} answer without {h.name}",
                        grade(self.spec, [rule], docs_allow=not self._stated(rule)),
                    )
                continue
            if h.schema is None:
                continue
            typed = _scalar(h.schema.type, value)
            errors, graded = self._errors(h.schema.pointer, typed)
            if errors:
                report(
                    "response_headers_conformance",
                    f"Invalid header `{h.name}`",
                    f"{h.name}: {value!r}: " + "; ".join(errors),
                    graded,
                )

    def _suite_grade(
        self, name: str, title: str, exchange: Exchange, op: Operation | None
    ) -> Grade:
        """The grade of a failure of the suite's `list_envelope`: `count` (its presence and its
        meaning are one decision: the rule at the envelope's `required` entry for it), and
        more objects than a `limit` above the spec's maximum (the docs state none)."""
        lst = self.spec.list_of(op) if op is not None else None
        body = exchange.response_json
        if name != "list_envelope" or lst is None or not isinstance(body, dict):
            return FAILURE
        rules = []
        required = self.spec.resolve(self.spec.lookup(lst.envelope.pointer)).get("required", [])
        count = self.spec.envelope.count  # what the suite's `list_envelope` holds to len(data)
        if count is not None and f"`{count}`" in title and count in required:
            rules.append(f"{lst.envelope.pointer}/required/{required.index(count)}")
        sent = dict(exchange.query)
        data = body.get(lst.items_field)
        if lst.limit is not None and isinstance(data, list) and lst.limit.name in sent:
            asked = _scalar("integer", sent[lst.limit.name])
            maximum = lst.limit.schema.resolved.get("maximum")
            over = maximum is not None and isinstance(asked, int) and maximum < len(data) <= asked
            if "`limit`" in title and over:
                rules.append(f"{lst.limit.schema.pointer}/maximum")
        if not rules:
            return FAILURE
        return grade(self.spec, rules, docs_allow=not any(self._stated(r) for r in rules))

    def _required_headers(self, declared) -> frozenset[str]:
        """The names of the headers a declared response requires (read once per response)."""
        found = self._header_rules.get(declared.pointer)
        if found is None:
            raw = self.spec.lookup(declared.pointer).get("headers") or {}
            found = frozenset(
                name
                for name in raw
                if isinstance(node := self.spec.resolve(raw[name]), dict) and node.get("required")
            )
            self._header_rules[declared.pointer] = found
        return found

    def _suite(
        self, exchange: Exchange, op: Operation | None, label: str, report, ran, conforms: bool
    ) -> None:
        response, case = _Response(exchange), _Case(label)
        suite_checks.use_model(self.model)
        for name, check in _SUITE_CHECKS:
            if name != "error_json_message" and op is None:
                continue
            if name == "object_types" and conforms:
                # The spec gives every `object` as a required `const`: a body that matched its
                # schema names its types right (the suite's walk of it costs ms a page).
                ran(name)
                continue
            if name == "list_envelope" and self.spec.list_of(op) is None:  # type: ignore[arg-type]
                continue
            ran(name)
            try:
                check(None, response, case)  # type: ignore[arg-type]
            except suite_checks.ContractViolation as exc:
                graded = self._suite_grade(name, exc.title, exchange, op)
                report(name, exc.title, exc.message or "", graded)
        lst = self.spec.list_of(op) if op is not None else None
        body = exchange.response_json
        if lst is not None and exchange.status == 200 and isinstance(body, dict):
            ran("pagination_walk")
            if body.get(lst.items_field) == [] and body.get(lst.has_more_field) is True:
                report(
                    "pagination_walk",
                    "Empty page claims more",
                    f"`{lst.items_field}` is empty but `{lst.has_more_field}` is true: "
                    "there is no cursor to go on from",
                )

    # ------------------------------------------------------------------ across exchanges

    def _across(self, exchange: Exchange, op: Operation, report, ran) -> None:
        who = exchange.credential
        status = exchange.status
        body = exchange.response_json
        if not 200 <= status < 300:
            return
        if op.method != "GET":
            self._writes[who] = self._writes.get(who, 0) + 1
        if who is None:
            return
        if op.method == "GET" and isinstance(body, dict) and body.get("object") == "account":
            self._accounts[who] = body.get("id")
        lst = self.spec.list_of(op)
        listed = body.get(lst.items_field) if lst is not None and isinstance(body, dict) else None
        objects = listed if isinstance(listed, list) else [body]
        if lst is not None and isinstance(listed, list):
            ran("cursor_refused", "page_stability")
            for param in (lst.after, lst.before):
                if param is None:
                    continue
                for _, cursor in (q for q in exchange.query if q[0] == param.name):
                    owner = self._owners.get(cursor)
                    if owner is not None and not self._same_account(owner, who):
                        # a page for a cursor naming no object of the list: no reading of
                        # the docs (NOTES 56 tolerates a 404, graded with the status)
                        rule = RULES["unknown_cursor"]
                        decision = deviation_for(self.spec, rule, status)
                        report(
                            "cursor_refused",
                            "Another account's object accepted as a cursor",
                            f"{param.name}={cursor} names an object seen only under another"
                            f" token; answered {status} ({rule.what})",
                            FAILURE if decision is None else Grade("deviation", (decision,)),
                        )
            key = (who, op.label, tuple(sorted(exchange.query)))
            ids = tuple(o.get(lst.cursor_field) if isinstance(o, dict) else None for o in listed)
            epoch = self._writes.get(who, 0)
            seen = self._pages.get(key)
            if seen is not None and seen[1] == epoch and seen[0] != ids:
                report(
                    "page_stability",
                    "Same request, different page",
                    f"no write between them, yet this page lists {_ids(ids)} where exchange"
                    f" before listed {_ids(seen[0])}",
                )
            self._remember(self._pages, key, (ids, epoch))
            self._continuity(exchange, lst, who, epoch, ids, report, ran)
        ran("tenant_isolation")
        leaked = []
        for obj in objects:
            if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
                continue
            owner = self._owners.get(obj["id"])
            if owner is None:
                self._remember(self._owners, obj["id"], who)
            elif not self._same_account(owner, who):
                leaked.append(f"{obj.get('object')} {obj['id']}")
        if leaked:
            report(
                "tenant_isolation",
                "Object of another account returned",
                f"{', '.join(leaked[:3])} {'was' if len(leaked) == 1 else 'were'} first seen"
                f" under another token{' (and more)' if len(leaked) > 3 else ''}",
            )

    def _continuity(self, exchange, lst, who, epoch, ids, report, ran) -> None:
        """Pages are slices of one order: after cursor c comes what followed c in any other
        page of the same list (same token, same filters, no write between), and before it
        what preceded it."""
        cursors = {lst.after.name, *((lst.before.name,) if lst.before else ())}
        limit = lst.limit.name if lst.limit else None
        rest = tuple(sorted(q for q in exchange.query if q[0] not in cursors and q[0] != limit))
        scope = (who, lst.label, rest, epoch)
        ran("cursor_continuity")
        sent = dict(exchange.query)
        after, before = sent.get(lst.after.name), sent.get(lst.before.name) if lst.before else None
        if ids and after is not None and (scope, after) in self._next:
            expected = self._next[(scope, after)]
            if ids[0] != expected:
                report(
                    "cursor_continuity",
                    "Page does not start after its cursor",
                    f"{lst.after.name}={after}: the page starts with {ids[0]}, but {expected}"
                    " followed it in another page of this list",
                )
        if ids and before is not None and (scope, before) in self._prev:
            expected = self._prev[(scope, before)]
            if ids[-1] != expected:
                report(
                    "cursor_continuity",
                    "Page does not end before its cursor",
                    f"{lst.before.name}={before}: the page ends with {ids[-1]}, but {expected}"
                    " preceded it in another page of this list",
                )
        for a, b in zip(ids, ids[1:], strict=False):
            if a is not None and b is not None:
                self._remember(self._next, (scope, a), b)
                self._remember(self._prev, (scope, b), a)

    def _same_account(self, a: str, b: str) -> bool:
        if a == b:
            return True
        account = self._accounts.get(a)
        return account is not None and account == self._accounts.get(b)

    @staticmethod
    def _remember(store: dict, key: Any, value: Any) -> None:
        """Remember the latest `value` of `key`, forgetting the least recently set beyond
        MAX_REMEMBERED (a dict keeps insertion order: re-setting a key moves it last)."""
        store.pop(key, None)
        store[key] = value
        if len(store) > MAX_REMEMBERED:
            del store[next(iter(store))]


def _typed(param: Parameter, raw: list[str]) -> Any:
    schema = param.schema.resolved if isinstance(param.schema.resolved, dict) else {}
    if _is_array(param):
        items = schema.get("items") or {}
        kind = items.get("type") if isinstance(items, dict) else None
        return [_scalar(kind, v) for v in raw]
    return _scalar(param.type, raw[0])


def _scalar(kind: str | None, value: str) -> Any:
    """A parameter's text as the JSON value its schema type reads (unchanged if it is not one)."""
    if kind == "integer" and _INT.match(value.strip()):
        return int(value)
    if kind == "number" and _NUMBER.match(value.strip()):
        number = float(value)
        return int(number) if number.is_integer() else number
    if kind == "boolean" and value in {"true", "false"}:
        return value == "true"
    return value


class _Repeated(list):
    """The values of a form field given more than once (graded by `grading.grade_fields`)."""


def _form(schema: Any, pairs: list[tuple[str, str]]) -> dict[str, Any]:
    props = schema.get("properties", {}) if isinstance(schema, dict) else {}
    out: dict[str, Any] = {}
    for key, value in pairs:
        node = props.get(key)
        kind = node.get("type") if isinstance(node, dict) else None
        typed = _scalar(kind if isinstance(kind, str) else None, value)
        if key not in out:
            out[key] = typed
        elif isinstance(out[key], _Repeated):
            out[key].append(typed)
        else:
            out[key] = _Repeated([out[key], typed])
    return out


def _is_array(param: Parameter) -> bool:
    schema = param.schema.resolved
    return isinstance(schema, dict) and schema.get("type") == "array"


def _short(text: str, size: int = 160) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _snippet(exchange: Exchange) -> str:
    return repr(exchange.response_content[:120].decode("utf-8", "replace"))


def _ids(ids: tuple[Any, ...]) -> str:
    shown = ", ".join(str(i) for i in ids[:4])
    return f"[{shown}{', …' if len(ids) > 4 else ''}] ({len(ids)})"
