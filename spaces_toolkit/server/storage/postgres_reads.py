"""PostgreSQL reads on the request path, awaited on the event loop: `PostgresDatabase.run_read`.

Profiled under wrk (bench 8, before): a GET was four round trips (BEGIN, the token, the page,
COMMIT) through psycopg on the thread pool, ~550 µs of server CPU per list page against ~150 µs
on SQLite, and p50 ~11 ms at 8 connections. Most of it was the driver (psycopg's Python-level
work per statement: ~80-120 µs each here, against ~30-60 µs for asyncpg's, measured on the
same queries and loop) and one socket write and wake-up per round trip. So here:

- the statements go through asyncpg on the event loop (no thread, no interpreter-lock
  hand-off), each connection used by one loop only: a small pool per event loop (the
  in-process tests give each test its own loop);
- a GET's statements run in autocommit, each on its own snapshot, without BEGIN/COMMIT: two
  round trips for a page or an object (the token, then the read) instead of four. No answer
  can tell the difference: a token revoked between the two statements is a request concurrent
  with its revocation (served, as it would be had the revocation committed a moment later;
  every request that starts after the revocation commits reads the revoked row and is a 401);
  a cursor's `seq` never changes, nor does what a customer or a Space is, so a page read on a
  later snapshot than its cursor's lookup is the page that cursor names;
- and the token's row rides along with the first statement (`one_with_next`): once a process
  has seen a token valid it knows the token's account (which never changes), so the page or
  object is read for that account in the same statement as the token's row, which is checked
  before any row is handed over. One round trip, on one snapshot. When that statement finds
  nothing (an empty page, a 404) or the request fails before it (a 400), the row is read alone
  before the answer is given, so a refused token is a 401 whatever the request is.

The handlers and the store modules stay synchronous (the same code serves SQLite, and writes on
threads): `fn(tx)` runs in a greenlet, and each statement switches back to the event loop's
side, which awaits it and switches back with the rows. `fn` only reads: the transaction refuses
writes. A connection that died while idle fails at its first statement, before anything was
read, and `fn` is run again on another.

The delivery worker's steps (`PostgresDatabase.run_steps`: its claims, lease checks and records)
run the same way, so that its storage costs no thread and no interpreter-lock hand-off either
(psycopg on the worker's threads was ~30-50 µs of its CPU per delivery): in a step's greenlet
every transaction the database opens, `read()`, `write()` or `autocommit()`, is a connection of
the loop's pool whose statements are awaited (`AsyncReads.transaction`), with BEGIN and COMMIT
where it is a transaction. Nothing is retried there: a step that fails fails as it would on
psycopg (the worker's own retries and leases decide what happens next)."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import re
import weakref
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import asyncpg
import greenlet

from .database import Capabilities, Row, Transaction

__all__ = ["AsyncReads", "dollar_params", "returned_key", "ADVISORY_LOCK", "POSTGRES_CAPABILITIES"]

POSTGRES_CAPABILITIES = Capabilities(
    row_locks=True,
    skip_locked=True,
    writable_ctes=True,
    lateral_joins=True,
    autocommit=True,
    awaited=True,
)
# The integer key `insert()` returns, by table (tables not listed have `seq`); None: no
# integer key (the caller ignores the result).
_INSERT_KEYS: dict[str, str | None] = {"accounts": "id", "access_tokens": None}
_INSERT_TABLE = re.compile(r"^\s*INSERT\s+INTO\s+([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE)


# Transaction.lock(name): a transaction-level advisory lock keyed by the name's hash.
ADVISORY_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended(?, 0))"


def returned_key(sql: str) -> str | None:
    """The column an INSERT's `insert()` returns (`RETURNING` it), or None if its table has no
    integer key; ValueError if `sql` is not an INSERT."""
    match = _INSERT_TABLE.match(sql)
    if match is None:
        raise ValueError(f"not an INSERT: {sql[:60]!r}")
    return _INSERT_KEYS.get(match[1].lower(), "seq")


T = TypeVar("T")

_TOKENS = re.compile(r"'(?:[^']|'')*'|\?")
# What a connection that died while idle raises at its first statement: closed already, lost
# during it, the server's goodbye (57P01 "terminating connection due to administrator
# command", which a terminated or restarted backend sends before it closes its socket), or
# asyncpg's protocol confused by that goodbye arriving while it was idle.
_DEAD = (
    asyncpg.exceptions.InternalClientError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.InterfaceError,
    ConnectionError,
)
# After these, whether the connection is between statements is not known.
_UNSETTLED = (asyncpg.PostgresError, asyncio.CancelledError, TimeoutError)


@functools.lru_cache(maxsize=1024)
def dollar_params(sql: str) -> str:
    """qmark SQL → asyncpg's numbered parameters: the n-th `?` → `$n`, string literals
    untouched."""
    count = 0

    def swap(match: re.Match[str]) -> str:
        nonlocal count
        if match[0] != "?":
            return match[0]
        count += 1
        return f"${count}"

    return _TOKENS.sub(swap, sql)


class _ReadGreenlet(greenlet.greenlet):
    """The greenlet a read function runs in; its statements switch to `parent` to be awaited."""


class _StepGreenlet(_ReadGreenlet):
    """The greenlet a step runs in (`AsyncReads.run_steps`): the transactions its database
    (`owner`) opens in it are awaited on the loop."""

    def __init__(self, run: Callable[..., Any], owner: AsyncReads) -> None:
        super().__init__(run)
        self.owner = owner


def _await(awaitable: Awaitable[T]) -> T:
    current = greenlet.getcurrent()
    if not isinstance(current, _ReadGreenlet):
        raise RuntimeError("an awaited read transaction was used outside its run_read()")
    result: T = current.parent.switch(awaitable)
    return result


async def _run_in_greenlet(
    fn: Callable[..., T], *args: Any, glet: _ReadGreenlet | None = None
) -> T:
    """`fn(*args)`, whose `_await(x)` calls are awaited here, on the running loop."""
    glet = _ReadGreenlet(fn) if glet is None else glet
    glet.gr_context = contextvars.copy_context()
    value = glet.switch(*args)
    while not glet.dead:
        try:
            result = await value
        except BaseException as exc:  # noqa: BLE001 - handed to the read function to handle
            value = glet.throw(exc)
        else:
            value = glet.switch(result)
    return value


@functools.lru_cache(maxsize=256)
def _with_lookup(sql: str, lookup: str, columns: tuple[str, ...]) -> str:
    """`sql` with the one-row `lookup`'s `columns` appended to each of its rows (numbered
    parameters: `sql`'s first, then the lookup's). No row when either finds none. The rows
    keep `sql`'s order: a join with at most one row on the other side keeps it."""
    extra = ", ".join(f'l.{name} AS "{_LOOKUP}{n}"' for n, name in enumerate(columns))
    return dollar_params(f"SELECT q.*, {extra} FROM ({sql}) AS q CROSS JOIN ({lookup}) AS l")


