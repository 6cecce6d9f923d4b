"""Benchmark 9: webhook delivery throughput against what the machine can do.

One loopback receiver (bench/receiver.py under uvicorn, 204 to every POST) takes, in turn:

- the **keep-alive loop** (the baseline): N signed webhook bodies POSTed over HTTP/1.1
  keep-alive connections on asyncio streams, `CONCURRENCY` in flight, no database: the most
  this machine delivers to that receiver with signing;
- an **async httpx loop**: the same bodies and headers through one `httpx.AsyncClient` with
  `CONCURRENCY` connections;
- **`spaces worker`** on SQLite and on PostgreSQL, 1 and 2 processes, with the N webhooks of
  one account or spread over 100 accounts (`--webhook-concurrency CONCURRENCY` each);
- the **pre-merge worker** (git `PRE_MERGE`, issue 13's worker before signing, fair scheduling
  and leases were merged into it), checked out of this repository's history by `git archive`
  into the scratch directory and run as its own `spaces worker --concurrency CONCURRENCY` on a
  database its own code created. Skipped, with a note, where git or the commit is missing.

A worker's rate is N over the span from its first attempt's start to its last attempt's end, as
the worker itself recorded them in `webhook_attempts`, so process start-up and the first poll
are not counted; the run waits until every webhook is recorded delivered and checks that each
was sent exactly once with a 2xx."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from spaces_toolkit.server.signing import new_secret, signed_headers
from spaces_toolkit.server.storage.database import open_database
from spaces_toolkit.server.storage.events import API_VERSION
from testing.pgcluster import PgCluster, find_pg_bin, pg_cluster

from .context import Options
from .procs import HOST, PYTHON, ROOT, child_server, free_port, stop_process
from .report import Row, Section
from .stats import Goal, paired_ratios, summarize

__all__ = ["run", "keepalive_loop", "httpx_loop", "Delivery"]

CONCURRENCY = 16  # `spaces worker`'s default --webhook-concurrency
ACCOUNTS = (1, 100)
WORKERS = (1, 2)
PRE_MERGE = "b96ec66"  # issue 13's tip as merged into main (bca4b91's second parent's history)
GOAL = Goal(">=", 0.25, text="≥ 0.25× keep-alive loop")
RECEIVER_APP = "bench.receiver:app"
PATH = "/hook"
CREATED = 1410196557

Delivery = tuple[bytes, dict[str, str]]  # a signed body and the headers it is POSTed with


def _event(n: int) -> dict[str, Any]:
    """The event of webhook `n` as the worker renders it (render.event of its row)."""
    return {
        "object": "event",
        "id": f"evt_bench{n:015d}",
        "created": CREATED + n,
        "type": "customer.created",
        "data": {
            "object": {
                "object": "customer",
                "id": f"cus_bench{n:015d}",
                "name": f"Customer {n}",
                "email": f"customer.{n}@example.com",
                "created": CREATED + n,
                "space": {
                    "object": "space",
                    "id": 1,
                    "created": CREATED,
                    "url": "https://spaces.pe/s/bench",
                },
            }
        },
    }


def _webhook_id(n: int) -> str:
    return f"wh_bench{n:016d}"


def signed(n: int, secret: str) -> Delivery:
    """Webhook `n`'s body and headers, signed now: the headers the worker sends."""
    event = _event(n)
    body = json.dumps(event).encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"Spaces-Webhooks/{API_VERSION} (reference server)",
        "Spaces-Webhook-Id": _webhook_id(n),
        "Spaces-Event-Id": event["id"],
        "Spaces-Event-Type": event["type"],
        **signed_headers([secret], _webhook_id(n), body),
    }
    return body, headers


async def keepalive_loop(port: int, n: int, secret: str, concurrency: int = CONCURRENCY) -> float:
    """Seconds to POST webhooks 0..n-1 (each signed when it is sent) over `concurrency`
    keep-alive HTTP/1.1 connections on asyncio streams. Fails on any non-2xx answer."""
    todo = iter(range(n))

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            for i in todo:  # one iterator shared by the connections: each takes the next
                body, headers = signed(i, secret)
                head = [f"POST {PATH} HTTP/1.1", f"Host: {HOST}:{port}"]
                head += [f"{k}: {v}" for k, v in headers.items()]
                head.append(f"Content-Length: {len(body)}")
                writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
                status = await reader.readline()
                if not status.startswith(b"HTTP/1.1 2"):
                    raise RuntimeError(f"keep-alive loop: receiver answered {status!r}")
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                if length:
                    await reader.readexactly(length)
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    t0 = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(concurrency)))
    return time.perf_counter() - t0


