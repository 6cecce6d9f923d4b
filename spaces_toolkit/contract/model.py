"""What a contract run found: per-operation tallies and failures, each with a curl line."""

from __future__ import annotations

import shlex
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from spaces_toolkit.contract.catalogue import DEVIATION, FAILURE, code_of
from spaces_toolkit.contract.coverage import Coverage, OperationCoverage

__all__ = [
    "Credentials",
    "Crash",
    "Failure",
    "OperationTally",
    "Recorded",
    "SuiteResult",
    "render_curl",
    "shell_quote",
]


def shell_quote(text: str) -> str:
    """Quote for a POSIX shell; text with control or non-ASCII characters becomes $'...'."""
    if all(32 <= ord(c) < 127 for c in text):
        return shlex.quote(text)
    out = []
    for byte in text.encode("utf-8", errors="surrogateescape"):
        char = chr(byte)
        if char in "\\'":
            out.append("\\" + char)
        elif 32 <= byte < 127:
            out.append(char)
        else:
            out.append(f"\\x{byte:02x}")
    return "$'" + "".join(out) + "'"


@dataclass(frozen=True)
class Credentials:
    """Tokens of the run, and the environment variables curl lines name instead of them."""

    token: str
    second_token: str | None = None

    def placeholder(self, username: str) -> str | None:
        if username == self.token:
            return "$SPACES_ACCESS_TOKEN"
        if self.second_token is not None and username == self.second_token:
            return "$SPACES_SECOND_ACCESS_TOKEN"
        return None

    def mask(self, text: str) -> str:
        """Replace the tokens anywhere in a text (messages, bodies) by their placeholders."""
        for secret, name in (
            (self.token, "$SPACES_ACCESS_TOKEN"),
            (self.second_token, "$SPACES_SECOND_ACCESS_TOKEN"),
        ):
            if secret:
                text = text.replace(secret, name)
        return text


def render_curl(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes | None,
    credentials: Credentials | None,
) -> str:
    """A curl command that repeats a request, with the run's tokens as environment variables."""
    import base64

    parts = ["curl", "-sS", "-X", method.upper()]
    for name, value in headers.items():
        lower = name.lower()
        if lower in {"content-length", "host", "user-agent", "accept-encoding", "connection"}:
            continue
        if lower == "x-schemathesis-testcaseid" or lower == "accept" and value == "*/*":
            continue
        if lower == "authorization" and value.lower().startswith("basic ") and credentials:
            try:
                username, _, password = base64.b64decode(value[6:]).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                username, password = "", ""
            name_var = credentials.placeholder(username)
            if name_var is not None:
                parts += ["-u", f'"{name_var}:{password}"']
                continue
        parts += ["-H", shell_quote(f"{name}: {value}")]
    if body:
        text = body.decode("utf-8", errors="surrogateescape")
        parts += ["--data-binary", shell_quote(text)]
    parts.append(shell_quote(url))
    line = " ".join(parts)
    return credentials.mask(line) if credentials else line


MAX_BODY_SHOWN = 4000  # characters of a body kept in a report


def render_request(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes | None,
    credentials: Credentials | None,
) -> str:
    """The exact request as text, the run's tokens masked."""
    lines = [f"{method.upper()} {url}"]
    for name, value in headers.items():
        if name.lower() == "authorization" and credentials is not None:
            value = _mask_authorization(value, credentials)
        lines.append(f"{name}: {value}")
    text = "\n".join(lines)
    if body:
        text += "\n\n" + body.decode("utf-8", errors="replace")[:MAX_BODY_SHOWN]
    return credentials.mask(text) if credentials else text


def _mask_authorization(value: str, credentials: Credentials) -> str:
    import base64

    if not value.lower().startswith("basic "):
        return credentials.mask(value)
    try:
        username, _, password = base64.b64decode(value[6:]).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return value
    name = credentials.placeholder(username)
    return f"Basic base64({name or username}:{password})"


