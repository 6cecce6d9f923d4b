"""The HTTP side of the suite's own probes: one client, every exchange countable and replayable."""

from __future__ import annotations

import base64
import email.utils
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from spaces_toolkit.contract.catalogue import DEVIATION, FAILURE
from spaces_toolkit.contract.model import (
    Credentials,
    Failure,
    Recorded,
    SuiteResult,
    render_curl,
    render_request,
    render_response,
)

NO_ANSWER = "no_answer"

__all__ = ["Exchange", "ProbeClient", "basic", "ProbeFailed"]

_NO_JSON = object()


def basic(username: str, password: str = "") -> str:
    """An `Authorization` header value for HTTP Basic auth."""
    raw = f"{username}:{password}".encode("latin-1", errors="replace")
    return "Basic " + base64.b64encode(raw).decode("ascii")


@dataclass
class Exchange:
    """One request the suite sent and the answer it got."""

    operation: str
    method: str
    url: str
    request_headers: dict[str, str]
    request_body: bytes | None
    status: int
    headers: httpx.Headers
    text: str
    elapsed: float = 0.0
    _json: Any = _NO_JSON

    @property
    def json(self) -> Any:
        """The parsed body, or None if it is not JSON."""
        if self._json is _NO_JSON:
            try:
                self._json = json.loads(self.text)
            except ValueError:
                self._json = None
        return self._json

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def curl(self, credentials: Credentials | None) -> str:
        return render_curl(
            self.method, self.url, self.request_headers, self.request_body, credentials
        )

    def request_text(self, credentials: Credentials | None) -> str:
        return render_request(
            self.method, self.url, self.request_headers, self.request_body, credentials
        )

    def response_text(self) -> str:
        return render_response(self.status, dict(self.headers), self.text)

    def recorded(self) -> Recorded:
        return Recorded.of(
            self.method,
            self.url,
            self.request_headers,
            self.request_body,
            self.status,
            tuple(self.headers.multi_items()),
            self.text,
            self.elapsed,
        )


RATE_LIMITED = 429  # RFC 6585 "Too Many Requests": a refusal of the moment, not of the request
MAX_RATE_LIMIT_WAIT = 10.0  # seconds: a longer Retry-After is waited this long, then sent again


def retry_after_seconds(value: str | None) -> float | None:
    """The delay a Retry-After value asks (RFC 9110 10.2.3: delay-seconds or an HTTP-date);
    None when absent or unreadable."""
    text = (value or "").strip()
    if text.isascii() and text.isdigit():  # 1*DIGIT: ASCII only ("²" is a digit to isdigit)
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class ProbeFailed(Exception):
    """Raised by a probe step to stop that probe after recording a failure."""


