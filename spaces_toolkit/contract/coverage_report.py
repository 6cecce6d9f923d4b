"""The coverage of a run, three ways: a console table, an HTML table, coverage.json."""

from __future__ import annotations

import json
from collections import Counter
from html import escape
from pathlib import Path
from typing import Any

from spaces_toolkit.contract.coverage import OperationCoverage
from spaces_toolkit.contract.model import SuiteResult

__all__ = [
    "COVERAGE_HEADINGS",
    "KINDS",
    "coverage_html",
    "coverage_json",
    "coverage_lines",
    "coverage_notes",
    "coverage_rows",
    "write_coverage_json",
]

KINDS = ("status", "param", "branch", "link", "check")
_HEADINGS = {"status": "statuses", "branch": "branches"}
MAX_UNCOVERED_PRINTED = 3


def _by_kind(op: OperationCoverage) -> dict[str, tuple[int, int]]:
    total: Counter[str] = Counter()
    covered: Counter[str] = Counter()
    for cell in op.cells:
        if cell.expected:
            total[cell.kind] += 1
            covered[cell.kind] += cell.covered
    return {kind: (covered[kind], total[kind]) for kind in KINDS}


def _fraction(pair: tuple[int, int]) -> str:
    return f"{pair[0]}/{pair[1]}" if pair[1] else "-"


COVERAGE_HEADINGS = tuple(_HEADINGS.get(k, k + "s") for k in KINDS)


def coverage_rows(result: SuiteResult) -> list[tuple[str, ...]]:
    """Per operation: its label, covered/declared cells of each kind (KINDS), its percentage."""
    rows = []
    for op in result.coverage_report:
        kinds = _by_kind(op)
        rows.append((op.label, *(_fraction(kinds[k]) for k in KINDS), f"{op.percent:.1f}"))
    return rows


def coverage_notes(result: SuiteResult) -> list[str]:
    """What the table does not say: the cells not covered (by reason, a few examples each) and
    the --min-coverage verdict."""
    lines = []
    uncovered = [(op.label, c) for op in result.coverage_report for c in op.cells if not c.covered]
    if uncovered:
        lines.append(f"not covered ({len(uncovered)} cells; every one in coverage.json), e.g.:")
        reasons: Counter[str] = Counter(c.reason for _, c in uncovered)
        for reason, n in reasons.most_common():
            examples = [
                f"{label} {c.kind} {c.name!r}" for label, c in uncovered if c.reason == reason
            ]
            shown = "; ".join(examples[:MAX_UNCOVERED_PRINTED])
            lines.append(f"  {n} × {reason}: {shown}" + (" …" if n > MAX_UNCOVERED_PRINTED else ""))
    if result.min_coverage is not None:
        verdict = "below" if result.coverage_too_low else "meets"
        lines.append(
            f"coverage {result.coverage_percent:.1f}% {verdict} --min-coverage "
            f"{result.min_coverage:g}%"
        )
    return lines


def coverage_lines(result: SuiteResult) -> list[str]:
    """The console summary: per operation, covered/declared cells of each kind."""
    rows = coverage_rows(result)
    if not rows:
        return []
    width = max(len(row[0]) for row in rows)
    head = f"{'Coverage':<{width}}  " + "  ".join(f"{h:>9}" for h in COVERAGE_HEADINGS) + "      %"
    lines = [head]
    for label, *cells, percent in rows:
        lines.append(
            f"{label:<{width}}  " + "  ".join(f"{c:>9}" for c in cells) + f"  {percent:>5}"
        )
    lines.append(f"{'Total':<{width}}  {'':>{11 * len(KINDS) - 2}}  {result.coverage_percent:5.1f}")
    return lines + coverage_notes(result)


def coverage_json(result: SuiteResult) -> dict[str, Any]:
    from spaces_toolkit.contract.report import run_facts

    return {
        "run": run_facts(result),
        "percent": round(result.coverage_percent, 2),
        "min_coverage": result.min_coverage,
        "operations": [
            {
                "operation": op.label,
                "percent": round(op.percent, 2),
                "cells": [
                    {"kind": c.kind, "name": c.name, "covered": c.covered, "counted": c.expected}
                    | ({} if c.covered else {"reason": c.reason})
                    for c in op.cells
                ],
            }
            for op in result.coverage_report
        ],
    }


def write_coverage_json(result: SuiteResult, path: Path) -> None:
    path.write_text(json.dumps(coverage_json(result), indent=2) + "\n", encoding="utf-8")


def coverage_html(result: SuiteResult) -> str:
    """The coverage table (and, folded, every uncovered cell with its reason)."""
    if not result.coverage_report:
        return "<p>No coverage recorded.</p>"
    head = "".join(f"<th>{_HEADINGS.get(k, k + 's')}</th>" for k in KINDS)
    rows = []
    for op in result.coverage_report:
        kinds = _by_kind(op)
        cells = "".join(f"<td class=n>{_fraction(kinds[k])}</td>" for k in KINDS)
        missing = "".join(
            f"<li>{escape(c.kind)} <code>{escape(c.name)}</code>: {escape(c.reason)}</li>"
            for c in op.cells
            if not c.covered
        )
        detail = (
            f"<details><summary>{len(op.cells) - op.covered} not covered</summary>"
            f"<ul>{missing}</ul></details>"
            if missing
            else "all covered"
        )
        rows.append(
            f"<tr><td><code>{escape(op.label)}</code></td>{cells}"
            f"<td class=n>{op.percent:.1f}%</td><td>{detail}</td></tr>"
        )
    total = (
        f"<tr><th>Total</th>{'<th></th>' * len(KINDS)}"
        f"<th class=n>{result.coverage_percent:.1f}%</th><th></th></tr>"
    )
    return (
        f'<table class="coverage"><tr><th>Operation</th>{head}<th>Covered</th>'
        f"<th>Not covered, and why</th></tr>{''.join(rows)}{total}</table>"
    )
