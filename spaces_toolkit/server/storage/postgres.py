"""The PostgreSQL backend: the `Database` protocol over psycopg 3 and a psycopg_pool pool.

Behaviour matches the SQLite backend, which the store modules are written against:
- `?` placeholders become `%s` (outside string literals; a literal `%` is doubled);
- `read()` is one REPEATABLE READ snapshot, like a SQLite read transaction;
- `write()` transactions run concurrently (READ COMMITTED); where SQLite's single writer made a
  read-then-write safe ("the next order number in this Space"), the store takes `lock(name)`,
  a transaction-level advisory lock, and row-level races are settled by row locks (the
  delivery claim uses FOR UPDATE SKIP LOCKED);
- `insert()` returns the new row's key (`RETURNING seq`, or `id` for accounts).
The server's handlers are synchronous functions run in a thread pool, so the pool is the
synchronous one. A connection that died while idle (restart, dropped connection) is replaced
when its BEGIN fails, so a restarted database costs reconnects, not failed requests.

Delivery workers wait on `listen()` (LISTEN/NOTIFY; the webhooks table notifies on insert).
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from . import migrations
from .database import Row, Transaction, safe_url
from .postgres_reads import ADVISORY_LOCK, POSTGRES_CAPABILITIES, AsyncReads, returned_key

__all__ = ["PostgresDatabase", "translate", "WEBHOOKS_CHANNEL"]

log = logging.getLogger("spaces.db")

WEBHOOKS_CHANNEL = "spaces_webhooks"
# The pg_advisory_xact_lock key of schema migration.
_MIGRATE_LOCK = 0x5350_4143_0002
T = TypeVar("T")
_TOKENS = re.compile(r"'(?:[^']|'')*'|\?|%")


def translate(sql: str) -> str:
    """qmark SQL → psycopg's format style: `?` → `%s`, `%` → `%%`, string literals untouched."""

    def swap(match: re.Match[str]) -> str:
        token = match[0]
        return "%s" if token == "?" else "%%" if token == "%" else token

    return _TOKENS.sub(swap, sql)


class _PostgresTransaction:
    capabilities = POSTGRES_CAPABILITIES

    def __init__(self, conn: psycopg.Connection[Row]) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self._conn.execute(translate(sql), tuple(params)).rowcount

    def insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        key = returned_key(sql)
        if key is None:
            self.execute(sql, params)
            return 0
        cur = self._conn.execute(
            translate(f"{sql} RETURNING {key}"),
            tuple(params),
        )
        row = cur.fetchone()
        assert row is not None
        return int(row[key])

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return self._conn.execute(translate(sql), tuple(params)).fetchall()

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        return self._conn.execute(translate(sql), tuple(params)).fetchone()

    def one_with_next(
        self,
        sql: str,
        params: Sequence[Any],
        columns: Sequence[str],
        check: Callable[[Row | None], None],
    ) -> None:
        check(self.one(sql, params))

    def lock(self, name: str) -> None:
        self._conn.execute(translate(ADVISORY_LOCK), (name,))


