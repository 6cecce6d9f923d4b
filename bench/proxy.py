"""Benchmark 10: what `spaces proxy` costs. wrk against the reference server direct, and against
the same server through the proxy (forwarding and checking every exchange), taking turns each
repetition; p50 latency added and throughput through the proxy over direct. With 8 connections
wrk keeps every hop busy, so a request's latency there is mostly its wait behind the others
(8 / throughput); with one connection it is the request's own time, which is what the proxy's
hop adds to a client: both are measured. The proxy checks in a process of its own behind a
bounded queue; at the end it is stopped as a service manager would (TERM to its group) and its
JSON summary line says how many exchanges were checked."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

from spaces_toolkit.proxy.worker import CAPACITY, NICENESS

from .context import Options, Skip
from .fixtures import basic_header, seeded_database
from .procs import PYTHON, child_server, cpu_seconds, free_port, reference_server
from .report import Row, Section
from .stats import Goal, paired_ratios, summarize
from .wrk import WrkResult, have_wrk, run_wrk

__all__ = ["run"]

CONNECTIONS = 8
ONE = 1  # connections of the unloaded latency runs
ENDPOINTS = {  # name -> path under the API's base (None: one customer by id)
    "GET /customers?limit=20": "/customers?limit=20",
    "GET /customers/{id}": None,
}
WARMUP_SECONDS = 2


@contextlib.contextmanager
def _proxy(
    upstream: str, headers: dict[str, str], log: Path
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    argv = [PYTHON, "-m", "spaces_toolkit.cli", "proxy", "--upstream", upstream]
    argv += ["--port", str(port), "--log", str(log)]
    base = f"http://127.0.0.1:{port}/api/v1"
    with child_server(argv, f"{base}/customers?limit=1", headers=headers) as proc:
        yield base, proc


def _children_cpu(pid: int) -> float:
    """CPU seconds of the processes under `pid` (the proxy's checking process, which its
    forkserver started)."""
    total = 0.0
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                with contextlib.suppress(OSError):
                    total += cpu_seconds(int(child)) + _children_cpu(int(child))
    return total


def _waited(pid: int) -> float:
    """Seconds the threads of process `pid` have spent runnable but waiting for a core
    (Linux schedstat run delay); 0 where the kernel does not keep it."""
    total = 0
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError, ValueError, IndexError):
                total += int((task / "schedstat").read_text().split()[1])
    return total / 1e9


def _stop_and_read_summary(proc: subprocess.Popen[bytes], log: Path) -> dict:
    """Stop the proxy as a service manager would; its closing JSON summary line (written once
    every queued exchange is checked)."""
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=600)
    lines = log.read_text(encoding="utf-8").splitlines()
    summary = json.loads(lines[-1]) if lines else {}
    return summary if summary.get("type") == "summary" else {}


def run(opts: Options) -> Section:
    section = Section("proxy", "10. spaces proxy between wrk and the reference server")
    if not have_wrk():
        raise Skip("wrk is not installed (make deps-bench installs Debian's wrk)")
    fixture = seeded_database(opts.workdir / "proxy.db", customers=200)
    headers = basic_header(fixture.token)
    paths = {name: path or f"/customers/{fixture.newest_id}" for name, path in ENDPOINTS.items()}
    seconds, reps = opts.seconds(5.0), opts.reps(5)
    one_seconds, one_reps = opts.seconds(3.0), opts.reps(3)
    results: dict[tuple[str, str], list[WrkResult]] = {}
    single: dict[tuple[str, str], list[WrkResult]] = {}
    proxy_wait: dict[str, list[float]] = {}  # the proxy's wait for a core per request, c=1
    proxy_cpu: dict[str, list[float]] = {}
    check_cpu: dict[str, list[float]] = {}
    log = opts.workdir / "proxy-run.jsonl"
    load = os.getloadavg()
    sent = 1  # through the proxy, its readiness probe included
    with contextlib.ExitStack() as stack:
        direct, _ = stack.enter_context(reference_server(fixture.db_path, headers))
        proxied, proxy_proc = stack.enter_context(_proxy(direct, headers, log))
        proxy_pid = proxy_proc.pid
        targets = {"direct": direct, "proxy": proxied}
        opts.log(f"  wrk -t1 -c{CONNECTIONS}, {seconds:.0f} s per run, {reps} repetitions")
        for name, path in paths.items():
            for target, base in targets.items():
                warm = run_wrk(
                    base + path, seconds=WARMUP_SECONDS, connections=CONNECTIONS, headers=headers
                )
                sent += warm.requests if target == "proxy" else 0
            for rep in range(reps):
                order = list(targets.items())[:: 1 if rep % 2 == 0 else -1]
                for target, base in order:
                    cpu0, checks0 = cpu_seconds(proxy_pid), _children_cpu(proxy_pid)
                    res = run_wrk(
                        base + path, seconds=seconds, connections=CONNECTIONS, headers=headers
                    )
                    results.setdefault((name, target), []).append(res)
                    if target == "proxy":
                        sent += res.requests
                        n = max(1, res.requests)
                        used = cpu_seconds(proxy_pid) - cpu0
                        proxy_cpu.setdefault(name, []).append(used / n)
                        checks = _children_cpu(proxy_pid) - checks0
                        check_cpu.setdefault(name, []).append(checks / n)
                    opts.log(
                        f"  {name:<24} {target:<6} {res.rps:8.0f} req/s"
                        f"  p50 {res.p50 * 1e3:6.2f} ms  p99 {res.p99 * 1e3:6.2f} ms"
                        + (f"  non-2xx {res.non_2xx}" if res.non_2xx else "")
                        + (f"  socket errors {res.socket_errors}" if res.socket_errors else "")
                    )
            for rep in range(one_reps):
                order = list(targets.items())[:: 1 if rep % 2 == 0 else -1]
                for target, base in order:
                    waited = _waited(proxy_pid)
                    res = run_wrk(
                        base + path, seconds=one_seconds, connections=ONE, headers=headers
                    )
                    single.setdefault((name, target), []).append(res)
                    if target == "proxy":
                        sent += res.requests
                        waited = _waited(proxy_pid) - waited
                        proxy_wait.setdefault(name, []).append(waited / max(1, res.requests))
                    opts.log(
                        f"  {name:<24} {target:<6} c={ONE}  {res.rps:8.0f} req/s"
                        f"  p50 {res.p50 * 1e3:6.2f} ms  p99 {res.p99 * 1e3:6.2f} ms"
                    )
        summary = _stop_and_read_summary(proxy_proc, log)
    for name in paths:
        direct_r, proxy_r = results[(name, "direct")], results[(name, "proxy")]
        section.rows.append(
            Row(
                f"{name}: throughput through the proxy",
                summarize([r.rps for r in proxy_r], "req/s"),
                summarize([r.rps for r in direct_r], "req/s"),
                "direct",
                Goal(">=", 0.5, text="≥ 0.5× direct"),
                paired_ratios([r.rps for r in proxy_r], [r.rps for r in direct_r]),
            )
        )
        section.rows.append(
            Row(
                f"{name}: p50 latency (c={CONNECTIONS})",
                summarize([r.p50 for r in proxy_r], "s"),
                summarize([r.p50 for r in direct_r], "s"),
                "direct",
            )
        )
        added = [p.p50 - d.p50 for p, d in zip(proxy_r, direct_r, strict=True)]
        section.rows.append(
            Row(
                f"{name}: p50 added by the proxy",
                summarize(added, "s"),
                goal=Goal("<=", 0.001, on="ours", text="≤ 1 ms added at p50"),
            )
        )
        one_p, one_d = single[(name, "proxy")], single[(name, "direct")]
        section.rows.append(
            Row(
                f"{name}: p50 latency, one connection",
                summarize([r.p50 for r in one_p], "s"),
                summarize([r.p50 for r in one_d], "s"),
                "direct",
            )
        )
        section.rows.append(
            Row(
                f"{name}: p50 added by the proxy, one connection",
                summarize([p.p50 - d.p50 for p, d in zip(one_p, one_d, strict=True)], "s"),
                goal=Goal("<=", 0.001, on="ours", text="≤ 1 ms added at p50"),
            )
        )
        section.rows.append(
            Row(
                f"{name}: proxy's wait for a core per request, one connection",
                summarize(proxy_wait[name], "s"),
            )
        )
        section.rows.append(
            Row(f"{name}: proxy CPU per request (forwarding)", summarize(proxy_cpu[name], "s"))
        )
        section.rows.append(
            Row(
                f"{name}: checking CPU per request (the proxy's checking process)",
                summarize(check_cpu[name], "s"),
            )
        )
        bad = sum(r.non_2xx + r.socket_errors for rs in (direct_r, proxy_r) for r in rs)
        if bad:
            section.notes.append(f"{name}: {bad} non-2xx answers or socket errors under load")
    section.notes.append(
        f"the proxy checked {summary.get('checked', '?')} of the"
        f" {summary.get('exchanges', '?')} exchanges it forwarded ({summary.get('errors', '?')}"
        f" not checked; wrk counted {sent} answers, requests still in flight when it stops"
        f" are answered too); the forwarding waited {summary.get('waits', '?')} times for the"
        " checks to catch up"
    )
    section.notes.append(
        f"load average of the machine over the run: {load[0]:.1f} at the start,"
        f" {os.getloadavg()[0]:.1f} at the end, on {os.cpu_count()} cores (other work shares"
        " them: every hop waits its turn for a core, which the proxy's extra hop pays; the"
        " proxy's wait is read from the kernel's schedstat run delay of its threads)"
    )
    section.notes.append(
        "the proxy takes requests on a front end of its own and forwards them on its own"
        " upstream connections (asyncio + httptools both sides, uvloop), and checks every"
        " exchange (schema, list envelope, tenancy, cursors...) after its answer is handed on,"
        f" in a process of its own (nice {NICENESS}) behind a queue of {CAPACITY:,} exchanges;"
        " the server one uvicorn process; loopback"
    )
    return section