_LOOKUP = "_with_next_"


class _Lookup:
    """A one-row lookup riding along with a transaction's next statement."""

    __slots__ = ("sql", "params", "columns", "check")

    def __init__(
        self,
        sql: str,
        params: Sequence[Any],
        columns: Sequence[str],
        check: Callable[[Row | None], None],
    ) -> None:
        self.sql = sql
        self.params = tuple(params)
        self.columns = tuple(columns)
        self.check = check

    def checked(self, row: Any) -> None:
        """Check the lookup's part of a row of the statement it rode along with."""
        width = len(self.columns)
        start = len(row) - width
        self.check({name: row[start + n] for n, name in enumerate(self.columns)})


class _AwaitedTransaction:
    """A GET's reads, or a step's transaction (`writes`), each statement awaited on the loop
    (see the module doc)."""

    __slots__ = ("_conn", "answered", "pending", "_writes")

    capabilities = POSTGRES_CAPABILITIES

    def __init__(self, conn: asyncpg.Connection, *, writes: bool = False) -> None:
        self._conn = conn
        self.answered = 0  # statements answered so far
        self._writes = writes
        self.pending: _Lookup | None = None  # a lookup waiting for the next statement

    def _fetch(self, sql: str, params: Sequence[Any], first_only: bool) -> Any:
        lookup = self.pending
        if lookup is None:
            fetch = self._conn.fetchrow if first_only else self._conn.fetch
            return _await(fetch(dollar_params(sql), *params))
        fused = _with_lookup(sql, lookup.sql, lookup.columns)
        rows = _await(self._conn.fetch(fused, *params, *lookup.params))
        if not rows:  # nothing found, or no lookup row: it will run alone (`settle`)
            return None if first_only else []
        self.pending = None
        lookup.checked(rows[0])
        return rows[0] if first_only else rows

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        rows: list[Row] = self._fetch(sql, params, first_only=False)
        self.answered += 1
        return rows

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """The row a lookup finds, or None. An integer argument outside its column's type
        (a Space id of 2**63 - 1 against an INTEGER column) names no stored row: asyncpg
        refuses to encode it where the SQLite backend, and psycopg's 64-bit parameters, find
        nothing; so it finds nothing here too (a 404, or a 400 for a cursor)."""
        try:
            row: Row | None = self._fetch(sql, params, first_only=True)
        except asyncpg.DataError as exc:
            if not isinstance(exc.__cause__, OverflowError):
                raise
            row = None
        self.answered += 1
        return row

    def one_with_next(
        self,
        sql: str,
        params: Sequence[Any],
        columns: Sequence[str],
        check: Callable[[Row | None], None],
    ) -> None:
        if self.pending is not None:
            raise RuntimeError("one lookup at a time rides along with the next statement")
        self.pending = _Lookup(sql, params, columns, check)

    async def settle(self) -> None:
        """Run a lookup still waiting, alone, and check its row (on the loop's side)."""
        lookup, self.pending = self.pending, None
        if lookup is not None:
            row = await self._conn.fetchrow(dollar_params(lookup.sql), *lookup.params)
            self.answered += 1
            lookup.check(row)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        self._writing()
        status: str = _await(self._conn.execute(dollar_params(sql), *params))
        self.answered += 1
        count = status.rpartition(" ")[2]  # "UPDATE 3", "INSERT 0 1"
        return int(count) if count.isdigit() else 0

    def insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        self._writing()
        key = returned_key(sql)
        if key is None:
            self.execute(sql, params)
            return 0
        value = _await(self._conn.fetchval(dollar_params(f"{sql} RETURNING {key}"), *params))
        self.answered += 1
        return int(value)

    def lock(self, name: str) -> None:
        self._writing()
        _await(self._conn.execute(dollar_params(ADVISORY_LOCK), name))
        self.answered += 1

    def _writing(self) -> None:
        if not self._writes:
            raise RuntimeError("run_read() transactions only read")


