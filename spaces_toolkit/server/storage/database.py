"""The storage connection layer: transactions over SQL. SQLite (WAL, one file) is the default
backend; PostgreSQL (`postgresql://…`, postgres.py) serves several processes on one database.

Store modules (`repo/`) talk to a `Database` only through `read()` / `write()` transactions and
qmark-style SQL (`?` parameters); the PostgreSQL backend translates the placeholders. Where the
dialects differ (the delivery claim), storage asks what the backend can do (`capabilities`), not
which one it is. Handlers never see a connection.
Both backends bring their schema up to date with the numbered files in migrations/ on opening.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

from . import migrations

__all__ = [
    "safe_url",
    "Row",
    "Capabilities",
    "SQLITE_CAPABILITIES",
    "Transaction",
    "Database",
    "SQLiteDatabase",
    "open_database",
    "is_database_url",
]

Row = Mapping[str, Any]
T = TypeVar("T")
_ADD_COLUMN = re.compile(r"^\s*ALTER\s+TABLE\s+(\w+)\s+ADD\s+COLUMN\s+(\w+)", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class Capabilities:
    """What a backend's transactions and SQL can do, for the storage code (repo/) that picks its
    statements by them."""

    # Write transactions run side by side: a row read and then written in one must be locked
    # as it is read (`FOR UPDATE`). Without: one writer at a time (SQLite's write lock).
    row_locks: bool
    # `FOR UPDATE SKIP LOCKED`: a statement passes over rows another transaction has locked (a
    # claim beside another worker's takes other rows instead of waiting).
    skip_locked: bool
    # Data-modifying statements in WITH, and a list bound as one array parameter: a
    # lock-lease-read or a settle-and-store is one statement (one round trip).
    writable_ctes: bool
    # LATERAL joins: a subquery per row of another (each account's oldest due webhooks for all
    # accounts in one statement). Without: a statement per row, cheap where the database is in
    # the process.
    lateral_joins: bool
    # A statement that is a whole write on its own (its checks made under the locks it takes)
    # is cheaper run by itself (`Database.autocommit()`) than in a transaction: BEGIN and
    # COMMIT are round trips of their own. Without: the database is in the process, and its
    # write transaction (the one write lock) is what makes a read-then-write safe.
    autocommit: bool
    # The driver's statements can be awaited on an event loop (`Database.run_steps`): a step
    # run there costs no thread hop. Without: every statement blocks (SQLite's are calls into
    # the library), so a caller on an event loop gives its steps threads.
    awaited: bool = False


SQLITE_CAPABILITIES = Capabilities(
    row_locks=False, skip_locked=False, writable_ctes=False, lateral_joins=False, autocommit=False
)


class Transaction(Protocol):
    """One open transaction. Everything done through it commits or rolls back together."""

    capabilities: Capabilities  # its database's

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a statement; return the number of rows it changed."""
        ...

    def insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run an INSERT; return the new row's integer key."""
        ...

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Run a SELECT; return all rows as mappings."""
        ...

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """Run a SELECT; return its first row, or None."""
        ...

    def one_with_next(
        self,
        sql: str,
        params: Sequence[Any],
        columns: Sequence[str],
        check: Callable[[Row | None], None],
    ) -> None:
        """`check(self.one(sql, params))` (check raises to refuse) by the time the next
        statement's rows are handed over, before them. `sql` selects `columns`, at most one row.
        Where a statement is a round trip of its own (`Database.run_read` on PostgreSQL), the
        lookup rides along with the next statement when that finds rows; otherwise (no next
        statement, or one that found nothing) it runs alone before `run_read`'s result or
        error is handed out. Elsewhere it runs at once."""
        ...

    def lock(self, name: str) -> None:
        """Hold the lock called `name` until this write transaction ends: for a read-then-write
        such as "the next number in this Space". (SQLite's write transactions are serialised
        already; PostgreSQL's run concurrently and take an advisory lock.)"""
        ...


class Database(Protocol):
    """A place to open transactions. A `write()` transaction sees every write committed before
    it; read-then-write steps that must not interleave take `Transaction.lock()`."""

    dialect: str  # "sqlite" or "postgresql": for messages; storage asks `capabilities`
    capabilities: Capabilities  # what its SQL and transactions can do
    schema_version: int  # the migration the database is at (after opening: the newest)

    def read(self) -> contextlib.AbstractContextManager[Transaction]: ...

    def write(self) -> contextlib.AbstractContextManager[Transaction]: ...

    def autocommit(self) -> contextlib.AbstractContextManager[Transaction]:
        """No transaction: each statement run through it commits (or fails) alone, atomically,
        seeing every write committed before it. For writes that are one statement each, where
        `capabilities.autocommit` says that saves something."""
        ...

    async def run_read(self, fn: Callable[[Transaction], T]) -> T:
        """`fn(tx)`, which only reads, called from the event loop: a request's reads. Each
        backend runs it the cheapest way it can without holding up the loop (SQLite: one
        `read()` transaction, inline; PostgreSQL: each statement awaited on the loop)."""
        ...

    async def run_steps(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)`, which may open this database's transactions, called from the event loop
        without holding it up: where `capabilities.awaited`, on the loop itself with every
        statement awaited; otherwise on a thread."""
        ...

    async def leave_loop(self) -> None:
        """Close whatever this database keeps for the running event loop, before it ends."""
        ...

    def listen(self, callback: Callable[[], None]) -> None:
        """Call `callback` when another connection queues webhooks (until close()), where the
        backend can tell; delivery workers poll as well."""
        ...

    def close(self) -> None: ...


class _SQLiteTransaction:
    capabilities = SQLITE_CAPABILITIES

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self._conn.execute(sql, tuple(params)).rowcount

    def insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        rowid = self._conn.execute(sql, tuple(params)).lastrowid
        assert rowid is not None
        return rowid

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return self._conn.execute(sql, tuple(params)).fetchall()

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        row: Row | None = self._conn.execute(sql, tuple(params)).fetchone()
        return row

    def one_with_next(
        self,
        sql: str,
        params: Sequence[Any],
        columns: Sequence[str],
        check: Callable[[Row | None], None],
    ) -> None:
        check(self.one(sql, params))

    def lock(self, name: str) -> None:
        pass  # BEGIN IMMEDIATE holds the database's only write lock already


class _SQLiteScope:
    """One transaction of a SQLiteDatabase as a context manager: a pooled connection, `begin`,
    and COMMIT (ROLLBACK on an exception), the connection back to the pool either way. A class
    rather than a generator: a read is a few tens of µs, and the generator machinery was a
    measurable part of it."""

    __slots__ = ("_db", "_begin", "_conn")

    def __init__(self, db: SQLiteDatabase, begin: str | None) -> None:
        self._db = db
        self._begin = begin  # None: no transaction (each statement commits alone)

    def __enter__(self) -> Transaction:
        db = self._db
        conn = self._conn = db._acquire()
        if self._begin is not None:
            try:
                db._begin(conn, self._begin)
            except BaseException:
                db._release(conn)
                raise
        return _SQLiteTransaction(conn)

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        conn = self._conn
        try:
            if self._begin is not None:
                conn.execute("ROLLBACK" if kind is not None else "COMMIT")
        finally:
            self._db._release(conn)


class SQLiteDatabase:
    """A pool of connections to one SQLite file in WAL mode.

    Connections are created on demand and reused; any thread may take one. Write transactions
    start with `BEGIN IMMEDIATE`, so concurrent writers queue on SQLite's lock (up to
    `busy_timeout` seconds) instead of failing or losing an update.
    """

    def __init__(self, path: Path | str, *, busy_timeout: float = 30.0, max_idle: int = 8) -> None:
        self.path = Path(path)
        self._busy_ms = int(busy_timeout * 1000)
        # Idle connections, most recently used last. list.pop() and list.append() are atomic
        # (one bytecode under the GIL), so the pool needs no lock of its own; queue.LifoQueue's
        # locks and condition variable were a measurable part of a read.
        self._idle: list[sqlite3.Connection] = []
        self._max_idle = max_idle
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False
        self.dialect = "sqlite"
        self.capabilities = SQLITE_CAPABILITIES
        self.schema_version = 0
        self.applied_migrations: list[str] = []  # by this opening
        self._init_schema()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=self._busy_ms / 1000
        )
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {self._busy_ms}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        with self._lock:
            if self._closed:
                conn.close()
                raise RuntimeError("database is closed")
            self._all.append(conn)
        return conn

    def _wal(self, conn: sqlite3.Connection) -> str:
        """Switch the file to WAL. Openers racing on a new file can get "database is locked"
        here without SQLite's busy handler being asked, so wait as busy_timeout would."""
        deadline = time.monotonic() + self._busy_ms / 1000
        while True:
            try:
                return str(conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def _init_schema(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = self._connect()
        try:
            mode = self._wal(conn)
            if str(mode).lower() != "wal":
                raise RuntimeError(f"{self.path}: could not switch SQLite to WAL mode ({mode})")
            current = int(conn.execute("PRAGMA user_version").fetchone()[0])
            for migration in migrations.pending("sqlite", current, str(self.path)):
                conn.execute("BEGIN IMMEDIATE")
                try:
                    # Re-read under the write lock: another process may have migrated meanwhile.
                    if int(conn.execute("PRAGMA user_version").fetchone()[0]) < migration.version:
                        for statement in migrations.split_statements(migration.sql):
                            if not self._column_exists(conn, statement):
                                conn.execute(statement)
                        conn.execute(f"PRAGMA user_version = {migration.version}")
                        self.applied_migrations.append(migration.name)
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
            self.schema_version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        finally:
            self._release(conn)

    @staticmethod
    def _column_exists(conn: sqlite3.Connection, statement: str) -> bool:
        """Whether `statement` adds a column the table already has. SQLite has no `ADD COLUMN
        IF NOT EXISTS`, and files written by releases before migrations may have some of the
        columns a later migration adds (their schema grew in place at version 1)."""
        match = _ADD_COLUMN.match(statement)
        if match is None:
            return False
        table, column = match[1], match[2]
        have = {row["name"] for row in conn.execute(f"PRAGMA table_info({table})")}
        return column in have

    def _acquire(self) -> sqlite3.Connection:
        if self._closed:
            raise RuntimeError("database is closed")
        try:
            return self._idle.pop()
        except IndexError:
            return self._connect()

    def _release(self, conn: sqlite3.Connection) -> None:
        if self._closed:
            conn.close()
            return
        if conn.in_transaction:  # never hand on a connection with an open transaction
            conn.rollback()
        if len(self._idle) < self._max_idle:
            self._idle.append(conn)
        else:
            with self._lock:
                if conn in self._all:
                    self._all.remove(conn)
            conn.close()

    def _transaction(self, begin: str | None) -> _SQLiteScope:
        return _SQLiteScope(self, begin)

    @staticmethod
    def _begin(conn: sqlite3.Connection, begin: str) -> None:
        # busy_timeout covers lock waits; this loop only covers the rare SQLITE_BUSY that WAL
        # returns at once (e.g. while another connection is checkpointing).
        for attempt in range(50):
            try:
                conn.execute(begin)
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                time.sleep(min(0.01 * (attempt + 1), 0.2))
        conn.execute(begin)

    def read(self) -> contextlib.AbstractContextManager[Transaction]:
        """A read transaction: one consistent snapshot for everything it queries."""
        return self._transaction("BEGIN")

    def write(self) -> contextlib.AbstractContextManager[Transaction]:
        """A write transaction, holding SQLite's write lock from its first statement."""
        return self._transaction("BEGIN IMMEDIATE")

    def autocommit(self) -> contextlib.AbstractContextManager[Transaction]:
        """Statements outside a transaction, each taking the write lock for itself."""
        return self._transaction(None)

    async def run_read(self, fn: Callable[[Transaction], T]) -> T:
        """Inline on the event loop: an indexed read in WAL mode (readers never wait for the
        writer) takes tens of µs, and a hop to a thread and back costs several times that in
        interpreter-lock hand-offs (bench 4's profile: two hops were ~40% of a GET's CPU)."""
        with _SQLiteScope(self, "BEGIN") as tx:
            return fn(tx)

    async def run_steps(self, fn: Callable[..., T], *args: Any) -> T:
        """On a thread: SQLite's statements are blocking calls."""
        return await asyncio.to_thread(fn, *args)

    async def leave_loop(self) -> None:
        """Nothing is kept per event loop."""

    def listen(self, callback: Callable[[], None]) -> None:
        """SQLite has no notifications between processes: its workers rely on their poll."""

    def close(self) -> None:
        with self._lock:
            self._closed = True
            conns, self._all = self._all, []
        for conn in conns:
            with contextlib.suppress(sqlite3.Error):
                conn.close()


def safe_url(db: str | Path) -> str:
    """A `--db` value fit for messages: a URL's password replaced by ***."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", str(db))


def is_database_url(text: str) -> bool:
    """Whether `text` names a PostgreSQL database rather than a SQLite file."""
    return text.startswith(("postgresql://", "postgres://"))


def open_database(url_or_path: Path | str) -> Database:
    """Open (and migrate) the database a server or CLI command is pointed at: a SQLite file
    path (or `sqlite:///path`), or a `postgresql://` URL."""
    text = str(url_or_path)
    if is_database_url(text):
        from .postgres import PostgresDatabase  # psycopg is an optional dependency

        return PostgresDatabase(text)
    if text.startswith("sqlite:///"):
        text = text[len("sqlite:///") :]
    elif "://" in text:
        raise ValueError(
            f"unsupported database URL {text!r}: use a SQLite file path or postgresql://…"
        )
    return SQLiteDatabase(Path(text))
