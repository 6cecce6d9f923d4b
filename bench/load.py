"""Benchmark 4: reference-server throughput and latency under wrk, against a Prism mock of the
same spec and against a bare ASGI app (the stack's ceiling), all on loopback in one run.

All three run as separate processes with logging at warning level; wrk drives one at a time,
one thread and a few keep-alive connections, the three targets taking turns each repetition."""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx

from .context import Options, Skip
from .fixtures import basic_header, seeded_database
from .procs import PYTHON, ROOT, child_server, cpu_seconds, free_port, reference_server
from .report import Row, Section
from .stats import Goal, paired_ratios, summarize
from .wrk import WrkResult, have_wrk, run_wrk

__all__ = ["run", "BARE_GOAL", "bare_server"]

PRISM = ROOT / "node_modules" / ".bin" / "prism"
SPEC = ROOT / "spec" / "openapi.yaml"
CONNECTIONS = 8
# name → path under /api/v1 (None: one customer by id). limit=1 gives a body the size of the
# one Prism answers (its example list holds one customer): the like-for-like list comparison.
ENDPOINTS = [
    ("GET /customers?limit=20", "/customers?limit=20"),
    ("GET /customers/{id}", None),
    ("GET /customers?limit=1", "/customers?limit=1"),
]
GOAL_ENDPOINTS = ("GET /customers?limit=20", "GET /customers/{id}")
BARE_GOAL = Goal(">=", 0.5, text="≥ 0.5× bare ASGI")
WARMUP_SECONDS = 3  # Prism runs on Node: its JIT needs a few seconds of load to settle


@contextlib.contextmanager
def _prism(headers: dict[str, str]) -> Iterator[tuple[str, int]]:
    port = free_port()
    argv = [str(PRISM), "mock", str(SPEC), "-h", "127.0.0.1", "-p", str(port), "-v", "silent"]
    base = f"http://127.0.0.1:{port}"
    env = {"DO_NOT_TRACK": "1", "SCARF_ANALYTICS": "false"}
    with child_server(argv, f"{base}/customers", headers=headers, env=env, timeout=120) as proc:
        yield base, proc.pid


@contextlib.contextmanager
def bare_server(bodies: dict[str, bytes], workdir: Path) -> Iterator[tuple[str, int]]:
    """The bare ASGI app answering each request target with the given body."""
    index = {}
    for n, (target, body) in enumerate(bodies.items()):
        path = workdir / f"body-{n}.json"
        path.write_bytes(body)
        index[target] = str(path)
    (workdir / "bodies.json").write_text(json.dumps(index), encoding="utf-8")
    port = free_port()
    argv = [PYTHON, "-m", "uvicorn", "bench.bare_app:app", "--host", "127.0.0.1"]
    argv += ["--port", str(port), "--log-level", "warning", "--lifespan", "off"]
    env = {"BENCH_BARE_BODIES": str(workdir / "bodies.json")}
    base = f"http://127.0.0.1:{port}/api/v1"
    with child_server(argv, f"{base}/customers?limit=20", env=env) as proc:
        yield base, proc.pid


def _size(url: str, headers: dict[str, str]) -> tuple[int, int]:
    r = httpx.get(url, headers=headers, timeout=10)
    return r.status_code, len(r.content)


