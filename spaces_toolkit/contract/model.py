"""What a contract run found: per-operation tallies and failures, each with a curl line."""

from __future__ import annotations

import shlex
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from spaces_toolkit.contract.coverage import Coverage, OperationCoverage

__all__ = [
    "Credentials",
    "Failure",
    "OperationTally",
    "SuiteResult",
    "render_curl",
    "shell_quote",
]


MIN_MASKED = 8


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


@dataclass(frozen=True)
class Failure:
    """One contract failure: which check, where, what went wrong, and how to reproduce it."""

    check: str
    operation: str
    title: str
    message: str
    curl: str | None = None
    status: int | None = None
    source: str = "schemathesis"


@dataclass
class OperationTally:
    """Cases sent to one operation and the check results they produced."""

    label: str
    cases: int = 0
    probe_requests: int = 0
    checks_run: Counter[str] = field(default_factory=Counter)
    checks_failed: Counter[str] = field(default_factory=Counter)


@dataclass
class SuiteResult:
    base_url: str
    seed: int
    embedded: bool
    duration: float = 0.0
    tallies: dict[str, OperationTally] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    cases_by_phase: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    # Network errors retried (by kind): reported, never a contract failure.
    transient_errors: Counter[str] = field(default_factory=Counter)
    coverage: Coverage = field(default_factory=Coverage)
    coverage_report: list[OperationCoverage] = field(default_factory=list)
    min_coverage: float | None = None  # --min-coverage: below it the run fails

    def tally(self, label: str) -> OperationTally:
        if label not in self.tallies:
            self.tallies[label] = OperationTally(label)
        return self.tallies[label]

    def add_failure(self, failure: Failure) -> None:
        """Keep one failure per check, operation and title: the one with the shortest request."""
        key = (failure.check, failure.operation, failure.title)
        for i, known in enumerate(self.failures):
            if (known.check, known.operation, known.title) == key:
                if len(failure.curl or "") < len(known.curl or "") and failure.curl:
                    self.failures[i] = failure
                return
        self.failures.append(failure)

    @property
    def total_cases(self) -> int:
        return sum(t.cases for t in self.tallies.values())

    @property
    def total_probe_requests(self) -> int:
        return sum(t.probe_requests for t in self.tallies.values())

    @property
    def failed_checks(self) -> set[str]:
        return {f.check for f in self.failures}

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
        return not self.failures and not self.errors and not self.coverage_too_low

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 1
