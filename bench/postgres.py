"""Benchmark 8: the PostgreSQL backend and scale-out, on a throwaway local cluster.

- GET /customers?limit=20 under wrk: PostgreSQL with 1 and 2 server processes beside SQLite's
  single process (same seeded account, same wrk settings, the three taking turns);
- page latency in-process: the last page of 1M customers vs the first page of 1k, on PostgreSQL.

Delivery throughput on both backends is benchmark 9 (bench/delivery.py).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg

from spaces_toolkit.server.app import create_app
from spaces_toolkit.server.sandbox.seed import seed_account
from spaces_toolkit.server.settings import Settings, api_prefix
from spaces_toolkit.server.storage.database import open_database
from spaces_toolkit.server.storage.repo.accounts import create_account
from testing.pgcluster import PgCluster, find_pg_bin, pg_cluster

from .context import Options, Skip
from .fixtures import basic_header, seeded_database
from .load import BARE_GOAL, bare_server
from .procs import HOST, PYTHON, child_server, cpu_seconds, free_port
from .report import Row, Section
from .stats import paired_ratios, percentile, summarize
from .wrk import WrkResult, have_wrk, run_wrk

__all__ = ["run"]

CONNECTIONS = 8  # as benchmark 4
PAGE = "/customers?limit=20"


@contextlib.contextmanager
def _server(db: str, token: str, processes: int) -> Iterator[tuple[str, int]]:
    """`spaces serve` on `db`: (base URL, process id; with 2 processes, their parent's)."""
    port = free_port()
    argv = [PYTHON, "-m", "spaces_toolkit.cli", "serve", "--db", db, "--port", str(port)]
    argv += ["--workers", str(processes), "--no-delivery", "--log-level", "warning"]
    base = f"http://{HOST}:{port}{api_prefix()}"
    with child_server(argv, f"{base}{PAGE}", headers=basic_header(token)) as proc:
        yield base, proc.pid


def _cluster_cpu(pg: PgCluster) -> float:
    """CPU seconds the cluster has used so far: the postmaster, its live children (the
    backends serving the connections) and its children that have exited."""
    postmaster = int((pg.datadir / "postmaster.pid").read_text().split()[0])
    total = cpu_seconds(postmaster) + _reaped_cpu_seconds(postmaster)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[1]) == postmaster:
            with contextlib.suppress(OSError):
                total += cpu_seconds(int(stat.parent.name))
    return total


def _reaped_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")


def _seeded_pg(pg: PgCluster, customers: int) -> tuple[str, str]:
    url = pg.create_database("bench")
    db = open_database(url)
    try:
        account_id, token = create_account(db, name="Bench", email="bench@example.com")
        seed_account(db, account_id, spaces=3, customers=customers, seed=7)
    finally:
        db.close()
    return url, token


def _newest_customer(base: str, token: str) -> str:
    page = httpx.get(f"{base}/customers?limit=1", headers=basic_header(token), timeout=10).json()
    return str(page["data"][0]["id"])