async def httpx_loop(port: int, n: int, secret: str, concurrency: int = CONCURRENCY) -> float:
    """The same deliveries through one httpx.AsyncClient, `concurrency` at a time."""
    import httpx

    todo = iter(range(n))
    url = f"http://{HOST}:{port}{PATH}"
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=10.0) as client:

        async def sender() -> None:
            for i in todo:
                body, headers = signed(i, secret)
                r = await client.post(url, content=body, headers=headers)
                if not 200 <= r.status_code < 300:
                    raise RuntimeError(f"httpx loop: receiver answered {r.status_code}")

        t0 = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(concurrency)))
        return time.perf_counter() - t0


# ---------------------------------------------------------------------------- databases
#
# Plain SQL through the drivers, not the toolkit's repo layer: the same statements fill the
# current schema and the pre-merge worker's (which has no signing secrets), and nothing here
# migrates a database that the pre-merge code created.


class _Store:
    """A connection to a benchmark database (SQLite file or PostgreSQL URL), `?` parameters."""

    def __init__(self, db: str) -> None:
        self.pg = db.startswith("postgresql://")
        if self.pg:
            import psycopg

            self.conn: Any = psycopg.connect(db, autocommit=True)
        else:
            self.conn = sqlite3.connect(db, isolation_level=None, timeout=30)

    def sql(self, text: str) -> str:
        return text.replace("?", "%s") if self.pg else text

    def execute(self, text: str, params: tuple[Any, ...] = ()) -> Any:
        return self.conn.execute(self.sql(text), params)

    def scalar(self, text: str, params: tuple[Any, ...] = ()) -> Any:
        row = self.execute(text, params).fetchone()
        return None if row is None else row[0]

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        if self.pg:
            with self.conn.transaction():
                yield
        else:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def has_table(self, name: str) -> bool:
        if self.pg:
            return self.scalar("SELECT to_regclass(?)", (name,)) is not None
        return self.scalar("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)) is not None

    def close(self) -> None:
        self.conn.close()


def _accounts(db: str, count: int) -> list[int]:
    """`count` accounts, each with a signing secret where the schema has them."""
    store = _Store(db)
    try:
        ids = []
        with store.transaction():
            for a in range(count):
                store.execute(
                    "INSERT INTO accounts (id, created, name, email, referral_code)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (1000 + a, CREATED, f"Bench {a}", f"bench{a}@example.com", f"ref{a}"),
                )
                ids.append(1000 + a)
            if store.has_table("webhook_signing_secrets"):
                for account_id in ids:
                    store.execute(
                        "INSERT INTO webhook_signing_secrets (account_id, secret, created)"
                        " VALUES (?, ?, ?)",
                        (account_id, new_secret(), time.time()),
                    )
        return ids
    finally:
        store.close()


def _queue(db: str, accounts: list[int], n: int, target: str) -> None:
    """`n` due webhooks, dealt round-robin to `accounts`, committed in one transaction (on
    PostgreSQL the insert NOTIFYs listening workers)."""
    store = _Store(db)
    try:
        with store.transaction():
            for i in range(n):
                account_id = accounts[i % len(accounts)]
                event = _event(i)
                store.execute(
                    "INSERT INTO events (account_id, id, type, created, data)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (account_id, event["id"], event["type"], event["created"],
                     json.dumps(event["data"])),
                )  # fmt: skip
                store.execute(
                    "INSERT INTO webhooks (account_id, id, event_seq, url, created,"
                    " next_attempt_at) SELECT ?, ?, seq, ?, ?, 0 FROM events"
                    " WHERE account_id = ? AND id = ?",
                    (account_id, _webhook_id(i), target, CREATED, account_id, event["id"]),
                )
    finally:
        store.close()


def _outcome(db: str, n: int) -> tuple[int, float | None]:
    """(webhooks recorded delivered, deliveries per second over the attempts' span once all
    are delivered). Raises if a webhook was attempted twice or answered other than 2xx."""
    store = _Store(db)
    try:
        delivered = int(store.scalar("SELECT COUNT(*) FROM webhooks WHERE delivered = 1"))
        if delivered < n:
            return delivered, None
        attempts, bad, first, last = store.execute(
            "SELECT COUNT(*), SUM(CASE WHEN status_code BETWEEN 200 AND 299 THEN 0 ELSE 1 END),"
            " MIN(started), MAX(finished) FROM webhook_attempts"
        ).fetchone()
        if attempts != n or bad:
            raise RuntimeError(f"{n} webhooks took {attempts} attempts, {bad} not 2xx")
        return delivered, n / max(1e-6, float(last) - float(first))
    finally:
        store.close()


@dataclasses.dataclass
class _Worker:
    proc: subprocess.Popen[bytes]
    log: Any  # its stderr, a temporary file

    def failure(self) -> str | None:
        """Why the process exited early (its stderr's tail), or None while it runs."""
        if self.proc.poll() is None:
            return None
        self.log.seek(0)
        return f"exited ({self.proc.returncode}): {self.log.read().decode(errors='replace')[-300:]}"


