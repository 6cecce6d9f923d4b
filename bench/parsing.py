"""Benchmark 2: turning a 100-item list page into the generated models vs `json.loads` alone.

The body is the reference server's own answer to GET /customers?limit=100. "ours" is exactly
what SpacesClient does with a list response (`spaces_client._response.parse_body`: JSON, then
validation into `CustomerList`); pydantic's one-pass `model_validate_json` is shown beside it."""

from __future__ import annotations

import asyncio
import json
import time

import httpx

from spaces_toolkit.server.app import create_app
from spaces_toolkit.server.settings import API_PREFIX, Settings

from .context import Options
from .fixtures import basic_header, seeded_database
from .procs import import_client
from .report import Row, Section
from .stats import Goal, paired_ratios, summarize, time_calls

__all__ = ["run", "list_page"]

CPU = time.process_time_ns  # CPU-bound and single-threaded: count CPU time, not waiting


def list_page(opts: Options, items: int = 100) -> bytes:
    """The reference server's JSON for GET /customers?limit=<items> on a seeded account."""
    from .asgi import get

    fixture = seeded_database(opts.workdir / "parsing.db", customers=items + 5)
    app = create_app(Settings(db_path=fixture.db_path, run_delivery_worker=False))
    try:
        status, body = asyncio.run(
            get(app, f"{API_PREFIX}/customers?limit={items}", basic_header(fixture.token))
        )
    finally:
        app.state.db.close()
    if status != 200:
        raise RuntimeError(f"GET /customers?limit={items}: {status} {body[:200]!r}")
    return body


def run(opts: Options) -> Section:
    spaces_client = import_client()
    from spaces_client._response import parse_body
    from spaces_client.models import CustomerList

    section = Section("parsing", "2. Parsing a 100-item page")
    body = list_page(opts)
    response = httpx.Response(200, content=body, headers={"content-type": "application/json"})
    page = parse_body(response, CustomerList)
    assert len(page.data) == 100, "expected a full page of 100 customers"

    cases = {
        "baseline": lambda: json.loads(body),
        "client": lambda: parse_body(response, CustomerList),
        "one-pass": lambda: CustomerList.model_validate_json(body),
    }
    reps, count = opts.reps(15), opts.count(300)
    times: dict[str, list[float]] = {k: [] for k in cases}
    for fn in cases.values():
        time_calls(fn, max(50, count // 10), CPU)  # warm-up: validators, caches
    for rep in range(reps):
        order = list(cases) if rep % 2 == 0 else list(reversed(cases))
        for key in order:
            times[key].append(time_calls(cases[key], count, CPU))
    base = summarize(times["baseline"], "s")
    section.rows.append(
        Row(
            "100-item page → CustomerList (client's path)",
            summarize(times["client"], "s"),
            base,
            "json.loads",
            Goal("<=", 1.5, text="≤ 1.5×"),
            paired_ratios(times["client"], times["baseline"]),
        )
    )
    section.rows.append(
        Row(
            "100-item page → CustomerList.model_validate_json",
            summarize(times["one-pass"], "s"),
            base,
            "json.loads",
            paired=paired_ratios(times["one-pass"], times["baseline"]),
        )
    )
    section.notes.append(
        f"{len(body):,}-byte body; {reps} repetitions of {count} parses each (CPU time);"
        f" spaces_client {getattr(spaces_client, '__version__', '?')}"
    )
    return section