def _throughput(opts: Options, pg: PgCluster, section: Section) -> None:
    sqlite = seeded_database(opts.workdir / "pg-compare.db", customers=200)
    url, pg_token = _seeded_pg(pg, 200)
    seconds, reps = opts.seconds(5.0), opts.reps(3)
    results: dict[tuple[str, str], list[WrkResult]] = {}
    # Per (endpoint, target): the server process's CPU seconds per request; under
    # (endpoint, "<target> postgres"), the cluster's in the same runs.
    cpu: dict[tuple[str, str], list[float]] = {}
    with contextlib.ExitStack() as stack:
        started = {
            "sqlite": stack.enter_context(_server(str(sqlite.db_path), sqlite.token, 1)),
            "pg1": stack.enter_context(_server(url, pg_token, 1)),
            "pg2": stack.enter_context(_server(url, pg_token, 2)),
        }
        targets = {name: base for name, (base, _) in started.items()}
        pids = {name: pid for name, (_, pid) in started.items()}
        tokens = {"sqlite": sqlite.token, "pg1": pg_token, "pg2": pg_token, "bare": pg_token}
        # Per endpoint: the request path on SQLite and on PostgreSQL (their ids differ).
        paths = {
            PAGE: {"sqlite": PAGE, "pg": PAGE},
            "/customers/{id}": {
                "sqlite": f"/customers/{sqlite.newest_id}",
                "pg": f"/customers/{_newest_customer(targets['pg1'], pg_token)}",
            },
        }
        # The bare ASGI app answering PostgreSQL's own bytes: the stack's ceiling.
        bodies = {
            f"{api_prefix()}{p['pg']}": httpx.get(
                targets["pg1"] + p["pg"], headers=basic_header(pg_token), timeout=10
            ).content
            for p in paths.values()
        }
        targets["bare"], pids["bare"] = stack.enter_context(bare_server(bodies, opts.workdir))

        def path_of(endpoint: str, name: str) -> str:
            return paths[endpoint]["sqlite" if name == "sqlite" else "pg"]

        for endpoint in paths:
            for name, base in targets.items():  # warm-up
                run_wrk(
                    base + path_of(endpoint, name),
                    seconds=2,
                    connections=CONNECTIONS,
                    headers=basic_header(tokens[name]),
                )
        opts.log(f"  wrk -t1 -c{CONNECTIONS}, {seconds:.0f} s per run, {reps} repetitions")
        for rep in range(reps):
            for endpoint in paths:
                order = list(targets)
                order = order[rep % len(order) :] + order[: rep % len(order)]
                for name in order:
                    cpu0, pg0 = cpu_seconds(pids[name]), _cluster_cpu(pg)
                    res = run_wrk(
                        targets[name] + path_of(endpoint, name),
                        seconds=seconds,
                        connections=CONNECTIONS,
                        headers=basic_header(tokens[name]),
                    )
                    requests = max(1, res.requests)
                    server_cpu = (cpu_seconds(pids[name]) - cpu0) / requests
                    pg_cpu = (_cluster_cpu(pg) - pg0) / requests
                    results.setdefault((endpoint, name), []).append(res)
                    cpu.setdefault((endpoint, name), []).append(server_cpu)
                    cpu.setdefault((endpoint, f"{name} postgres"), []).append(pg_cpu)
                    opts.log(
                        f"  {endpoint:<22} {name:<7} {res.rps:8.0f} req/s"
                        f"  p99 {res.p99 * 1e3:6.2f} ms  CPU {server_cpu * 1e6:5.0f} µs/req"
                        f"  PostgreSQL {pg_cpu * 1e6:5.0f} µs/req"
                    )
    rps = {key: [r.rps for r in rs] for key, rs in results.items()}
    for endpoint in paths:
        name_of = f"GET {endpoint}"
        sqlite_rps = summarize(rps[(endpoint, "sqlite")], "req/s")
        bare_rps = rps[(endpoint, "bare")]
        section.rows.append(
            Row(
                f"{name_of} on PostgreSQL, 1 process: throughput vs bare ASGI",
                summarize(rps[(endpoint, "pg1")], "req/s"),
                summarize(bare_rps, "req/s"),
                "bare ASGI, same bytes",
                BARE_GOAL,
                paired_ratios(rps[(endpoint, "pg1")], bare_rps),
            )
        )
        section.rows.append(
            Row(
                f"{name_of} on PostgreSQL, 1 process: server CPU per request vs bare ASGI",
                summarize(cpu[(endpoint, "pg1")], "s"),
                summarize(cpu[(endpoint, "bare")], "s"),
                "bare ASGI",
                paired=paired_ratios(cpu[(endpoint, "pg1")], cpu[(endpoint, "bare")]),
            )
        )
        section.rows.append(
            Row(
                f"{name_of} on PostgreSQL, 1 process: PostgreSQL's CPU per request",
                summarize(cpu[(endpoint, "pg1 postgres")], "s"),
            )
        )
        for name, label in (("pg1", "1 process"), ("pg2", "2 processes")):
            section.rows.append(
                Row(
                    f"{name_of} on PostgreSQL, {label}: throughput",
                    summarize(rps[(endpoint, name)], "req/s"),
                    sqlite_rps,
                    "SQLite, 1 process",
                    paired=paired_ratios(rps[(endpoint, name)], rps[(endpoint, "sqlite")]),
                )
            )
        section.rows.append(
            Row(
                f"{name_of} on PostgreSQL: 2 processes vs 1",
                summarize(rps[(endpoint, "pg2")], "req/s"),
                summarize(rps[(endpoint, "pg1")], "req/s"),
                "PostgreSQL, 1 process",
                paired=paired_ratios(rps[(endpoint, "pg2")], rps[(endpoint, "pg1")]),
            )
        )
    bad = sum(r.non_2xx + r.socket_errors for rs in results.values() for r in rs)
    if bad:
        section.notes.append(f"{bad} non-2xx answers or socket errors under load")