@contextlib.contextmanager
def _workers(
    argv: list[str], count: int, cwd: Path, env: dict[str, str]
) -> Iterator[list[_Worker]]:
    started: list[_Worker] = []
    try:
        for _ in range(count):
            log = tempfile.TemporaryFile()  # noqa: SIM115 - closed below
            proc = subprocess.Popen(
                argv,
                cwd=cwd,
                env={**os.environ, **env},
                start_new_session=True,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
            started.append(_Worker(proc, log))
        yield started
    finally:
        for worker in started:
            stop_process(worker.proc)
            worker.log.close()


class _WorkerCode:
    """Which `spaces worker` runs: this checkout's, or the pre-merge one from git history."""

    def __init__(
        self,
        name: str,
        root: Path,
        flags: list[str],
        opener: str = "spaces_toolkit.server.storage.database",
    ) -> None:
        self.name, self.root, self.flags = name, root, flags
        self.opener = opener  # the module of open_database in this code (not this checkout's)

    def env(self) -> dict[str, str]:
        return {"PYTHONPATH": str(self.root)} if self.root != ROOT else {}

    def migrate(self, db: str) -> None:
        """Create the database's schema with this code's own migrations."""
        if self.root == ROOT:
            open_database(db).close()
            return
        code = f"import sys; from {self.opener} import open_database as o; o(sys.argv[1]).close()"
        subprocess.run(
            [PYTHON, "-c", code, db], cwd=self.root, env={**os.environ, **self.env()},
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip

    def argv(self, db: str) -> list[str]:
        return [PYTHON, "-m", "spaces_toolkit.cli", "worker", "--db", db, *self.flags]


def _pre_merge(workdir: Path) -> _WorkerCode | str:
    """The pre-merge worker's code unpacked from git, or why it cannot be."""
    dest = workdir / "pre-merge"
    with tempfile.TemporaryFile() as archive:
        done = subprocess.run(
            ["git", "archive", "--format=tar", PRE_MERGE, "spaces_toolkit", "spec"],
            cwd=ROOT, stdout=archive, stderr=subprocess.PIPE, check=False, timeout=120,
        )  # fmt: skip
        if done.returncode != 0:
            return f"git archive {PRE_MERGE} failed: {done.stderr.decode(errors='replace')[:200]}"
        archive.seek(0)
        dest.mkdir()
        with tarfile.open(fileobj=archive) as tar:
            tar.extractall(dest, filter="data")
    flags = ["--allow-private-targets", "--log-level", "warning"]
    return _WorkerCode(
        f"pre-merge worker ({PRE_MERGE})",
        dest,
        [*flags, "--concurrency", str(CONCURRENCY)],
        opener="spaces_toolkit.server.db",  # the server folder before its split into parts
    )


def _run_worker(
    code: _WorkerCode, db: str, workers: int, accounts: int, n: int, target: str
) -> float:
    code.migrate(db)
    ids = _accounts(db, accounts)
    with _workers(code.argv(db), workers, code.root, code.env()) as procs:
        time.sleep(1.5)  # started, migrated and (PostgreSQL) listening before the insert
        _queue(db, ids, n, target)
        deadline = time.monotonic() + 300
        while True:
            delivered, rate = _outcome(db, n)
            if rate is not None:
                return rate
            for worker in procs:
                if (why := worker.failure()) is not None:
                    raise RuntimeError(f"{code.name} {why}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{code.name}: {delivered} of {n} delivered after 300 s")
            time.sleep(0.1)


def run(opts: Options) -> Section:
    section = Section("delivery", "9. Webhook delivery vs a keep-alive loop")
    # Enough that a run lasts well beyond a worker's first claim and the loop's connection
    # set-up at several thousand per second (1,000 took ~35 ms for the loop on a quiet machine).
    n = 300 if opts.quick else 4_000
    reps = opts.reps(3)
    secret = new_secret()
    port = free_port()
    receiver = [PYTHON, "-m", "uvicorn", RECEIVER_APP, "--host", HOST, "--port", str(port)]
    receiver += ["--log-level", "warning", "--lifespan", "off"]
    target = f"http://{HOST}:{port}{PATH}"
    ours = _WorkerCode(
        "spaces worker",
        ROOT,
        ["--allow-private-targets", "--log-level", "warning"]
        + ["--webhook-concurrency", str(CONCURRENCY)],
    )
    pre = _pre_merge(opts.workdir)
    if isinstance(pre, str):
        section.notes.append(f"pre-merge worker skipped: {pre}")
    have_pg = find_pg_bin() is not None
    if not have_pg:
        section.notes.append("PostgreSQL rows skipped: PostgreSQL is not installed")
    rates: dict[str, list[float]] = {}
    dbn = 0
    load = os.getloadavg()

    def sqlite_db() -> str:
        nonlocal dbn
        dbn += 1
        return str(opts.workdir / f"deliver-{dbn}.db")

    with contextlib.ExitStack() as stack:
        stack.enter_context(child_server(receiver, f"http://{HOST}:{port}/ready"))
        pg: PgCluster | None = stack.enter_context(pg_cluster()) if have_pg else None
        cases: list[tuple[str, Any]] = [
            ("keep-alive", lambda: n / asyncio.run(keepalive_loop(port, n, secret))),
            ("httpx", lambda: n / asyncio.run(httpx_loop(port, n, secret))),
        ]
        backends: list[tuple[str, Any]] = [("SQLite", sqlite_db)]
        if pg is not None:
            backends.append(("PostgreSQL", lambda: pg.create_database("deliver")))
        for backend, new_db in backends:
            for workers in WORKERS:
                for accounts in ACCOUNTS:
                    key = f"{backend}|{workers}|{accounts}"
                    cases.append(
                        (key, lambda w=workers, a=accounts, f=new_db: _run_worker(
                            ours, f(), w, a, n, target))
                    )  # fmt: skip
            if not isinstance(pre, str):
                key = f"pre|{backend}|1|1"
                cases.append(
                    (key, lambda f=new_db, p=pre: _run_worker(p, f(), 1, 1, n, target))
                )  # fmt: skip
        asyncio.run(keepalive_loop(port, min(n, 200), secret))  # warm-up: receiver, imports
        opts.log(f"  {n} deliveries per run, {CONCURRENCY} in flight, {reps} repetitions")
        for rep in range(reps):
            order = cases if rep % 2 == 0 else cases[::-1]
            for key, measure in order:
                rate = measure()
                rates.setdefault(key, []).append(rate)
                opts.log(f"  {key:<24} {rate:8.0f} /s")
    base = rates["keep-alive"]
    base_s = summarize(base, "/s")
    section.rows.append(Row("keep-alive HTTP/1.1 loop (asyncio streams), no database", base_s))
    section.rows.append(
        Row(
            "async httpx loop, no database",
            summarize(rates["httpx"], "/s"),
            base_s,
            "keep-alive loop",
            paired=paired_ratios(rates["httpx"], base),
        )
    )
    for key, values in rates.items():
        if "|" not in key:
            continue
        parts = key.split("|")
        pre_row = parts[0] == "pre"
        backend, workers, accounts = parts[1:] if pre_row else parts
        who = pre.name if pre_row and not isinstance(pre, str) else "spaces worker"
        label = (
            f"{who} on {backend}, {workers} worker{'s' if workers != '1' else ''},"
            f" {accounts} account{'s' if accounts != '1' else ''}"
        )
        section.rows.append(
            Row(
                label,
                summarize(values, "/s"),
                base_s,
                "keep-alive loop",
                None if pre_row else GOAL,
                paired_ratios(values, base),
            )
        )
    for backend in ("SQLite", "PostgreSQL"):
        pre_key, ours_key = f"pre|{backend}|1|1", f"{backend}|1|1"
        if pre_key in rates and ours_key in rates:
            section.rows.append(
                Row(
                    f"spaces worker vs the pre-merge worker, {backend}, 1 worker, 1 account",
                    summarize(rates[ours_key], "/s"),
                    summarize(rates[pre_key], "/s"),
                    "pre-merge",
                    Goal(">=", 1.0, text="≥ 1× pre-merge"),
                    paired_ratios(rates[ours_key], rates[pre_key]),
                )
            )
    section.notes.append(
        f"{n} due webhooks per run to one uvicorn receiver on loopback (204 to every POST),"
        f" {CONCURRENCY} in flight per sender/worker process; the loops sign each body when they"
        " send it (Standard Webhooks headers, as the worker does); a worker's rate is N over"
        " its recorded attempts' span (first start to last finish), checked one 2xx attempt"
        " per webhook"
    )
    section.notes.append(
        f"load average of the machine over the run: {load[0]:.1f} at the start,"
        f" {os.getloadavg()[0]:.1f} at the end, on {os.cpu_count()} cores; the loop is pure CPU"
        " while a worker also waits on its database, so the busier the machine, the higher"
        " every worker's ratio (compare rows of one run, not ratios across runs)"
    )
    if not isinstance(pre, str):
        section.notes.append(
            f"pre-merge worker: `git archive {PRE_MERGE} spaces_toolkit spec` run as its own"
            f" `spaces worker --concurrency {CONCURRENCY}` (httpx on a thread pool, unsigned,"
            " no per-account share) on a database created by its own migrations"
        )
    return section