def render_response(status: int | None, headers: Mapping[str, str], body: bytes | str) -> str:
    """The exact answer as text (status, headers, body; a long body cut)."""
    if status is None:
        return "(no answer)"
    lines = [str(status)] + [f"{name}: {value}" for name, value in headers.items()]
    text = body if isinstance(body, str) else body.decode("utf-8", errors="replace")
    return "\n".join(lines) + "\n\n" + text[:MAX_BODY_SHOWN]


Pairs = tuple[tuple[str, str], ...]
# Decoded by the HTTP client before the suite sees the body: a replay must not decode it again.
_UNDONE = frozenset({"content-encoding", "content-length", "transfer-encoding"})


@dataclass(frozen=True)
class Recorded:
    """A failing exchange as sent and answered, bytes and all (tokens in it, unmasked): what
    the report directory's failures.har is written from, credentials redacted there."""

    method: str
    url: str
    request_headers: Pairs
    request_body: bytes
    status: int
    response_headers: Pairs
    response_body: bytes
    seconds: float = 0.0

    @classmethod
    def of(
        cls,
        method: str,
        url: str,
        request_headers: Mapping[str, str],
        request_body: bytes | str | None,
        status: int,
        response_headers: Pairs,
        response_body: bytes | str,
        seconds: float = 0.0,
    ) -> Recorded:
        def raw(body: bytes | str | None) -> bytes:
            return body.encode("utf-8") if isinstance(body, str) else body or b""

        return cls(
            method=method.upper(),
            url=url,
            request_headers=tuple((k, str(v)) for k, v in request_headers.items()),
            request_body=raw(request_body),
            status=status,
            response_headers=tuple((k, v) for k, v in response_headers if k.lower() not in _UNDONE),
            response_body=raw(response_body),
            seconds=seconds,
        )


@dataclass(frozen=True)
class Failure:
    """One violation: which check (and its stable code), where, what went wrong, how to reproduce
    it, and its grade: a `failure` breaks what the docs state, a `deviation` differs only from the
    spec's decisions (`decisions`: their NOTES numbers)."""

    check: str
    operation: str
    title: str
    message: str
    curl: str | None = None
    status: int | None = None
    source: str = "schemathesis"
    grade: str = FAILURE
    decisions: tuple[int, ...] = ()
    request: str = ""  # the exact request, as text (method, URL, headers, body)
    response: str = ""  # the exact answer, as text (status, headers, body)
    # What makes two violations the same one (default: the same request); e.g. a schema rule
    # broken by every answer of a list is one violation, reported once.
    key: str = ""
    time: float = 0.0  # seconds the request took (0: unknown)
    # The exchange itself (None: no answer, or not one exchange): written to failures.har.
    exchange: Recorded | None = field(default=None, compare=False, repr=False)

    @property
    def code(self) -> str:
        return code_of(self.check)

    @property
    def decision(self) -> int | None:
        return self.decisions[0] if self.decisions else None

    @property
    def is_deviation(self) -> bool:
        return self.grade == DEVIATION

    @property
    def identity(self) -> tuple[str, str, str, str]:
        if self.key.startswith(RULE_KEY):  # one broken rule of the spec: once for the run
            return (self.check, "", self.title, self.key)
        return (self.check, self.operation, self.title, self.key or self.curl or self.message)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "check": self.check,
            "grade": self.grade,
            "decisions": list(self.decisions),
            "operation": self.operation,
            "title": self.title,
            "message": self.message,
            "status": self.status,
            "curl": self.curl,
            "request": self.request,
            "response": self.response,
        }


@dataclass(frozen=True)
class Crash:
    """An exception inside the suite itself (a check or a probe): the run could not finish."""

    where: str
    summary: str
    traceback: str


RULE_KEY = "rule:"  # a `Failure.key` naming a rule of the spec, not an input
MAX_INPUTS = 100  # distinct failing inputs kept per check, operation and title


