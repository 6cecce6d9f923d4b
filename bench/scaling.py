"""Benchmark 5: does a page cost the same with a million customers as with a thousand?

GET /customers?limit=20 (first page) and GET /customers?limit=20&starting_after=<id> (the last
page) on databases of one account with 1k, 100k and 1M customers, called in-process (no socket)
so the figure is the server's own cost. The databases are built once into build/bench/."""

from __future__ import annotations

import contextlib

from spaces_toolkit.server.app import create_app
from spaces_toolkit.server.settings import Settings, api_prefix

from .context import Options
from .fixtures import Fixture, basic_header, bulk_database
from .report import Row, Section
from .stats import Goal, paired_ratios, percentile, summarize

__all__ = ["run", "SIZES"]

SIZES = (1_000, 100_000, 1_000_000)
QUICK_SIZES = (1_000, 100_000)


def _paths(f: Fixture) -> dict[str, str]:
    base = f"{api_prefix()}/customers?limit=20"
    return {"first": base, "deep": f"{base}&starting_after={f.deep_cursor}"}


def run(opts: Options) -> Section:
    from .asgi import timed_gets

    section = Section("scaling", "5. Page latency vs database size (in-process)")
    sizes = QUICK_SIZES if opts.quick else SIZES
    fixtures = {n: bulk_database(n, log=opts.log) for n in sizes}
    reps, count = opts.reps(5), opts.count(200)
    medians: dict[tuple[int, str], list[float]] = {}
    p99s: dict[tuple[int, str], list[float]] = {}
    with contextlib.ExitStack() as stack:
        apps = {}
        for n, f in fixtures.items():
            app = create_app(Settings(db_path=f.db_path, run_delivery_worker=False))
            stack.callback(app.state.db.close)
            apps[n] = app
            timed_gets(app, list(_paths(f).values()), basic_header(f.token), 50)  # warm-up
        for rep in range(reps):
            order = list(fixtures) if rep % 2 == 0 else list(reversed(fixtures))
            for n in order:
                f = fixtures[n]
                paths = _paths(f)
                times = timed_gets(apps[n], list(paths.values()), basic_header(f.token), count)
                for kind, path in paths.items():
                    medians.setdefault((n, kind), []).append(percentile(times[path], 50))
                    p99s.setdefault((n, kind), []).append(percentile(times[path], 99))
    opts.log(f"  {reps} repetitions of {count} calls per page and size")
    first_1k = summarize(medians[(sizes[0], "first")], "s")
    for n in sizes:
        for kind in ("first", "deep"):
            label = f"{kind} page, {n:,} customers"
            ours = summarize(medians[(n, kind)], "s")
            goal = None
            if n == SIZES[-1] and kind == "deep":
                goal = Goal("<=", 1.3, text="≤ 1.3× first page at 1k")
            paired = paired_ratios(medians[(n, kind)], medians[(sizes[0], "first")])
            section.rows.append(
                Row(f"{label}: p50", ours, first_1k, "first page, 1k", goal, paired)
            )
        section.rows.append(
            Row(
                f"deep page, {n:,} customers: p99",
                summarize(p99s[(n, "deep")], "s"),
                summarize(p99s[(sizes[0], "first")], "s"),
                "first page 1k p99",
            )
        )
    if opts.quick:
        section.notes.append("--quick skips the 1M-customer database")
    section.notes.append(
        "in-process ASGI calls (no socket, no HTTP client): the server's own time per page;"
        " databases built once into build/bench/ (one account owning all N customers)"
    )
    return section
