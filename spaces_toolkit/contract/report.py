"""What a person reads: the summary table, each failure with its curl line, and the JUnit XML."""

from __future__ import annotations

import json
import textwrap
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

from spaces_toolkit.contract.catalogue import code_of
from spaces_toolkit.contract.coverage_report import coverage_lines, write_coverage_json
from spaces_toolkit.contract.model import SuiteResult

__all__ = [
    "CRASH_LOG",
    "checks_overview",
    "render_json",
    "render_summary",
    "run_facts",
    "summary_data",
    "verdict_line",
    "write_junit",
    "write_reports",
]

MAX_PRINTED = 40
CRASH_LOG = "contract.log"  # the suite's own tracebacks, in the report directory


def target_line(result: SuiteResult) -> str:
    if result.embedded:
        return f"{result.base_url} (embedded reference server)"
    return f"{result.base_url} (server under test, from {result.target_source})"


def verdict_word(result: SuiteResult) -> str:
    return {0: "passed", 1: "failed", 2: "could not run"}[result.exit_code]


def run_facts(result: SuiteResult) -> dict[str, Any]:
    """What every report records about the run: the target and where it came from, the seed,
    the grades' counts and the verdict."""
    return {
        "target": result.base_url,
        "target_source": result.target_source,
        "embedded": result.embedded,
        "seed": result.seed,
        "strict": result.strict,
        "failures": len(result.hard_failures),
        "deviations": len(result.deviations),
        "decisions_deviated": result.decisions_deviated,
        "exit_code": result.exit_code,
        "verdict": verdict_word(result),
    }


def summary_data(result: SuiteResult) -> dict[str, Any]:
    """The run as structured data: what `--json` prints and a rich console table renders from."""
    ran, failed = checks_overview(result)
    deviated: Counter[str] = Counter()
    for tally in result.tallies.values():
        deviated.update(tally.checks_deviated)
    return {
        **run_facts(result),
        "duration_seconds": round(result.duration, 3),
        "cases": result.total_cases,
        "probe_requests": result.total_probe_requests,
        "cases_by_phase": dict(result.cases_by_phase),
        "operations": [
            {
                "operation": label,
                "cases": tally.cases,
                "probe_requests": tally.probe_requests,
                "failing": dict(sorted(tally.checks_failed.items())),
                "deviating": dict(sorted(tally.checks_deviated.items())),
            }
            for label, tally in _ordered(result)
        ],
        "checks": [
            {
                "check": name,
                "code": code_of(name),
                "runs": ran[name],
                "failing": failed[name],
                "deviating": deviated[name],
            }
            for name in sorted(set(ran) | set(failed) | set(deviated))
        ],
        "violations": [f.as_dict() for f in result.failures],
        "inputs_not_kept": [
            {"check": c, "operation": o, "title": t, "count": n}
            for (c, o, t), n in sorted(result.dropped.items())
        ],
        "notes": list(result.notes),
        "errors": list(result.errors),
        "internal_errors": [{"where": c.where, "summary": c.summary} for c in result.crashes],
        "coverage_percent": round(result.coverage_percent, 2),
    }


def render_json(result: SuiteResult) -> str:
    return json.dumps(summary_data(result), indent=2)


def _ordered(result: SuiteResult) -> list[tuple[str, Any]]:
    return [
        (label, tally)
        for label, tally in sorted(result.tallies.items(), key=lambda kv: kv[0].split(" ")[::-1])
        if label and label != "setup"
    ]


def _failed_cell(failed: Counter[str]) -> str:
    return ", ".join(f"{name} ×{n}" for name, n in sorted(failed.items())) or "-"


def checks_overview(result: SuiteResult) -> tuple[Counter[str], Counter[str]]:
    """(times each check ran, failing cases per check) over all operations."""
    ran: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    for tally in result.tallies.values():
        ran.update(tally.checks_run)
        failed.update(tally.checks_failed)
    return ran, failed