@dataclass
class OperationTally:
    """Cases sent to one operation and the check results they produced."""

    label: str
    cases: int = 0
    probe_requests: int = 0
    checks_run: Counter[str] = field(default_factory=Counter)
    checks_failed: Counter[str] = field(default_factory=Counter)
    checks_deviated: Counter[str] = field(default_factory=Counter)


@dataclass
class SuiteResult:
    base_url: str
    seed: int
    embedded: bool
    duration: float = 0.0
    tallies: dict[str, OperationTally] = field(default_factory=dict)
    # Failures and deviations alike (see `Failure.grade`).
    failures: list[Failure] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    cases_by_phase: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    # Network errors retried (by kind): reported, never a contract failure.
    transient_errors: Counter[str] = field(default_factory=Counter)
    rate_limited_cases: int = 0  # generated cases answered 429: not checked
    coverage: Coverage = field(default_factory=Coverage)
    coverage_report: list[OperationCoverage] = field(default_factory=list)
    min_coverage: float | None = None  # --min-coverage: below it the run fails
    strict: bool = False  # --strict: deviations fail the run too
    # Where the target came from: "--base-url", "SPACES_BASE_URL" or "embedded".
    target_source: str = "embedded"
    crashes: list[Crash] = field(default_factory=list)  # the suite's own exceptions (exit 2)
    # Seconds per (operation, check): junit.xml's per-test time.
    times: dict[tuple[str, str], float] = field(default_factory=lambda: defaultdict(float))
    # Inputs over MAX_INPUTS per check, operation and title: counted, not kept.
    dropped: Counter[tuple[str, str, str]] = field(default_factory=Counter)

    def tally(self, label: str) -> OperationTally:
        if label not in self.tallies:
            self.tallies[label] = OperationTally(label)
        return self.tallies[label]

    def record(self, failure: Failure) -> None:
        """Count a violation on its operation's tally and keep it (see `add_failure`)."""
        tally = self.tally(failure.operation)
        if failure.is_deviation:
            tally.checks_deviated[failure.check] += 1
        else:
            tally.checks_failed[failure.check] += 1
        self.add_failure(failure)

    def add_failure(self, failure: Failure) -> None:
        """Keep every distinct failing input (up to MAX_INPUTS per check, operation and title)."""
        group = failure.identity[:3]
        same = 0
        for known in self.failures:
            if known.identity == failure.identity:
                return
            same += known.identity[:3] == group
        if same >= MAX_INPUTS:
            self.dropped[group] += 1
            return
        self.failures.append(failure)

    @property
    def hard_failures(self) -> list[Failure]:
        return [f for f in self.failures if not f.is_deviation]

    @property
    def deviations(self) -> list[Failure]:
        return [f for f in self.failures if f.is_deviation]

    @property
    def total_cases(self) -> int:
        return sum(t.cases for t in self.tallies.values())

    @property
    def total_probe_requests(self) -> int:
        return sum(t.probe_requests for t in self.tallies.values())

    @property
    def failed_checks(self) -> set[str]:
        return {f.check for f in self.hard_failures}

    @property
    def deviated_checks(self) -> set[str]:
        return {f.check for f in self.deviations}

    @property
    def decisions_deviated(self) -> list[int]:
        return sorted({n for f in self.deviations for n in f.decisions})

    @property
    def coverage_percent(self) -> float:
        covered = sum(op.covered for op in self.coverage_report)
        expected = sum(op.expected for op in self.coverage_report)
        return 100.0 * covered / expected if expected else 100.0

    @property
    def coverage_too_low(self) -> bool:
        return self.min_coverage is not None and self.coverage_percent < self.min_coverage

    @property
    def passed(self) -> bool:
        return (
            not self.hard_failures
            and not (self.strict and self.deviations)
            and not self.errors
            and not self.coverage_too_low
            and not self.crashes
        )

    @property
    def exit_code(self) -> int:
        if self.crashes:
            return 2
        return 0 if self.passed else 1
