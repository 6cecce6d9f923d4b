"""One self-contained HTML report (inline CSS, no scripts, no external resources)."""

from __future__ import annotations

from html import escape
from pathlib import Path

from spaces_toolkit.contract.catalogue import code_of
from spaces_toolkit.contract.model import Failure, SuiteResult

__all__ = ["render_html", "write_html"]

_CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;
color:#1b1f24}
h1{font-size:1.5rem;margin-bottom:.2rem} h2{font-size:1.15rem;margin-top:2rem}
.meta{color:#57606a} .verdict{padding:.6rem 1rem;border-radius:6px;font-weight:600}
.pass{background:#dafbe1;color:#116329} .fail{background:#ffebe9;color:#a40e26}
table{border-collapse:collapse;width:100%} th,td{text-align:left;padding:.3rem .6rem;
border-bottom:1px solid #d0d7de;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.bad td{background:#fff8f7} code,pre{font:13px ui-monospace,monospace}
pre{background:#f6f8fa;padding:.6rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
details{border:1px solid #d0d7de;border-radius:6px;padding:.4rem .8rem;margin:.5rem 0}
summary{cursor:pointer} .check{font-family:ui-monospace,monospace;color:#8250df}
"""


def _operations_table(result: SuiteResult) -> str:
    rows = []
    ordered = sorted(result.tallies.items(), key=lambda kv: kv[0].split(" ")[::-1])
    for label, tally in ordered:
        if label == "setup" or not label:
            continue
        failed = ", ".join(
            f'<span class="check">{escape(name)}</span> ×{n}'
            for name, n in sorted(tally.checks_failed.items())
        )
        css = ' class="bad"' if tally.checks_failed else ""
        rows.append(
            f"<tr{css}><td><code>{escape(label)}</code></td><td class=n>{tally.cases}</td>"
            f"<td class=n>{tally.probe_requests}</td><td class=n>{len(tally.checks_run)}</td>"
            f"<td>{failed or '–'}</td></tr>"
        )
    rows.append(
        f"<tr><th>Total</th><th class=n>{result.total_cases}</th>"
        f"<th class=n>{result.total_probe_requests}</th><th></th><th></th></tr>"
    )
    head = (
        "<tr><th>Operation</th><th>Generated cases</th><th>Probe requests</th>"
        "<th>Checks run</th><th>Failing checks (cases)</th></tr>"
    )
    return f"<table>{head}{''.join(rows)}</table>"


def _violations(failures: list[Failure], empty: str) -> str:
    if not failures:
        return f"<p>{empty}</p>"
    items = []
    for failure in failures:
        curl = f"<p>Reproduce:</p><pre>{escape(failure.curl)}</pre>" if failure.curl else ""
        status = f" · answered {failure.status}" if failure.status is not None else ""
        decided = f" · NOTES {', '.join(map(str, failure.decisions))}" if failure.decisions else ""
        exchange = "".join(
            f"<p>{name}:</p><pre>{escape(text)}</pre>"
            for name, text in (("Request", failure.request), ("Response", failure.response))
            if text
        )
        items.append(
            f"<details open><summary><code>{escape(failure.code)}</code> "
            f'<span class="check">{escape(failure.check)}</span> · '
            f"<code>{escape(failure.operation)}</code> · {escape(failure.title)}{status}"
            f"{decided}</summary><pre>{escape(failure.message)}</pre>{exchange}{curl}</details>"
        )
    return "".join(items)


def render_html(result: SuiteResult) -> str:
    from spaces_toolkit.contract.coverage_report import coverage_html
    from spaces_toolkit.contract.report import checks_overview, target_line

    ran, failed = checks_overview(result)
    deviations = len(result.deviations)
    numbers = ", ".join(map(str, result.decisions_deviated))
    graded = f", {deviations} deviations (NOTES {numbers})" if deviations else ""
    if result.crashes:
        verdict = (
            f'<p class="verdict fail">Could not run: the suite itself failed '
            f"{len(result.crashes)} times (see the errors below).</p>"
        )
    elif result.passed:
        verdict = (
            f'<p class="verdict pass">Passed: the server meets the contract{graded}'
            f"{' (not failing without --strict)' if deviations else ''}.</p>"
        )
    else:
        verdict = (
            f'<p class="verdict fail">Failed: {len(result.hard_failures)} failures{graded}, '
            f"{len(result.errors)} errors{' (--strict)' if result.strict else ''}.</p>"
        )
    phases = ", ".join(f"{escape(k)}: {v}" for k, v in result.cases_by_phase.items())
    check_rows = "".join(
        f"<tr{' class=bad' if failed[name] else ''}><td><code>{code_of(name)}</code></td>"
        f'<td class="check">{escape(name)}</td><td class=n>{ran[name]}</td>'
        f"<td class=n>{failed[name]}</td></tr>"
        for name in sorted(ran | failed)
    )
    errors = "".join(f"<li><pre>{escape(e)}</pre></li>" for e in result.errors)
    notes = "".join(f"<li>{escape(n)}</li>" for n in result.notes)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Spaces API contract report</title><style>{_CSS}</style></head><body>
<h1>Spaces API contract report</h1>
<p class="meta">{escape(target_line(result))} · seed <code>{result.seed}</code> (repeat with
<code>--seed {result.seed}</code>) · {result.total_cases} generated cases
({phases or "no Schemathesis phases"}) · {result.total_probe_requests} probe requests ·
{result.duration:.1f}s</p>
{verdict}
<h2>Operations</h2>{_operations_table(result)}
<h2>Coverage</h2>
<p class="meta">Per operation, what this run exercised of what the spec declares: status codes
answered, parameters sent valid / invalid / absent / at a bound, union branches, enum values and
nullable fields seen in answers, links followed, probes run.</p>
{coverage_html(result)}
<h2>Checks</h2><table><tr><th>Code</th><th>Check</th><th>Runs</th><th>Failing</th></tr>{check_rows}</table>
<h2>Failures</h2>
<p class="meta">What breaks the Spaces docs.</p>
{_violations(result.hard_failures, "No failures.")}
<h2>Deviations</h2>
<p class="meta">Differences from a decision the spec took where the docs are silent or
contradict themselves (spec/NOTES.md, by number); they fail a run only under --strict.</p>
{_violations(result.deviations, "No deviations.")}
{f"<h2>Errors</h2><ul>{errors}</ul>" if errors else ""}
{f"<h2>Notes</h2><ul>{notes}</ul>" if notes else ""}
{_crashes(result)}
<p class="meta">Tokens appear as <code>$SPACES_ACCESS_TOKEN</code> and
<code>$SPACES_SECOND_ACCESS_TOKEN</code> in the curl lines: export them before running one.</p>
</body></html>
"""


def _crashes(result: SuiteResult) -> str:
    if not result.crashes:
        return ""
    items = "".join(
        f"<li>{escape(c.where)}: {escape(c.summary)}<pre>{escape(c.traceback)}</pre></li>"
        for c in result.crashes
    )
    return f"<h2>Internal errors of the suite</h2><ul>{items}</ul>"


def write_html(result: SuiteResult, path: Path) -> None:
    path.write_text(render_html(result), encoding="utf-8")