def verdict_line(result: SuiteResult) -> str:
    deviations = result.deviations
    numbers = ", ".join(str(n) for n in result.decisions_deviated)
    dev_text = (
        f"{len(deviations)} deviations from the spec's decisions (NOTES {numbers or '?'})"
        if deviations
        else ""
    )
    if result.crashes:
        return (
            f"COULD NOT RUN: the suite itself failed {len(result.crashes)} times "
            f"(tracebacks in {CRASH_LOG}) (exit 2)"
        )
    if result.passed:
        tail = f"; {dev_text}, not failing without --strict" if deviations else ""
        return f"PASSED: the server meets the contract{tail} (exit 0)"
    checks = sorted(result.failed_checks)
    parts = []
    if result.hard_failures:
        parts.append(
            f"{len(result.hard_failures)} failures in {len(checks)} checks ({', '.join(checks)})"
        )
    if deviations:
        parts.append(dev_text + (" (--strict)" if result.strict else ""))
    if result.errors:
        parts.append(f"{len(result.errors)} errors")
    if result.coverage_too_low:
        parts.append(
            f"coverage {result.coverage_percent:.1f}% below --min-coverage {result.min_coverage:g}%"
        )
    return f"FAILED: {'; '.join(parts)} (exit 1)"


def _violation_lines(failures: list[Any], heading: str) -> list[str]:
    lines = ["", f"{heading} ({len(failures)})"]
    for i, failure in enumerate(failures[:MAX_PRINTED], 1):
        decided = f" (NOTES {', '.join(map(str, failure.decisions))})" if failure.decisions else ""
        lines.append(
            f"{i}. {failure.code} [{failure.check}] {failure.operation}: {failure.title}{decided}"
        )
        message = (
            textwrap.shorten(" ".join(failure.message.split()), 400) if failure.message else ""
        )
        if message:
            lines.append(textwrap.indent(textwrap.fill(message, 96), "   "))
        if failure.curl:
            lines.append(f"   reproduce: {failure.curl}")
    if len(failures) > MAX_PRINTED:
        more = len(failures) - MAX_PRINTED
        lines.append(f"... and {more} more: every one is in report.html, junit.xml and --json")
    return lines


def render_summary(result: SuiteResult) -> str:
    lines = [
        f"Spaces API contract suite: {target_line(result)}",
        f"seed {result.seed} · {result.total_cases} generated cases · "
        f"{result.total_probe_requests} probe requests · {result.duration:.1f}s"
        + (" · --strict" if result.strict else ""),
        "",
    ]
    if result.cases_by_phase:
        phases = ", ".join(f"{k} {v}" for k, v in result.cases_by_phase.items())
        lines += [f"cases by phase: {phases}", ""]
    width = max([len(label) for label in result.tallies] + [9])
    lines.append(
        f"{'Operation':<{width}}  {'Cases':>6}  {'Probes':>6}  Failing checks (cases) · deviating"
    )
    for label, tally in _ordered(result):
        cell = _failed_cell(tally.checks_failed)
        if tally.checks_deviated:
            cell += " · " + _failed_cell(tally.checks_deviated)
        lines.append(f"{label:<{width}}  {tally.cases:>6}  {tally.probe_requests:>6}  {cell}")
    lines.append(f"{'Total':<{width}}  {result.total_cases:>6}  {result.total_probe_requests:>6}")
    ran, failed = checks_overview(result)
    lines += ["", f"{len(ran)} checks ran: " + ", ".join(sorted(ran))]
    coverage = coverage_lines(result)
    if coverage:
        lines += ["", *coverage]
    for note in result.notes:
        lines.append(f"note: {note}")
    if result.hard_failures:
        lines += _violation_lines(result.hard_failures, "FAILURES: what the docs state")
    if result.deviations:
        heading = "DEVIATIONS from the spec's decisions (spec/NOTES.md)" + (
            "" if result.strict else "; not failing without --strict"
        )
        lines += _violation_lines(result.deviations, heading)
    for (check, operation, title), n in sorted(result.dropped.items()):
        lines.append(f"note: {n} more failing inputs of [{check}] {operation}: {title} not kept")
    if result.errors:
        lines += ["", f"ERRORS ({len(result.errors)}): the suite could not test everything"]
        lines += [f"- {textwrap.shorten(error, 300)}" for error in result.errors]
    if result.crashes:
        lines += ["", f"INTERNAL ERRORS ({len(result.crashes)}): the suite itself failed"]
        lines += [f"- {c.where}: {textwrap.shorten(c.summary, 200)}" for c in result.crashes]
    lines += ["", verdict_line(result)]
    return "\n".join(lines)