class ProbeClient:
    """Sends the probes' requests and records them on the run's result."""

    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        result: SuiteResult,
        *,
        timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 0.25,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials
        self.result = result
        self.retries = retries
        self.last_ok: dict[str, Any] = {}  # operation -> the last JSON 200 body (links probe)
        self.backoff = backoff
        self.timing: str | None = None  # the check the requests now sent are timed for
        self._client = httpx.Client(timeout=timeout, follow_redirects=False)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> ProbeClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        token: str | None = "",
        authorization: str | None = None,
        data: dict[str, str] | None = None,
        json_body: Any = None,
    ) -> Exchange:
        """Send one request. `token=""` means the run's token; `None` sends no credentials."""
        headers = {"Accept": "application/json"}
        if authorization is not None:
            headers["Authorization"] = authorization
        elif token is not None:
            headers["Authorization"] = basic(token or self.credentials.token)
        request = self._client.build_request(
            method,
            self.base_url + path,
            params={k: v for k, v in (params or {}).items() if v is not None},
            headers=headers,
            data=data,
            json=json_body,
        )
        self.result.tally(operation).probe_requests += 1
        started = time.monotonic()
        try:
            response = self._send_retrying(request)
        except httpx.TransportError as exc:
            # No answer after every retry: the server's failure, never "could not run".
            self.result.record(
                Failure(
                    check=NO_ANSWER,
                    operation=operation,
                    title="No answer after the retries",
                    message=f"{type(exc).__name__} after {self.retries} retries: {exc}",
                    curl=render_curl(
                        method,
                        str(request.url),
                        dict(request.headers),
                        request.content or None,
                        self.credentials,
                    ),
                    source="probe",
                    request=render_request(
                        method,
                        str(request.url),
                        dict(request.headers),
                        request.content or None,
                        self.credentials,
                    ),
                    key=type(exc).__name__,
                )
            )
            raise ProbeFailed(NO_ANSWER) from None
        exchange = Exchange(
            operation=operation,
            method=method,
            url=str(request.url),
            request_headers=dict(request.headers),
            request_body=request.content or None,
            status=response.status_code,
            headers=response.headers,
            text=response.text,
            elapsed=time.monotonic() - started,
        )
        if self.timing is not None:
            self.result.times[(operation, self.timing)] += exchange.elapsed
        self.result.coverage.observe(operation, request.url.params.multi_items(), exchange, path)
        if exchange.status == 200 and isinstance(exchange.json, dict):
            self.last_ok[operation] = exchange.json
        return exchange

    def _send_retrying(self, request: httpx.Request) -> httpx.Response:
        """Send, retrying transient network errors (reset, timeout): they are counted and
        reported, never a contract failure. The last one, after every retry, propagates.
        A 429 (RFC 6585: too many requests, nothing said of this one) is sent again after the
        delay its Retry-After asks (at most MAX_RATE_LIMIT_WAIT), counted the same way; the
        last answer, after every retry, is what the probe sees."""
        for attempt in range(self.retries + 1):
            try:
                response = self._client.send(request)
            except httpx.TransportError as exc:
                if attempt == self.retries:
                    raise
                self.result.transient_errors[type(exc).__name__] += 1
                time.sleep(self.backoff * 2**attempt)
                continue
            if response.status_code != RATE_LIMITED or attempt == self.retries:
                return response
            self.result.transient_errors["429 Too Many Requests"] += 1
            delay = retry_after_seconds(response.headers.get("retry-after"))
            time.sleep(
                min(MAX_RATE_LIMIT_WAIT, self.backoff * 2**attempt if delay is None else delay)
            )
        raise AssertionError("unreachable")

    def fail(
        self,
        check: str,
        exchange: Exchange | None,
        title: str,
        message: str,
        *,
        operation: str = "",
        decision: int | None = None,
        deviation: bool = False,
    ) -> None:
        """Record a violation of `check`, with the exchange that shows it: a failure, or (with
        `deviation`) a deviation from the spec's `decision`."""
        label = operation or (exchange.operation if exchange else "")
        graded = deviation or decision is not None
        self.result.record(
            Failure(
                check=check,
                operation=label,
                title=title,
                message=self.credentials.mask(message),
                curl=exchange.curl(self.credentials) if exchange else None,
                status=exchange.status if exchange else None,
                source="probe",
                grade=DEVIATION if graded else FAILURE,
                decisions=(decision,) if decision is not None else (),
                request=exchange.request_text(self.credentials) if exchange else "",
                response=self.credentials.mask(exchange.response_text()) if exchange else "",
                time=exchange.elapsed if exchange else 0.0,
                exchange=exchange.recorded() if exchange else None,
            )
        )

    def notice(self, text: str) -> None:
        """Something a reader should know that is no violation (e.g. a list not walkable)."""
        if text not in self.result.notes:
            self.result.notes.append(text)

    def ran(self, check: str, operation: str) -> None:
        """Count one run of a probe check on an operation (failing or not); the requests sent
        from now on are timed for it."""
        self.result.tally(operation).checks_run[check] += 1
        self.timing = check

    def expect_ok(self, check: str | None, exchange: Exchange) -> Any:
        """The JSON body of a 200 answer; otherwise record a failure (unless `check` is None)
        and stop the probe."""
        if exchange.status != 200 or not isinstance(exchange.json, dict):
            if check is None:
                raise ProbeFailed("")
            snippet = exchange.text[:300]
            self.fail(
                check,
                exchange,
                "Valid request not answered with a JSON 200",
                f"Expected 200 with a JSON object, got {exchange.status}: {snippet}",
            )
            raise ProbeFailed(check)
        return exchange.json