class PostgresDatabase:
    """A pool of connections to one PostgreSQL database, migrated on opening."""

    dialect = "postgresql"
    capabilities = POSTGRES_CAPABILITIES

    def __init__(
        self, url: str, *, min_size: int = 1, max_size: int = 10, timeout: float = 30.0
    ) -> None:
        self.url = url
        self.schema_version = 0
        self.applied_migrations: list[str] = []  # by this opening
        self._listeners: list[_Listener] = []
        self._pool: ConnectionPool[psycopg.Connection[Row]] = ConnectionPool(
            url,
            min_size=min_size,
            max_size=max_size,
            timeout=timeout,
            kwargs={"row_factory": dict_row, "autocommit": True},
            open=False,
            name="spaces",
        )
        # Connect once directly first: a wrong URL or a database that is down fails at once with
        # libpq's message, instead of after the pool's retries.
        try:
            conn = psycopg.connect(
                url, connect_timeout=int(timeout), autocommit=True, row_factory=dict_row
            )
        except psycopg.OperationalError as exc:
            raise ConnectionError(" ".join(str(exc).split())) from None  # libpq's lines, as one
        with conn:
            self._migrate(conn)
        self._pool.open(wait=True, timeout=timeout)
        self._reads = AsyncReads(url, max_size=max_size, timeout=timeout)

    def _migrate(self, conn: psycopg.Connection[Row]) -> None:
        with conn.transaction():
            # One process migrates at a time; the others then find the work done.
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATE_LOCK,))
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version"
                " (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                " applied TIMESTAMPTZ NOT NULL DEFAULT now())"
            )
            row = conn.execute(
                "SELECT COALESCE(MAX(version), 0) AS v FROM schema_version"
            ).fetchone()
            current = int(row["v"]) if row else 0
            for migration in migrations.pending("postgresql", current, safe_url(self.url)):
                for statement in migrations.split_statements(migration.sql):
                    conn.execute(statement.encode("utf-8"))
                conn.execute(
                    "INSERT INTO schema_version (version, name) VALUES (%s, %s)",
                    (migration.version, migration.name),
                )
                current = migration.version
                self.applied_migrations.append(migration.name)
            self.schema_version = current

    def _begin(self, begin: str | None) -> psycopg.Connection[Row]:
        """A pooled connection with `begin` run on it. A connection that died while idle
        (database restart, dropped by a proxy or by pg_terminate_backend) fails here, before
        the transaction did anything, so it is safe to take another; the pool replaces it."""
        for attempt in range(self._pool.max_size + 1):
            conn = self._pool.getconn()
            try:
                if begin is None:  # no transaction: only a connection known dead is replaced
                    if conn.closed or conn.broken:
                        raise psycopg.OperationalError("connection closed")
                    return conn
                conn.execute(begin)
                return conn
            except psycopg.OperationalError:
                self._pool.putconn(conn)  # broken: the pool discards it
                if attempt == self._pool.max_size:
                    raise
        raise AssertionError("unreachable")

    def _transaction(self, begin: str | None) -> contextlib.AbstractContextManager[Transaction]:
        """A transaction on a pooled psycopg connection, or awaited on the event loop inside a
        step (run_steps)."""
        if self._reads.in_step():
            return self._reads.transaction(begin)
        return self._pooled(begin)

    @contextlib.contextmanager
    def _pooled(self, begin: str | None) -> Iterator[Transaction]:
        conn = self._begin(begin)
        try:
            try:
                yield _PostgresTransaction(conn)
            except BaseException:
                if begin is not None:
                    with contextlib.suppress(psycopg.Error):
                        conn.execute("ROLLBACK")
                raise
            if begin is not None:
                conn.execute("COMMIT")
        finally:
            self._pool.putconn(conn)

    def read(self) -> contextlib.AbstractContextManager[Transaction]:
        """A read-only transaction on one consistent snapshot."""
        return self._transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")

    async def run_read(self, fn: Callable[[Transaction], T]) -> T:
        """`fn(tx)`'s reads, each statement awaited on the running event loop (asyncpg, in
        autocommit: postgres_reads.py says why that answers like one snapshot). `fn` only reads."""
        return await self._reads.run(fn)

    async def run_steps(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` on the running event loop, every transaction it opens on this database
        awaited there (asyncpg; postgres_reads.py): no thread, no interpreter-lock hand-off."""
        return await self._reads.run_steps(fn, *args)

    async def leave_loop(self) -> None:
        """Close the connections kept for the running event loop (its steps' and reads')."""
        await self._reads.leave_loop()

    def write(self) -> contextlib.AbstractContextManager[Transaction]:
        """A write transaction (READ COMMITTED: each statement sees the latest commits, so a
        read after `lock()` sees what the lock's previous holder wrote)."""
        return self._transaction("BEGIN ISOLATION LEVEL READ COMMITTED")

    def autocommit(self) -> contextlib.AbstractContextManager[Transaction]:
        """Statements outside a transaction (the pool's connections are in autocommit mode):
        each commits alone, a round trip where a transaction's would be three. A connection
        that died while idle fails its first statement, which then did nothing; the pool
        replaces it."""
        return self._transaction(None)

    def listen(self, callback: Callable[[], None], channel: str = WEBHOOKS_CHANNEL) -> None:
        """Call `callback` (in a background thread) on every NOTIFY on `channel`, until
        close(); reconnects after a lost connection (and calls `callback` then, since
        notifications may have been missed)."""
        listener = _Listener(self.url, channel, callback)
        self._listeners.append(listener)
        listener.start()

    def close(self) -> None:
        for listener in self._listeners:
            listener.stop()
        self._listeners.clear()
        self._reads.close()
        self._pool.close()


class _Listener:
    def __init__(self, url: str, channel: str, callback: Callable[[], None]) -> None:
        self._url, self._channel, self._callback = url, channel, callback
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="spaces-listen", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._url, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {self._channel}")
                    self._callback()  # anything queued while we were not listening
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=0.5, stop_after=1):
                            self._callback()
            except psycopg.Error as exc:
                log.warning("LISTEN %s: %s; reconnecting", self._channel, exc)
                self._stop.wait(1.0)
