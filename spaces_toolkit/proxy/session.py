"""One proxy run (live or replayed): checks each exchange, says what it finds as it finds it,
and sums it up at the end, in the same words and files as the contract suite.

Output: one console line per violation as it happens; `--log FILE`, one JSON object per line
(each violation, then a closing `summary` line); `--record FILE`, the exchanges as HAR;
`--report-dir DIR`, the suite's junit.xml and report.html. Every violation is graded
(`checking.grade`): a failure breaks what the docs state, a deviation only what spec/NOTES.md
decided (with the entry's number). Exit status as the suite's: 0 no failure (deviations are
reported, and fail the run only with `strict`), 1 failures, 2 the run could not check
everything (the upstream did not answer, or a check raised).
"""

from __future__ import annotations

import json
import sys
import textwrap
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from spaces_toolkit.contract.model import Failure, SuiteResult, render_curl
from spaces_toolkit.proxy.checking import CHECKS, Checker, Violation
from spaces_toolkit.proxy.exchange import Exchange
from spaces_toolkit.proxy.har import HarWriter
from spaces_toolkit.proxy.redact import Redactor
from spaces_toolkit.proxy.worker import CheckChannel

__all__ = ["Outputs", "Session"]


@dataclass
class Outputs:
    log: Path | None = None
    record: Path | None = None
    report_dir: Path | None = None
    strict: bool = False  # deviations from the spec's decisions fail the run too (exit 1)
    print: Callable[[str], None] = field(default=lambda line: print(line, flush=True))