def _bulk_pg(pg: PgCluster, customers: int) -> tuple[str, str, str]:
    """A database with one account owning `customers` customers, written in one INSERT …
    SELECT. Returns (URL, token, the cursor whose next page is the last one)."""
    url = pg.create_database("bulk")
    db = open_database(url)
    try:
        account_id, token = create_account(db, name="Bench", email="bench@example.com")
    finally:
        db.close()
    with psycopg.connect(url, autocommit=True) as conn:
        space = conn.execute(
            "INSERT INTO spaces (account_id, id, created, url) VALUES (%s, 1, 1410196557,"
            " 'https://spaces.pe/s/bench') RETURNING seq",
            (account_id,),
        ).fetchone()
        assert space is not None
        conn.execute(
            "INSERT INTO customers (account_id, id, space_seq, name, email, created)"
            " SELECT %s, 'cus_' || substr(md5(g::text), 1, 24), %s, 'Customer ' || g,"
            " 'customer.' || g || '@example.com', 1410196557 + g"
            " FROM generate_series(0, %s - 1) AS g",
            (account_id, space[0], customers),
        )
        conn.execute("VACUUM ANALYZE customers")
        deep = conn.execute(
            "SELECT id FROM customers WHERE account_id = %s ORDER BY seq LIMIT 1 OFFSET 20",
            (account_id,),
        ).fetchone()
    assert deep is not None
    return url, token, str(deep[0])


def _deep_page(opts: Options, pg: PgCluster, section: Section) -> None:
    from .asgi import timed_gets

    big = 100_000 if opts.quick else 1_000_000
    started = time.monotonic()
    small_url, small_token, _ = _bulk_pg(pg, 1_000)
    big_url, big_token, deep = _bulk_pg(pg, big)
    opts.log(f"  built 1k and {big:,}-customer PostgreSQL databases in"
             f" {time.monotonic() - started:.0f} s")  # fmt: skip
    first = f"{api_prefix()}{PAGE}"
    last = f"{first}&starting_after={deep}"
    reps, count = opts.reps(5), opts.count(200)
    medians: dict[str, list[float]] = {"first 1k": [], "deep big": [], "first big": []}
    with contextlib.ExitStack() as stack:
        apps = {}
        for name, url in (("small", small_url), ("big", big_url)):
            app = create_app(Settings(db_url=url, run_delivery_worker=False))
            stack.callback(app.state.db.close)
            apps[name] = app
        timed_gets(apps["small"], [first], basic_header(small_token), 50)  # warm-up
        timed_gets(apps["big"], [first, last], basic_header(big_token), 50)
        for _ in range(reps):
            times = timed_gets(apps["small"], [first], basic_header(small_token), count)
            medians["first 1k"].append(percentile(times[first], 50))
            times = timed_gets(apps["big"], [first, last], basic_header(big_token), count)
            medians["first big"].append(percentile(times[first], 50))
            medians["deep big"].append(percentile(times[last], 50))
    base = summarize(medians["first 1k"], "s")
    for key, label in (("first big", "first page"), ("deep big", "last page")):
        section.rows.append(
            Row(
                f"{label}, {big:,} customers on PostgreSQL: p50",
                summarize(medians[key], "s"),
                base,
                "first page, 1k (PostgreSQL)",
                paired=paired_ratios(medians[key], medians["first 1k"]),
            )
        )


def run(opts: Options) -> Section:
    section = Section("postgres", "8. PostgreSQL backend and scale-out")
    if find_pg_bin() is None:
        raise Skip("PostgreSQL is not installed (make deps-system installs it)")
    if not have_wrk():
        raise Skip("wrk is not installed (make deps-bench installs Debian's wrk)")
    with pg_cluster() as pg:
        _throughput(opts, pg, section)
        _deep_page(opts, pg, section)
    section.notes.append(
        "a throwaway local cluster (fsync off: the figures are the server's, not the disk's);"
        " on 2 cores shared by wrk, the server processes and PostgreSQL, a second process"
        " cannot double throughput: the cores, not the processes, are the limit"
    )
    return section
