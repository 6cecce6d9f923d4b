"""Run Schemathesis 4 over the spec against a base URL and fold its events into a SuiteResult."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema

from spaces_toolkit.console import DETAIL
from spaces_toolkit.contract import checks as custom_checks  # importing registers them
from spaces_toolkit.contract.apispec import CheckedApi
from spaces_toolkit.contract.catalogue import DEVIATION
from spaces_toolkit.contract.defaults import PHASES
from spaces_toolkit.contract.grading import Verdict, grade_foreign_id
from spaces_toolkit.contract.http import RATE_LIMITED
from spaces_toolkit.contract.inputs import CursorPool, semantic_inputs
from spaces_toolkit.contract.model import (
    RULE_KEY,
    Crash,
    Credentials,
    Failure,
    Recorded,
    SuiteResult,
    render_curl,
    render_request,
    render_response,
)

__all__ = ["PHASES", "build_config", "run_engine"]

# `positive_data_acceptance`: a schema-valid request (made meaningful by `inputs`) must succeed or
# name a missing object; 5xx is left to `not_a_server_error` (a case answered 429 is not
# checked at all: `_fold`).
POSITIVE_STATUSES = ["2xx", "404", "5xx"]
MAX_RESPONSE_SECONDS = 10.0

Progress = Callable[[str], None]


def build_config(
    *,
    base_url: str,
    token: str,
    seed: int,
    max_examples: int,
    workers: int,
    phases: Sequence[str],
    checks: Sequence[str] | None,
    timeout: float = 15.0,
    retries: int = 3,
) -> SchemathesisConfig:
    check_config: dict[str, Any] = {
        "positive_data_acceptance": {"expected-statuses": POSITIVE_STATUSES},
        # The one built-in check that is off unless given a limit: generous, it flags a hang.
        "max_response_time": max(MAX_RESPONSE_SECONDS, timeout),
    }
    if checks is not None:
        check_config["enabled"] = False
        for name in checks:
            check_config.setdefault(name, {})["enabled"] = True
    return SchemathesisConfig.from_dict(
        {
            "seed": seed,
            "base-url": base_url,
            "workers": workers,
            # Keep testing an operation after its first failure: the report lists every check
            # an operation fails, not just the first one found.
            "continue-on-failure": True,
            "request-timeout": timeout,
            # Transient network errors (reset, timeout) are retried, not reported as failures.
            "request-retries": retries,
            "warnings": False,
            "auth": {"basic": {"username": token, "password": ""}},
            # Credentials come from `auth`; generating (and negating) the Authorization header
            # too would make cases "negative" that the configured auth then repairs.
            "generation": {
                "max-examples": max_examples,
                "database": "none",
                "with-security-parameters": False,
                # The spec does not say a server refuses a parameter it does not declare:
                # ignoring one is correct, so an extra parameter is no negative case.
                "allow-extra-parameters": False,
            },
            "phases": {name: {"enabled": name in phases} for name in PHASES},
            "checks": check_config,
        }
    )


def _header_dict(headers: Mapping[str, Any]) -> dict[str, str]:
    return {k: v[0] if isinstance(v, list) else str(v) for k, v in headers.items()}


def _fold(result: SuiteResult, event: events.ScenarioFinished, creds: Credentials) -> int:
    recorder = event.recorder
    for case_id, node in recorder.cases.items():
        label = node.value.operation.label
        tally = result.tally(label)
        tally.cases += 1
        result.cases_by_phase[event.phase.value] += 1
        _observe(result, node.value, recorder.interactions.get(case_id))
        _observe_link(result, recorder, node)
        interaction = recorder.interactions.get(case_id)
        response = getattr(interaction, "response", None)
        elapsed = float(getattr(response, "elapsed", 0) or 0)
        # Too many requests (RFC 6585): the server declined to answer this one now, which
        # says nothing of the case; it is counted, not checked.
        limited = getattr(response, "status_code", None) == RATE_LIMITED
        if limited:
            result.rate_limited_cases += 1
        for check in recorder.checks.get(case_id, []):
            tally.checks_run[check.name] += 1
            result.times[(label, check.name)] += elapsed
            if check.failure_info is None or limited:
                continue
            failure = check.failure_info.failure
            for violation in _violation(check.name, label, failure, interaction, creds):
                result.record(violation)
    return len(recorder.cases)


# Checks whose verdict is a schema's: graded by re-validating against the docs document.
_REQUEST_GRADED = ("negative_data_rejection",)
_RESPONSE_GRADED = ("response_schema_conformance",)
_STATUS_GRADED = "status_code_conformance"  # by the docs' status table (grading.RULES)
# An answer to a method the spec lacks on the path (grading.RULES "unimplemented_method").
_METHOD_GRADED = ("unsupported_method", "not_a_server_error")
# A valid request refused: a JSON body refused by a form-only server ("form_and_json"), a
# generated string id refused as malformed ("foreign_id_shape").
_BODY_GRADED = ("positive_data_acceptance",)


def _violation(
    check: str, label: str, failure: Any, interaction: Any, creds: Credentials
) -> list[Failure]:
    """A Schemathesis failure as the suite reports it: graded, and a schema deviation split
    into one per broken rule (each reported once per run, however many answers show it)."""
    curl = status = None
    request_text = response_text = ""
    verdict = None
    elapsed = 0.0
    recorded = None
    operation = failure.operation or label
    if interaction is not None:
        request = interaction.request
        headers = _header_dict(request.headers)
        curl = render_curl(request.method, request.uri, headers, request.body, creds)
        request_text = render_request(request.method, request.uri, headers, request.body, creds)
        response = interaction.response
        if response is not None:
            status = response.status_code
            elapsed = float(getattr(response, "elapsed", 0.0) or 0.0)
            response_text = creds.mask(
                render_response(status, _header_dict(response.headers), response.content or b"")
            )
            recorded = Recorded.of(
                request.method,
                request.uri,
                headers,
                request.body,
                status,
                tuple((k, v) for k, values in response.headers.items() for v in values),
                response.content or b"",
                elapsed,
            )
        grader = custom_checks.grader()
        if check in _REQUEST_GRADED:
            content_type = headers.get("Content-Type") or headers.get("content-type") or ""
            verdict = grader.grade_request(operation, request.uri, content_type, request.body)
            if verdict is not None and verdict.grade != DEVIATION:
                verdict = None  # invalid under the docs too: the failure stands as it is
        elif check in _RESPONSE_GRADED and response is not None and status is not None:
            verdict = grader.grade_response(operation, status, _Answer(response).json)
        elif check == _STATUS_GRADED and status is not None:
            verdict = grader.grade_status(status)
        elif check in _METHOD_GRADED and status is not None:
            verdict = grader.grade_method(operation, request.method, status)
        if check in _BODY_GRADED and verdict is None and status is not None:
            content_type = headers.get("Content-Type") or headers.get("content-type") or ""
            verdict = grader.grade_body_encoding(operation, content_type, status)
            if verdict is None:
                verdict = grade_foreign_id(grader.spec, operation, request.uri, status)
    own = getattr(failure, "decisions", ())
    if own and verdict is None:  # one of the suite's checks, on a decided rule
        verdict = Verdict(DEVIATION, tuple(own))
    message = creds.mask(failure.message)
    common = {
        "check": check,
        "operation": operation,
        "title": failure.title,
        "curl": curl,
        "status": status,
        "request": request_text,
        "response": response_text,
        "time": elapsed,
        "exchange": recorded,
    }
    if verdict is None or verdict.grade != DEVIATION:
        return [Failure(message=message, **common)]
    if check not in _RESPONSE_GRADED:
        return [Failure(message=message, grade=DEVIATION, decisions=verdict.decisions, **common)]
    return [
        Failure(
            message=f"{part.message}\n\n{message}",
            grade=DEVIATION,
            decisions=part.decisions,
            key=RULE_KEY + ",".join(part.keys),
            **common,
        )
        for part in verdict.split()
    ]


def _non_fatal(result: SuiteResult, event: Any, credentials: Credentials) -> None:
    """No answer after the retries is the server's failure; anything else is the suite's own
    (a check that raised): the run could not finish (exit 2)."""
    import requests

    text = credentials.mask(f"{event.info.title}: {event.info.message}")
    if isinstance(event.value, requests.RequestException):
        result.record(
            Failure(
                check="no_answer",
                operation=event.label,
                title="No answer after the retries",
                message=text,
                source="schemathesis",
                key=type(event.value).__name__,
            )
        )
    else:
        where = f"schemathesis, {event.label}"
        result.crashes.append(Crash(where, text, _traceback(event.value)))


def _traceback(exc: BaseException) -> str:
    import traceback

    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def _observe(result: SuiteResult, case: Any, interaction: Any) -> None:
    """Feed one generated case and its answer to the run's coverage."""
    response = getattr(interaction, "response", None)
    if response is None:
        return
    # What was sent (after the hooks), not what was generated.
    pairs = parse_qsl(urlsplit(interaction.request.uri).query, keep_blank_values=True)
    result.coverage.observe(case.operation.label, pairs, _Answer(response))
    if isinstance(case.path_parameters, dict):
        result.coverage.observe_path_values(case.operation.label, case.path_parameters)


