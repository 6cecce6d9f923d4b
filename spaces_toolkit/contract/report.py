"""What a person reads: the summary table, each failure with its curl line, and the JUnit XML."""

from __future__ import annotations

import textwrap
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

from spaces_toolkit.contract.coverage_report import coverage_lines, write_coverage_json
from spaces_toolkit.contract.model import SuiteResult

__all__ = ["render_summary", "write_junit", "write_reports", "checks_overview"]

MAX_PRINTED = 40


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


def _verdict(result: SuiteResult) -> str:
    if result.passed:
        return "PASSED: the server meets the contract (exit 0)"
    checks = sorted(result.failed_checks)
    parts = []
    if result.failures:
        parts.append(
            f"{len(result.failures)} failures in {len(checks)} checks ({', '.join(checks)})"
        )
    if result.errors:
        parts.append(f"{len(result.errors)} errors")
    if result.coverage_too_low:
        parts.append(
            f"coverage {result.coverage_percent:.1f}% below --min-coverage {result.min_coverage:g}%"
        )
    return f"FAILED: {'; '.join(parts)} (exit 1)"


def render_summary(result: SuiteResult) -> str:
    where = "embedded reference server" if result.embedded else "server under test"
    lines = [
        f"Spaces API contract suite: {result.base_url} ({where})",
        f"seed {result.seed} · {result.total_cases} generated cases · "
        f"{result.total_probe_requests} probe requests · {result.duration:.1f}s",
        "",
    ]
    if result.cases_by_phase:
        phases = ", ".join(f"{k} {v}" for k, v in result.cases_by_phase.items())
        lines += [f"cases by phase: {phases}", ""]
    width = max([len(label) for label in result.tallies] + [9])
    lines.append(f"{'Operation':<{width}}  {'Cases':>6}  {'Probes':>6}  Failing checks (cases)")
    for label, tally in sorted(result.tallies.items(), key=lambda kv: kv[0].split(" ")[::-1]):
        if label == "setup" or not label:
            continue
        cell = _failed_cell(tally.checks_failed)
        lines.append(f"{label:<{width}}  {tally.cases:>6}  {tally.probe_requests:>6}  {cell}")
    lines.append(f"{'Total':<{width}}  {result.total_cases:>6}  {result.total_probe_requests:>6}")
    ran, failed = checks_overview(result)
    lines += ["", f"{len(ran)} checks ran: " + ", ".join(sorted(ran))]
    coverage = coverage_lines(result)
    if coverage:
        lines += ["", *coverage]
    for note in result.notes:
        lines.append(f"note: {note}")
    if result.failures:
        lines += ["", f"FAILURES ({len(result.failures)})"]
        for i, failure in enumerate(result.failures[:MAX_PRINTED], 1):
            lines.append(f"{i}. [{failure.check}] {failure.operation}: {failure.title}")
            message = (
                textwrap.shorten(" ".join(failure.message.split()), 400) if failure.message else ""
            )
            if message:
                lines.append(textwrap.indent(textwrap.fill(message, 96), "   "))
            if failure.curl:
                lines.append(f"   reproduce: {failure.curl}")
        if len(result.failures) > MAX_PRINTED:
            more = len(result.failures) - MAX_PRINTED
            lines.append(f"... and {more} more failures: every one is in report.html and junit.xml")
    if result.errors:
        lines += ["", f"ERRORS ({len(result.errors)}): the suite could not test everything"]
        lines += [f"- {textwrap.shorten(error, 300)}" for error in result.errors]
    lines += ["", _verdict(result)]
    return "\n".join(lines)


def write_junit(result: SuiteResult, path: Path) -> None:
    """One test case per (operation, check) that ran; a failure element for each failing one."""
    suite = ET.Element(
        "testsuite",
        name="spaces-contract",
        timestamp="",
        time=f"{result.duration:.3f}",
    )
    tests = failures = errors = 0
    by_key: dict[tuple[str, str], list] = {}
    for failure in result.failures:
        by_key.setdefault((failure.operation, failure.check), []).append(failure)
    keys = {(label, check) for label, t in result.tallies.items() for check in t.checks_run}
    keys |= set(by_key)
    for label, check in sorted(keys):
        if label == "setup" or not label:
            continue
        tests += 1
        case = ET.SubElement(suite, "testcase", classname=label, name=check)
        found = by_key.get((label, check))
        if found:
            failures += 1
            element = ET.SubElement(case, "failure", message=found[0].title, type=check)
            element.text = "\n\n".join(
                f"{f.title}\n{f.message}\nreproduce: {f.curl or '-'}" for f in found
            )
    for error in result.errors:
        tests += 1
        errors += 1
        case = ET.SubElement(suite, "testcase", classname="schemathesis", name="error")
        ET.SubElement(case, "error", message=error[:200]).text = error
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    del suite.attrib["timestamp"]
    props = ET.Element("properties")
    for name, value in (("base_url", result.base_url), ("seed", str(result.seed))):
        ET.SubElement(props, "property", name=name, value=value)
    suite.insert(0, props)
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    path.write_text(ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n")


def write_reports(result: SuiteResult, directory: Path) -> list[Path]:
    """Write junit.xml, report.html and coverage.json into `directory`; return their paths."""
    from spaces_toolkit.contract.htmlreport import write_html

    directory.mkdir(parents=True, exist_ok=True)
    junit, html = directory / "junit.xml", directory / "report.html"
    coverage = directory / "coverage.json"
    write_junit(result, junit)
    write_html(result, html)
    write_coverage_json(result, coverage)
    return [junit, html, coverage]
