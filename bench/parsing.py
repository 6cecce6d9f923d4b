"""Benchmark 2: turning a 100-item list page into the generated models vs `json.loads` alone.

The body is the reference server's own answer to GET /customers?limit=100. "ours" is exactly
what SpacesClient does with a list response (`spaces_client._response.parse_body`: JSON, then
validation into `CustomerList`); pydantic's one-pass `model_validate_json` is shown beside it.
The peer: openapi-python-client's generated client (generated from the same spec in this run,
in its scratch venv) parsing the same body, against `json.loads` in its own process."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator

import httpx

from spaces_toolkit.server.app import create_app
from spaces_toolkit.server.settings import Settings, api_prefix

from .context import Options, Skip
from .fixtures import basic_header, seeded_database
from .procs import ROOT, import_client
from .report import Row, Section
from .stats import Goal, Summary, paired_ratios, ratio, summarize, then_allocate, time_calls

__all__ = ["run", "list_page"]

CPU = time.process_time_ns  # CPU-bound and single-threaded: count CPU time, not waiting


def list_page(opts: Options, items: int = 100) -> bytes:
    """The reference server's JSON for GET /customers?limit=<items> on a seeded account."""
    from .asgi import get

    fixture = seeded_database(opts.workdir / "parsing.db", customers=items + 5)
    app = create_app(Settings(db_path=fixture.db_path, run_delivery_worker=False))
    try:
        status, body = asyncio.run(
            get(app, f"{api_prefix()}/customers?limit={items}", basic_header(fixture.token))
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

    # Each case allocates after its parse (then_allocate): a garbage collection the parse made
    # due (the client defers its own to after the parse) is paid inside the timing, not by
    # whoever allocates next. The two "off" cases run with the collector off (both sides the
    # same way): the validation alone, without any collection, for the row that shows it.
    cases = {
        "baseline": lambda: then_allocate(json.loads(body)),
        "client": lambda: then_allocate(parse_body(response, CustomerList)),
        "one-pass": lambda: then_allocate(CustomerList.model_validate_json(body)),
        "baseline, off": lambda: then_allocate(json.loads(body)),
        "client, off": lambda: then_allocate(parse_body(response, CustomerList)),
    }
    reps, count = opts.reps(15), opts.count(300)
    times: dict[str, list[float]] = {k: [] for k in cases}
    for key, fn in cases.items():
        _timed(key, fn, max(50, count // 10))  # warm-up: validators, caches
    for rep in range(reps):
        order = list(cases) if rep % 2 == 0 else list(reversed(cases))
        for key in order:
            times[key].append(_timed(key, cases[key], count))
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
            "100-item page → CustomerList.model_validate_json (collector not paused)",
            summarize(times["one-pass"], "s"),
            base,
            "json.loads",
            paired=paired_ratios(times["one-pass"], times["baseline"]),
        )
    )
    section.rows.append(
        Row(
            "100-item page → CustomerList (client's path), collector off on both sides",
            summarize(times["client, off"], "s"),
            summarize(times["baseline, off"], "s"),
            "json.loads",
            paired=paired_ratios(times["client, off"], times["baseline, off"]),
        )
    )
    ours_count = _young_count(lambda: parse_body(response, CustomerList))
    base_count = _young_count(lambda: json.loads(body))
    section.notes.append(
        f"{len(body):,}-byte body; {reps} repetitions of {count} parses each (CPU time);"
        f" spaces_client {getattr(spaces_client, '__version__', '?')}"
    )
    section.notes.append(
        f"while the parsed page is alive, the collector's young-generation count is up by"
        f" {ours_count} for the client's path and {base_count} for json.loads (a young"
        f" collection is due above {gc.get_threshold()[0]}): the models' page makes one due"
        " every time, json.loads's never; the collector-off row is the validation without it"
    )
    try:
        _peer_rows(section, opts, body, summarize(times["client"], "s"), reps, count)
    except Skip as why:
        section.notes.append(f"openapi-python-client row skipped: {why}")
    return section


@contextlib.contextmanager
def _collector_off() -> Iterator[None]:
    """The cyclic collector off inside the block; on again after, unless it was off before."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _timed(key: str, fn: Callable[[], object], count: int) -> float:
    """CPU seconds per call of `fn`; with the collector off for the cases named "…, off"."""
    if not key.endswith(", off"):
        return time_calls(fn, count, CPU)
    with _collector_off():
        return time_calls(fn, count, CPU)


def _young_count(parse: Callable[[], object]) -> int:
    """How much the collector's young-generation count (allocations of objects it tracks,
    less their frees) goes up while the result of `parse` is alive; the collector is off
    meanwhile so that no collection resets the count."""
    with _collector_off():
        before = gc.get_count()[0]
        result = parse()
        grown = gc.get_count()[0] - before
        del result
        return grown


def _peer_rows(
    section: Section, opts: Options, body: bytes, ours: Summary, reps: int, count: int
) -> None:
    """openapi-python-client's generated client parsing the same page, in its own venv."""
    from .generation import OPC_VENV, OPC_VERSION

    opc, python = OPC_VENV / "bin" / "openapi-python-client", OPC_VENV / "bin" / "python"
    if not opc.exists():
        raise Skip(f"openapi-python-client {OPC_VERSION} is not installed (make deps-bench)")
    out = opts.workdir / "opc_client"
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "PATH": f"{opc.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    argv = [str(opc), "generate", "--path", str(ROOT / "spec" / "openapi.yaml")]
    argv += ["--output-path", str(out), "--overwrite", "--meta", "none"]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=600, check=False)
    if done.returncode != 0:
        raise Skip(f"openapi-python-client generate failed: {done.stderr[-300:]}")
    body_file = opts.workdir / "page.json"
    body_file.write_bytes(body)
    script = ROOT / "bench" / "opc_parsing.py"
    argv = [str(python), str(script), str(out.parent), out.name, str(body_file)]
    run = subprocess.run(
        [*argv, str(reps), str(count)], capture_output=True, text=True, timeout=600, check=False
    )
    if run.returncode != 0:
        raise Skip(f"timing openapi-python-client's parsing failed: {run.stderr[-300:]}")
    got = json.loads(run.stdout)
    if got["items"] != 100:
        raise Skip(f"openapi-python-client parsed {got['items']} items, not 100")
    peer, peer_base = summarize(got["opc"], "s"), summarize(got["baseline"], "s")
    section.rows.append(
        Row(
            f"100-item page → openapi-python-client {OPC_VERSION} CustomerList.from_dict",
            peer,
            peer_base,
            "json.loads, its process",
            paired=paired_ratios(got["opc"], got["baseline"]),
        )
    )
    section.rows.append(
        Row("100-item page: client's path vs openapi-python-client's", ours, peer, "opc")
    )
    section.notes.append(
        "openapi-python-client: its generated client (attrs classes; `from_dict` after"
        " `json.loads`, as its `_parse_response` does), generated from the same spec in this"
        " run and timed in its scratch venv's interpreter against `json.loads` there;"
        f" the last row is the ratio of medians across the two processes ({ratio(ours, peer):.2f}×)"
    )