def write_junit(result: SuiteResult, path: Path) -> None:
    """One test case per (operation, check) that ran, with its time; a failure element per
    failing one (deviations too under --strict), deviations without --strict as `skipped` with
    their NOTES numbers; the suite's own crashes as errors."""
    suite = ET.Element("testsuite", name="spaces-contract", time=f"{result.duration:.3f}")
    tests = failures = errors = skipped = 0
    by_key: dict[tuple[str, str], list] = {}
    for failure in result.failures:
        by_key.setdefault((failure.operation, failure.check), []).append(failure)
    keys = {(label, check) for label, t in result.tallies.items() for check in t.checks_run}
    keys |= set(by_key)
    for label, check in sorted(keys):
        if label == "setup" or not label:
            continue
        tests += 1
        code = code_of(check)
        case = ET.SubElement(
            suite,
            "testcase",
            classname=label,
            name=f"{code} {check}",
            time=f"{result.times.get((label, check), 0.0):.3f}",
        )
        found = by_key.get((label, check), [])
        hard = [f for f in found if not f.is_deviation]
        soft = [f for f in found if f.is_deviation]
        if hard or (soft and result.strict):
            failures += 1
            shown = hard or soft
            element = ET.SubElement(case, "failure", message=shown[0].title, type=code)
            element.text = "\n\n".join(_junit_text(f) for f in hard + soft)
        elif soft:
            skipped += 1
            numbers = sorted({n for f in soft for n in f.decisions})
            message = f"deviation from NOTES {', '.join(map(str, numbers)) or '?'}: {soft[0].title}"
            element = ET.SubElement(case, "skipped", message=message)
            element.text = "\n\n".join(_junit_text(f) for f in soft)
    for error in result.errors:
        tests += 1
        errors += 1
        case = ET.SubElement(suite, "testcase", classname="schemathesis", name="error")
        ET.SubElement(case, "error", message=error[:200]).text = error
    for crash in result.crashes:
        tests += 1
        errors += 1
        case = ET.SubElement(suite, "testcase", classname="suite", name=crash.where)
        ET.SubElement(case, "error", message=crash.summary[:200]).text = crash.traceback
    for name, value in (
        ("tests", tests),
        ("failures", failures),
        ("errors", errors),
        ("skipped", skipped),
    ):
        suite.set(name, str(value))
    props = ET.Element("properties")
    for name, value in run_facts(result).items():
        ET.SubElement(props, "property", name=name, value=json.dumps(value).strip('"'))
    suite.insert(0, props)
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    path.write_text(ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n")


def _junit_text(failure: Any) -> str:
    decided = f" (deviation, NOTES {', '.join(map(str, failure.decisions))})" * bool(
        failure.decisions
    )
    parts = [f"{failure.code} {failure.title}{decided}", failure.message]
    if failure.request:
        parts.append("request:\n" + failure.request)
    if failure.response:
        parts.append("response:\n" + failure.response)
    parts.append(f"reproduce: {failure.curl or '-'}")
    return "\n".join(parts)


def write_reports(result: SuiteResult, directory: Path) -> list[Path]:
    """Write junit.xml, report.html and coverage.json (and, if the suite itself failed, its
    tracebacks in contract.log) into `directory`; return their paths."""
    from spaces_toolkit.contract.htmlreport import write_html

    directory.mkdir(parents=True, exist_ok=True)
    junit, html = directory / "junit.xml", directory / "report.html"
    coverage = directory / "coverage.json"
    written = []
    if result.crashes:
        log = directory / CRASH_LOG
        log.write_text(
            "\n\n".join(f"{c.where}: {c.summary}\n{c.traceback}" for c in result.crashes)
        )
        written.append(log)
    write_junit(result, junit)
    write_html(result, html)
    write_coverage_json(result, coverage)
    return [junit, html, coverage, *written]