class Session:
    def __init__(self, checker: Checker, outputs: Outputs, *, source: str, spec: str) -> None:
        self.checker = checker
        self.outputs = outputs
        self.source = source  # the upstream URL, or the recording replayed
        self.redactor = Redactor()
        self.violations: list[Violation] = []
        self.errors: list[str] = []
        self.exchanges = 0
        self.seconds = 0.0
        self.worker: CheckChannel | None = None  # live runs check off the forwarding path
        self._lock = threading.Lock()
        self._log: IO[str] | None = None
        if outputs.log is not None:
            self._log = outputs.log.open("w", encoding="utf-8")
        self._har: HarWriter | None = None
        if outputs.record is not None:
            self._har = HarWriter(
                outputs.record, self.redactor, base_path=checker.base_path, spec=spec
            )

    # ------------------------------------------------------------------ as it happens

    def exchange(self, exchange: Exchange) -> list[Violation]:
        """Check an exchange here and now (a replay) and record what was found."""
        with self._lock:
            return self._record(exchange, self.checker.check(exchange))

    def record(self, exchange: Exchange, found: list[Violation]) -> list[Violation]:
        """Record an exchange checked elsewhere (a live run's checking process)."""
        with self._lock:
            return self._record(exchange, found)

    def _record(self, exchange: Exchange, found: list[Violation]) -> list[Violation]:
        self.exchanges += 1
        self.redactor.learn(exchange.request_header("authorization"))
        if self._har is not None:
            self._har.write(exchange)
        for violation in found:
            violation = self._masked(violation)
            self.violations.append(violation)
            self.outputs.print(self.line(violation))
            self._write_log({"type": "violation", **violation.as_dict()})
        return found

    def check_crashed(self, exchange: Exchange, exc: BaseException) -> None:
        """A check raised on this exchange: it is reported as not checked (exit 2), not lost."""
        self.upstream_error(
            exchange.method,
            exchange.target,
            f"exchange #{exchange.number} not checked: the checks raised"
            f" {type(exc).__name__}: {exc}",
        )

    def no_answer(self, method: str, target: str, message: str) -> None:
        """The upstream did not answer a forwarded request (reset, closed, timed out): the
        server's failure, as the suite counts it (never "could not run")."""
        from .checking import CHECKS, Violation

        check = CHECKS["no_answer"]
        path = target.split("?", 1)[0]
        violation = Violation(
            number=0,
            check=check.name,
            code=check.code,
            party=check.party,
            grade="failure",
            decision=None,
            operation=f"{method} {path}",
            title="No answer from the server",
            message=message,
            method=method,
            target=target,
            status=502,
        )
        with self._lock:
            violation = self._masked(violation)
            self.violations.append(violation)
            self.outputs.print(self.line(violation))
            self._write_log({"type": "violation", **violation.as_dict()})

    def upstream_error(self, method: str, target: str, message: str) -> None:
        self._error("upstream error", method, target, message)

    def proxy_error(self, method: str, target: str, message: str) -> None:
        """Forwarding a request failed in the proxy itself: the run could not check it (exit 2)."""
        self._error("proxy error", method, target, message)

    def _error(self, kind: str, method: str, target: str, message: str) -> None:
        with self._lock:
            text = f"{method} {self.redactor.target(target)}: {message}"
            self.errors.append(text)
            self.outputs.print(f"! {kind}  {text}")
            self._write_log({"type": "error", "message": text})

    def _masked(self, v: Violation) -> Violation:
        from dataclasses import replace

        r = self.redactor
        return replace(
            v, message=r.text(v.message), title=r.text(v.title), target=r.target(v.target)
        )

    @staticmethod
    def line(v: Violation) -> str:
        mark = "✗" if v.grade == "failure" else "~"
        return (
            f"{mark} {v.party:<6} {v.code} {v.check} {_graded(v)}  #{v.number} {v.method}"
            f" {v.target} → {v.status}: {v.title}: {textwrap.shorten(v.message, 300)}"
        )

    def _write_log(self, record: dict[str, Any]) -> None:
        if self._log is not None:
            self._log.write(json.dumps(record, ensure_ascii=False) + "\n")
            self._log.flush()

    def settle(self) -> None:
        """Wait until the exchanges forwarded so far are checked (live runs check them in a
        process of their own); from another thread than the proxy's."""
        if self.worker is not None:
            self.worker.settle()

    # ------------------------------------------------------------------ at the end

    @property
    def failures(self) -> list[Violation]:
        return [v for v in self.violations if v.grade == "failure"]

    @property
    def deviations(self) -> list[Violation]:
        return [v for v in self.violations if v.grade == "deviation"]

    @property
    def failing(self) -> list[Violation]:
        """What fails the run: the failures, and with `strict` the deviations too."""
        return self.violations if self.outputs.strict else self.failures

    @property
    def exit_code(self) -> int:
        if self.failing:
            return 1
        return 2 if self.errors else 0

    def verdict(self) -> dict[str, Any]:
        """What the run found, comparable between a live run and its replay."""
        return {
            "exchanges": self.exchanges,
            "exit": self.exit_code,
            "violations": sorted(
                (v.number, v.check, v.code, v.party, v.grade, v.decisions, v.title)
                for v in self.violations
            ),
        }

    def summary(self) -> str:
        counts: Counter[tuple[str, str, str, str]] = Counter(
            (v.party, v.check, v.operation, _graded(v)) for v in self.violations
        )
        checked, outside = self.checker.checked, self.checker.outside
        lines = [
            "",
            f"spaces proxy: {self.source}",
            f"{self.exchanges} exchanges: {checked} checked against the spec, {outside} outside"
            f" the API's base path {self.checker.base_path or '/'!r} (forwarded unchecked)"
            + (f"; {len(self.errors)} errors" if self.errors else ""),
        ]
        if self.checker.rate_limited:
            lines.append(
                f"{self.checker.rate_limited} answered 429 Too Many Requests: their requests"
                " checked, not the answers (a refusal of the moment)"
            )
        if self.worker is not None and self.worker.waits:
            lines.append(
                f"the checks fell behind: the forwarding waited {self.worker.waits} times for"
                " them (no exchange went unchecked)"
            )
        if counts:
            width = max(len(op) for _, _, op, _ in counts)
            check_width = max(len(c) for _, c, _, _ in counts)
            grade_width = max(len(g) for *_, g in counts)
            lines += [
                "",
                f"{'party':<6}  {'code':<5}  {'check':<{check_width}}  "
                f"{'operation':<{width}}  {'grade':<{grade_width}}  count",
            ]
            for (party, check, op, graded), n in sorted(counts.items()):
                code = CHECKS[check].code
                lines.append(
                    f"{party:<6}  {code:<5}  {check:<{check_width}}  {op:<{width}}"
                    f"  {graded:<{grade_width}}  {n:>5}"
                )
        decided = sorted({d for v in self.deviations for d in v.decisions})
        if decided:
            lines.append("")
            notes = self.checker.spec.notes
            lines += [f"NOTES {d}: {notes.get(d, '')}" for d in decided]
        server = sum(1 for v in self.failures if v.party == "server")
        client = sum(1 for v in self.failures if v.party == "client")
        deviations = len(self.deviations)
        lines.append("")
        if self.exit_code == 0:
            found = f"0 failures, {deviations} deviations" if deviations else "0 violations"
            lines.append(f"PASSED: {found} in {self.exchanges} exchanges (exit 0)")
        elif self.exit_code == 1:
            lines.append(
                f"FAILED: {server} server failures, {client} client failures"
                + (f", {deviations} deviations" if deviations else "")
                + (" (--strict: deviations fail the run)" if self.outputs.strict else "")
                + " (exit 1)"
            )
        else:
            lines.append(f"INCOMPLETE: {len(self.errors)} exchanges could not be checked (exit 2)")
        return "\n".join(lines)

    def suite_result(self) -> SuiteResult:
        """The run as the contract suite's result: what its junit.xml and report.html read.
        Deviations are failures there with `strict`, notes without."""
        result = SuiteResult(base_url=self.source, seed=0, embedded=False, duration=self.seconds)
        for (label, check), n in self.checker.runs.items():
            result.tally(label).checks_run[check] += n
        for v in self.failing:
            result.tally(v.operation).checks_failed[v.check] += 1
            curl = render_curl(v.method, v.target, {}, None, None)
            result.failures.append(
                Failure(
                    check=v.check,
                    operation=v.operation,
                    title=f"[{v.code} {v.party} {_graded(v)}] {v.title}",
                    message=f"exchange #{v.number}: {v.message}",
                    curl=curl,
                    status=v.status,
                    source="proxy",
                )
            )
        for label, tally in result.tallies.items():
            tally.cases = self.checker.per_operation.get(label, 0)
        result.errors = list(self.errors)
        result.notes.append(
            f"spaces proxy: {self.exchanges} exchanges, {self.checker.checked} checked;"
            f" {len(self.deviations)} deviations"
        )
        if not self.outputs.strict:
            deviated: Counter[tuple[str, str, str, str]] = Counter(
                (v.code, v.check, v.operation, _graded(v)) for v in self.deviations
            )
            for (code, check, op, graded), n in sorted(deviated.items()):
                result.notes.append(f"{graded}: [{code}] {check} on {op} ×{n}")
        return result

    def close(self) -> None:
        with self._lock:
            if self._har is not None:
                self._har.close()
            summary = self.summary()
            self.outputs.print(summary)
            if self.outputs.report_dir is not None:
                from spaces_toolkit.contract.htmlreport import write_html
                from spaces_toolkit.contract.report import write_junit

                directory = self.outputs.report_dir
                directory.mkdir(parents=True, exist_ok=True)
                result = self.suite_result()
                write_junit(result, directory / "junit.xml")
                write_html(result, directory / "report.html")
                self.outputs.print(
                    f"reports: {directory / 'junit.xml'}, {directory / 'report.html'}"
                )
            waits = self.worker.waits if self.worker is not None else 0
            self._write_log(
                {
                    "type": "summary",
                    **self.verdict(),
                    "checked": self.checker.checked,
                    "errors": len(self.errors),
                    "waits": waits,  # times the forwarding waited for the checks to catch up
                }
            )
            if self._log is not None:
                self._log.close()
                self._log = None


def _graded(v: Violation) -> str:
    """ "failure", or "deviation (NOTES 12, 24)"."""
    if v.grade == "failure" or not v.decisions:
        return v.grade
    return f"{v.grade} (NOTES {', '.join(str(d) for d in v.decisions)})"


def stderr_print(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
