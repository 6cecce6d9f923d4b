"""The contract run on a terminal: the summary as rich tables (what `render_summary` says as plain
text, from the same `summary_data`), and the choice between the two."""

from __future__ import annotations

import sys
import textwrap
from typing import IO, Any

from spaces_toolkit.console import Column, console, rich_table, wants_rich
from spaces_toolkit.contract.catalogue import code_of
from spaces_toolkit.contract.coverage_report import COVERAGE_HEADINGS, coverage_notes, coverage_rows
from spaces_toolkit.contract.model import SuiteResult
from spaces_toolkit.contract.report import (
    MAX_PRINTED,
    render_summary,
    summary_data,
    target_line,
    verdict_line,
)

__all__ = ["OPERATION_COLUMNS", "print_summary", "rich_summary"]

OPERATION_COLUMNS = (
    Column("Operation", style="cyan"),
    Column("Cases", "right"),
    Column("Probes", "right"),
    Column("Failures", style="red"),
    Column("Deviations", style="yellow"),
)

_VERDICT_STYLE = {0: "bold green", 1: "bold red", 2: "bold magenta"}


def _cell(counts: dict[str, int]) -> str:
    return "\n".join(f"{code_of(name)} {name} ×{n}" for name, n in counts.items()) or "-"


def rich_summary(result: SuiteResult) -> list[Any]:
    """The run's summary as rich renderables, in the order they print."""
    from rich.markup import escape
    from rich.text import Text

    data = summary_data(result)
    head = Text.assemble(("Spaces API contract suite: ", "bold"), target_line(result))
    facts = (
        f"seed {result.seed} · {data['cases']} generated cases · {data['probe_requests']} probe "
        f"requests · {result.duration:.1f}s" + (" · --strict" if result.strict else "")
    )
    if result.cases_by_phase:
        facts += "\ncases by phase: " + ", ".join(
            f"{k} {v}" for k, v in result.cases_by_phase.items()
        )
    rows = [
        (
            op["operation"],
            op["cases"],
            op["probe_requests"],
            _cell(op["failing"]),
            _cell(op["deviating"]),
        )
        for op in data["operations"]
    ]
    failing = sum(sum(op["failing"].values()) for op in data["operations"])
    deviating = sum(sum(op["deviating"].values()) for op in data["operations"])
    table = rich_table(
        OPERATION_COLUMNS,
        rows,
        title="Operations",
        footer=("Total", data["cases"], data["probe_requests"], failing, deviating),
    )
    checks = rich_table(
        (
            Column("Code"),
            Column("Check"),
            Column("Runs", "right"),
            Column("Failing", "right", "red"),
            Column("Deviating", "right", "yellow"),
        ),
        [
            (c["code"], c["check"], c["runs"], c["failing"] or "-", c["deviating"] or "-")
            for c in data["checks"]
        ],
        title=f"{len(data['checks'])} checks",
    )
    out: list[Any] = [head, Text(facts, style="dim"), table, checks]
    coverage = coverage_rows(result)
    if coverage:
        out.append(
            rich_table(
                (
                    Column("Operation", style="cyan"),
                    *(Column(h, "right") for h in COVERAGE_HEADINGS),
                    Column("%", "right", "bold"),
                ),
                coverage,
                title="Coverage",
                footer=(
                    "Total",
                    *("" for _ in COVERAGE_HEADINGS),
                    f"{result.coverage_percent:.1f}",
                ),
            )
        )
    out += [Text(line) for line in coverage_notes(result)]
    out += [Text(f"note: {note}", style="dim") for note in result.notes]
    for heading, style, violations in (
        ("Failures: what the docs state", "red", result.hard_failures),
        (
            "Deviations from the spec's decisions (spec/NOTES.md)"
            + ("" if result.strict else "; not failing without --strict"),
            "yellow",
            result.deviations,
        ),
    ):
        if not violations:
            continue
        out.append(Text(f"\n{heading} ({len(violations)})", style=f"bold {style}"))
        for i, v in enumerate(violations[:MAX_PRINTED], 1):
            decided = f" (NOTES {', '.join(map(str, v.decisions))})" if v.decisions else ""
            line = f"{i}. [bold]{v.code}[/bold] [{escape(v.check)}] {escape(v.operation)}: "
            out.append(Text.from_markup(line + escape(v.title + decided)))
            if v.message:
                message = textwrap.shorten(" ".join(v.message.split()), 400)
                out.append(Text(textwrap.indent(message, "   "), style="dim"))
            if v.curl:
                out.append(Text(f"   reproduce: {v.curl}", style="dim"))
        if len(violations) > MAX_PRINTED:
            more = len(violations) - MAX_PRINTED
            out.append(Text(f"... and {more} more: every one is in report.html and --json"))
    for title, items in (
        ("Errors: the suite could not test everything", result.errors),
        (
            "Internal errors: the suite itself failed",
            [f"{c.where}: {c.summary}" for c in result.crashes],
        ),
    ):
        if items:
            out.append(Text(f"\n{title} ({len(items)})", style="bold magenta"))
            out += [Text(f"- {textwrap.shorten(item, 300)}") for item in items]
    out.append(Text("\n" + verdict_line(result), style=_VERDICT_STYLE[result.exit_code]))
    return out


def print_summary(result: SuiteResult, stream: IO[str] | None = None) -> None:
    """The summary on `stream`: rich tables on a terminal, `render_summary`'s text otherwise."""
    stream = sys.stdout if stream is None else stream
    if not wants_rich(stream):
        print(render_summary(result), file=stream)
        return
    out = console(stream)
    for renderable in rich_summary(result):
        out.print(renderable)
