"""Benchmark 1: what SpacesClient costs on top of a bare httpx.Client + json.loads.

The same GETs (`customers.retrieve(id)`, `customers.list(limit=100)`) through both, against one
reference server: over loopback (`spaces serve` in its own process, sync clients) and in-process
(`httpx.ASGITransport`, async clients). Baseline and ours alternate, N calls each, per repetition.
Besides wall time per call, the client's own CPU time per call (this process's CPU; over
loopback the server's CPU is in another process) shows the overhead without the server's noise."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable

import httpx

from spaces_toolkit.server.app import create_app
from spaces_toolkit.server.settings import Settings

from .context import Options
from .fixtures import basic_header, seeded_database
from .procs import import_client, reference_server
from .report import Row, Section
from .stats import Goal, paired_ratios, summarize, then_allocate

__all__ = ["run"]

GOAL = Goal("<=", 1.10, text="≤ 1.10×")
INPROC_BASE = "http://127.0.0.1/api/v1"  # host only names the app; ASGITransport has no socket


def _measure(fn: Callable[[], object], count: int) -> tuple[float, float]:
    """(wall seconds, this process's CPU seconds) per call over `count` calls; each call's
    result is followed by an allocation (then_allocate), so a collection it made due is paid."""
    w0, c0 = time.perf_counter(), time.process_time()
    for _ in range(count):
        then_allocate(fn())
    return (time.perf_counter() - w0) / count, (time.process_time() - c0) / count


def _ameasure(
    loop: asyncio.AbstractEventLoop, fn: Callable[[], Awaitable[object]], count: int
) -> tuple[float, float]:
    async def calls() -> None:
        for _ in range(count):
            then_allocate(await fn())

    w0, c0 = time.perf_counter(), time.process_time()
    loop.run_until_complete(calls())
    return (time.perf_counter() - w0) / count, (time.process_time() - c0) / count


Pair = dict[str, Callable[[], object]]


def _interleave(
    cases: dict[str, Pair],
    measure: Callable[[Callable[[], object], int], tuple[float, float]],
    reps: int,
    counts: dict[str, int],
) -> dict[tuple[str, str], list[tuple[float, float]]]:
    out: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for case, pair in cases.items():  # warm-up: connections, caches, pydantic's first validations
        for fn in pair.values():
            measure(fn, max(5, counts[case] // 10))
    for rep in range(reps):
        for case, pair in cases.items():
            order = list(pair.items()) if rep % 2 == 0 else list(reversed(pair.items()))
            for who, fn in order:
                out.setdefault((case, who), []).append(measure(fn, counts[case]))
    return out


def _rows(
    section: Section, where: str, results: dict[tuple[str, str], list[tuple[float, float]]]
) -> None:
    for case in dict.fromkeys(c for c, _ in results):
        ours, base = results[(case, "ours")], results[(case, "baseline")]
        section.rows.append(
            Row(
                f"{case}, {where}: wall per call",
                summarize([w for w, _ in ours], "s"),
                summarize([w for w, _ in base], "s"),
                "httpx + json.loads",
                GOAL,
                paired_ratios([w for w, _ in ours], [w for w, _ in base]),
            )
        )
        section.rows.append(
            Row(
                f"{case}, {where}: {'client' if where == 'loopback' else 'process'} CPU per call",
                summarize([c for _, c in ours], "s"),
                summarize([c for _, c in base], "s"),
                "httpx + json.loads",
                paired=paired_ratios([c for _, c in ours], [c for _, c in base]),
            )
        )


def run(opts: Options) -> Section:
    spaces_client = import_client()
    section = Section("client", "1. Client overhead: SpacesClient vs httpx + json.loads")
    fixture = seeded_database(opts.workdir / "client.db", customers=120)
    headers = basic_header(fixture.token)
    cid = fixture.newest_id
    reps = opts.reps(9)
    counts = {"retrieve": opts.count(300), "list(limit=100)": opts.count(100)}

    with reference_server(fixture.db_path, headers) as (base, _):
        with (
            httpx.Client(headers=headers) as http,
            spaces_client.SpacesClient(fixture.token, base_url=base) as client,
        ):

            def bare_get() -> object:
                r = http.get(f"{base}/customers/{cid}")
                r.raise_for_status()
                return json.loads(r.content)

            def bare_list() -> object:
                r = http.get(f"{base}/customers", params={"limit": 100})
                r.raise_for_status()
                return json.loads(r.content)

            cases: dict[str, Pair] = {
                "retrieve": {
                    "baseline": bare_get,
                    "ours": lambda: client.customers.retrieve(cid),
                },
                "list(limit=100)": {
                    "baseline": bare_list,
                    "ours": lambda: client.customers.list(limit=100),
                },
            }
            _rows(section, "loopback", _interleave(cases, _measure, reps, counts))

    app = create_app(Settings(db_path=fixture.db_path, run_delivery_worker=False))
    loop = asyncio.new_event_loop()
    try:
        transport = httpx.ASGITransport(app=app)
        ahttp = httpx.AsyncClient(transport=transport, headers=headers)
        aclient = spaces_client.AsyncSpacesClient(
            fixture.token,
            base_url=INPROC_BASE,
            http_client=httpx.AsyncClient(transport=httpx.ASGITransport(app=app)),
        )

        async def abare_get() -> object:
            r = await ahttp.get(f"{INPROC_BASE}/customers/{cid}")
            r.raise_for_status()
            return json.loads(r.content)

        async def abare_list() -> object:
            r = await ahttp.get(f"{INPROC_BASE}/customers", params={"limit": 100})
            r.raise_for_status()
            return json.loads(r.content)

        async def aours_list() -> object:
            return await aclient.customers.list(limit=100)

        acases: dict[str, Pair] = {
            "retrieve": {
                "baseline": abare_get,
                "ours": lambda: aclient.customers.retrieve(cid),
            },
            "list(limit=100)": {"baseline": abare_list, "ours": aours_list},
        }

        def ameasure(fn: Callable[[], object], count: int) -> tuple[float, float]:
            return _ameasure(loop, fn, count)  # type: ignore[arg-type]

        _rows(section, "in-process", _interleave(acases, ameasure, reps, counts))
        loop.run_until_complete(ahttp.aclose())
        loop.run_until_complete(aclient.aclose())
    finally:
        loop.close()
        app.state.db.close()
    section.notes.append(
        f"{reps} repetitions of {counts['retrieve']} retrieves and {counts['list(limit=100)']}"
        " first pages of 100 per client; in-process = async clients over httpx.ASGITransport,"
        " so the server's time is in every call of both"
    )
    return section