class _StepScope:
    """One transaction opened inside a step (AsyncReads.run_steps): a connection of the loop's
    pool, `begin` (None: each statement commits alone), COMMIT, or ROLLBACK on an exception;
    the connection back to the pool, or closed if it may be in the middle of something."""

    __slots__ = ("_reads", "_begin", "_pool", "_conn")

    def __init__(self, reads: AsyncReads, begin: str | None) -> None:
        self._reads = reads
        self._begin = begin

    def __enter__(self) -> _AwaitedTransaction:
        reads = self._reads
        pool = self._pool = reads._pool()
        _await(asyncio.wait_for(pool.slots.acquire(), reads._timeout))
        try:
            conn = self._conn = _await(reads._take(pool))
        except BaseException:
            pool.slots.release()
            raise
        if self._begin is not None:
            try:
                _await(conn.execute(self._begin))
            except BaseException as exc:
                self._end(healthy=isinstance(exc, asyncpg.PostgresError))
                raise
        return _AwaitedTransaction(conn, writes=True)

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        conn, healthy = self._conn, False
        try:
            if kind is None:
                if self._begin is not None:
                    _await(conn.execute("COMMIT"))
                healthy = True
            elif isinstance(exc, _DEAD + (asyncio.CancelledError, TimeoutError)):
                pass  # lost, or stopped mid-statement: not reused
            elif self._begin is not None:
                _await(conn.execute("ROLLBACK"))
                healthy = True
            else:
                healthy = True  # no transaction open, and no statement under way
        finally:
            self._end(healthy)

    def _end(self, healthy: bool) -> None:
        if healthy:
            self._reads._release(self._pool, self._conn)
        else:
            _discard(self._conn)
        self._pool.slots.release()


class _LoopPool:
    """The idle connections of one event loop, and how many it may still open."""

    def __init__(self, max_size: int) -> None:
        self.idle: list[asyncpg.Connection] = []
        self.slots = asyncio.Semaphore(max_size)