def run(opts: Options) -> Section:
    section = Section("server", "4. Reference server under load (wrk)")
    if not have_wrk():
        raise Skip("wrk is not installed (make deps-bench installs Debian's wrk)")
    if not PRISM.exists() or shutil.which("node") is None:
        raise Skip("Prism is not installed (make node_modules/.installed)")
    fixture = seeded_database(opts.workdir / "load.db", customers=200)
    headers = basic_header(fixture.token)
    paths = {name: path or f"/customers/{fixture.newest_id}" for name, path in ENDPOINTS}
    seconds, reps = opts.seconds(5.0), opts.reps(3)
    with contextlib.ExitStack() as stack:
        ours, ours_pid = stack.enter_context(reference_server(fixture.db_path, headers))
        bodies = {
            f"/api/v1{path}": httpx.get(ours + path, headers=headers).content
            for path in paths.values()
        }
        prism, prism_pid = stack.enter_context(_prism(headers))
        bare, bare_pid = stack.enter_context(bare_server(bodies, opts.workdir))
        targets = {"ours": ours, "prism": prism, "bare": bare}
        pids = {"ours": ours_pid, "prism": prism_pid, "bare": bare_pid}
        for name, path in paths.items():
            sizes = {t: _size(base + path, headers) for t, base in targets.items()}
            section.notes.append(
                f"{name}: status/bytes per answer — "
                + ", ".join(f"{t} {s} / {n} B" for t, (s, n) in sizes.items())
            )
        results: dict[tuple[str, str], list[WrkResult]] = {}
        cpu: dict[tuple[str, str], list[float]] = {}
        opts.log(f"  wrk -t1 -c{CONNECTIONS}, {seconds:.0f} s per run, {reps} repetitions")
        for name, path in paths.items():
            for base in targets.values():  # warm-up: JIT (Prism), caches, connections
                run_wrk(
                    base + path, seconds=WARMUP_SECONDS, connections=CONNECTIONS, headers=headers
                )
            for rep in range(reps):
                order = list(targets.items())
                order = order[rep % 3 :] + order[: rep % 3]
                for target, base in order:
                    cpu0 = cpu_seconds(pids[target])
                    res = run_wrk(
                        base + path, seconds=seconds, connections=CONNECTIONS, headers=headers
                    )
                    per_request = (cpu_seconds(pids[target]) - cpu0) / max(1, res.requests)
                    results.setdefault((name, target), []).append(res)
                    cpu.setdefault((name, target), []).append(per_request)
                    opts.log(
                        f"  {name:<24} {target:<6} {res.rps:8.0f} req/s"
                        f"  p50 {res.p50 * 1e3:6.2f} ms  p99 {res.p99 * 1e3:6.2f} ms"
                        f"  CPU {per_request * 1e6:5.0f} µs/req"
                        + (f"  non-2xx {res.non_2xx}" if res.non_2xx else "")
                        + (f"  socket errors {res.socket_errors}" if res.socket_errors else "")
                    )
    for name in paths:
        ours_r, prism_r, bare_r = (results[(name, t)] for t in ("ours", "prism", "bare"))
        rps = summarize([r.rps for r in ours_r], "req/s")
        section.rows.append(
            Row(
                f"{name}: throughput",
                rps,
                summarize([r.rps for r in prism_r], "req/s"),
                "Prism",
                Goal(">=", 1.5, text="≥ 1.5× Prism") if name in GOAL_ENDPOINTS else None,
                paired_ratios([r.rps for r in ours_r], [r.rps for r in prism_r]),
            )
        )
        for p in ("p50", "p99"):
            section.rows.append(
                Row(
                    f"{name}: {p} latency (c={CONNECTIONS})",
                    summarize([getattr(r, p) for r in ours_r], "s"),
                    summarize([getattr(r, p) for r in prism_r], "s"),
                    "Prism",
                )
            )
        section.rows.append(
            Row(
                f"{name}: server CPU per request",
                summarize(cpu[(name, "ours")], "s"),
                summarize(cpu[(name, "prism")], "s"),
                "Prism",
                paired=paired_ratios(cpu[(name, "ours")], cpu[(name, "prism")]),
            )
        )
        section.rows.append(
            Row(
                f"{name}: throughput vs bare ASGI",
                rps,
                summarize([r.rps for r in bare_r], "req/s"),
                "bare ASGI",
                BARE_GOAL if name in GOAL_ENDPOINTS else None,
                paired_ratios([r.rps for r in ours_r], [r.rps for r in bare_r]),
            )
        )
        section.rows.append(
            Row(
                f"{name}: server CPU per request vs bare ASGI",
                summarize(cpu[(name, "ours")], "s"),
                summarize(cpu[(name, "bare")], "s"),
                "bare ASGI",
                paired=paired_ratios(cpu[(name, "ours")], cpu[(name, "bare")]),
            )
        )
        bad = sum(r.non_2xx + r.socket_errors for rs in (ours_r, prism_r, bare_r) for r in rs)
        if bad:
            section.notes.append(f"{name}: {bad} non-2xx answers or socket errors under load")
    section.notes.append(
        f"uvicorn {_version('uvicorn')} as `spaces serve` runs it (one process; HTTP:"
        f" {_stack()}), Prism {_version_of_prism()} in static mode (answers the spec's"
        " examples, hence its smaller list page)"
    )
    return section


def _version(module: str) -> str:
    from importlib.metadata import version

    try:
        return version(module)
    except Exception:
        return "?"


def _stack() -> str:
    """What uvicorn's http=auto / loop=auto pick in this environment."""
    import importlib.util

    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    return f"{http}, loop: {loop}"


def _version_of_prism() -> str:
    try:
        meta = ROOT / "node_modules" / "@stoplight" / "prism-cli" / "package.json"
        return str(json.loads(meta.read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError):
        return "?"