def _observe_link(result: SuiteResult, recorder: Any, node: Any) -> None:
    """A stateful step: the link it followed, credited to the operation that declares it."""
    transition = getattr(node, "transition", None)
    parent = recorder.cases.get(node.parent_id) if node.parent_id else None
    if transition is None or parent is None:
        return
    label = parent.value.operation.label
    operation = result.coverage.operation(label)
    for name in operation.links if operation else ():
        if name in str(transition.id):
            result.coverage.link_followed(label, name)


class _Answer:
    """A recorded Schemathesis response as coverage reads it."""

    def __init__(self, response: Any) -> None:
        self.status = int(response.status_code)
        self._response = response

    @property
    def json(self) -> Any:
        import json

        try:
            return json.loads(self._response.content or b"")
        except (ValueError, UnicodeDecodeError, TypeError):
            return None


def run_engine(
    *,
    model: CheckedApi,
    config: SchemathesisConfig,
    credentials: Credentials,
    pools: Mapping[str, CursorPool],
    result: SuiteResult,
    operations: Sequence[str] | None = None,
    progress: Progress = lambda line: None,
) -> None:
    """Generate, send and check cases; record everything on `result`."""
    custom_checks.use_model(model)
    # The very document the suite's model was built from (a file or a URL).
    schema: schemathesis.BaseSchema = schemathesis.openapi.from_dict(
        copy.deepcopy(model.document), config=config
    )
    if operations:
        schema = schema.include(name=list(operations))
    cases, failing, last = 0, 0, time.monotonic()
    with semantic_inputs(pools):
        for event in from_schema(schema).execute():
            if isinstance(event, events.PhaseStarted) and event.phase.name.value in PHASES:
                if event.phase.is_enabled:
                    progress(f"schemathesis: {event.phase.name.value} phase ...")
            elif isinstance(event, events.PhaseFinished) and event.phase.name.value in PHASES:
                if event.phase.is_enabled:
                    done = result.cases_by_phase[event.phase.name.value]
                    progress(f"{DETAIL}{event.phase.name.value} phase done, {done} cases")
            elif isinstance(event, events.ScenarioFinished):
                cases += _fold(result, event, credentials)
                failing = len(result.failures)
                if time.monotonic() - last > 5:
                    last = time.monotonic()
                    progress(f"{DETAIL}{cases} cases so far, {failing} failures")
            elif isinstance(event, events.NonFatalError):
                _non_fatal(result, event, credentials)
            elif isinstance(event, events.FatalError):
                result.crashes.append(
                    Crash("schemathesis", repr(event.exception), _traceback(event.exception))
                )
            elif isinstance(event, events.EngineFinished):
                for failure in event.failures:
                    result.record(
                        Failure(
                            "after_run", failure.operation or "", failure.title, failure.message
                        )
                    )