class AsyncReads:
    """Read transactions awaited on whichever event loop calls `run`."""

    def __init__(self, url: str, *, max_size: int = 10, timeout: float = 30.0) -> None:
        self._url = url
        self._max_size = max_size
        self._timeout = timeout
        self._pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopPool] = (
            weakref.WeakKeyDictionary()
        )
        self._closed = False
        # The last caller's loop (weakly) and its pool: one lookup less per read.
        self._last: tuple[Callable[[], Any], _LoopPool | None] = (lambda: None, None)

    def _pool(self) -> _LoopPool:
        loop = asyncio.get_running_loop()
        last_loop, last_pool = self._last
        if last_loop() is loop and last_pool is not None:  # the loop of the last call
            return last_pool
        pool = self._pools.get(loop)
        if pool is None:
            pool = self._pools[loop] = _LoopPool(self._max_size)
        self._last = (weakref.ref(loop), pool)
        return pool

    async def _connect(self) -> asyncpg.Connection:
        try:
            return await asyncpg.connect(self._url, timeout=self._timeout)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise ConnectionError(f"cannot connect for reads: {exc}") from None

    async def run(self, fn: Callable[[Transaction], T]) -> T:
        if self._closed:
            raise RuntimeError("database is closed")
        pool = self._pool()
        if pool.slots.locked():  # all taken: wait for one, for so long
            async with asyncio.timeout(self._timeout):
                await pool.slots.acquire()
        else:  # one is free: taken at once (no timer to set and cancel)
            await pool.slots.acquire()
        try:
            for attempt in range(self._max_size + 1):
                conn = await self._take(pool)
                tx = _AwaitedTransaction(conn)
                healthy = False
                try:
                    try:
                        result = await _run_in_greenlet(fn, tx)
                    except Exception as exc:
                        # A lookup that was to ride along decides first (a 401 before a 404),
                        # unless the connection failed.
                        if not isinstance(exc, _DEAD + _UNSETTLED):
                            await tx.settle()
                        raise
                    await tx.settle()
                    healthy = True
                    return result
                except _DEAD:
                    # Died while idle (a restart, a dropped connection): it fails at its first
                    # statement, before anything was read, so `fn` may run again on another.
                    if tx.answered or attempt == self._max_size:
                        raise
                except _UNSETTLED:
                    raise  # the connection may be mid-statement: not reused
                except BaseException:
                    healthy = True  # the request's own error (a 401, a 404): the connection is fine
                    raise
                finally:
                    if healthy:
                        self._release(pool, conn)
                    else:
                        _discard(conn)
            raise AssertionError("unreachable")
        finally:
            pool.slots.release()

    async def run_steps(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` on the running loop, in a greenlet in which every transaction of this
        database (`transaction`) is awaited on the loop."""
        if self._closed:
            raise RuntimeError("database is closed")
        return await _run_in_greenlet(fn, *args, glet=_StepGreenlet(fn, self))

    def in_step(self) -> bool:
        """Whether the caller is a step of this database (run_steps)."""
        current = greenlet.getcurrent()
        return isinstance(current, _StepGreenlet) and current.owner is self

    def transaction(self, begin: str | None) -> contextlib.AbstractContextManager[Transaction]:
        """A transaction awaited on the loop, for a step (in_step)."""
        return _StepScope(self, begin)

    async def leave_loop(self) -> None:
        """Close the running loop's idle connections (before the loop ends)."""
        loop = asyncio.get_running_loop()
        pool = self._pools.pop(loop, None)
        if self._last[0]() is loop:  # a later call on this loop starts a pool `close()` knows
            self._last = (lambda: None, None)
        while pool is not None and pool.idle:
            conn = pool.idle.pop()
            try:
                await conn.close(timeout=1.0)
            except Exception:  # noqa: BLE001 - closing anyway
                _discard(conn)

    async def _take(self, pool: _LoopPool) -> asyncpg.Connection:
        while pool.idle:
            conn = pool.idle.pop()
            if not conn.is_closed():  # one the server closed while it was idle is dropped
                return conn
        return await self._connect()

    def _release(self, pool: _LoopPool, conn: asyncpg.Connection) -> None:
        if self._closed or conn.is_closed():
            _discard(conn)
        else:
            pool.idle.append(conn)

    def close(self) -> None:
        self._closed = True
        pools = list(self._pools.values())
        self._pools.clear()
        self._last = (lambda: None, None)
        for pool in pools:
            while pool.idle:
                _discard(pool.idle.pop())


def _discard(conn: asyncpg.Connection) -> None:
    """Close without awaiting, from any thread; the server sees the socket close. If the
    connection's event loop is closed already (an in-process test's), its transport and
    socket are closed with the loop's objects."""
    if not conn.is_closed():
        with contextlib.suppress(RuntimeError):
            conn.terminate()
