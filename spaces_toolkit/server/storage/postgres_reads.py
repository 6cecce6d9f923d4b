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
  later snapshot than its cursor's lookup is the page that cursor names.

The handlers and the store modules stay synchronous (the same code serves SQLite, and writes on
threads): `fn(tx)` runs in a greenlet, and each statement switches back to the event loop's
side, which awaits it and switches back with the rows. `fn` only reads: the transaction refuses
writes. A connection that died while idle fails at its first statement, before anything was
read, and `fn` is run again on another."""

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

from .database import Row, Transaction

__all__ = ["AsyncReads", "dollar_params"]

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


def _await(awaitable: Awaitable[T]) -> T:
    current = greenlet.getcurrent()
    if not isinstance(current, _ReadGreenlet):
        raise RuntimeError("an awaited read transaction was used outside its run_read()")
    result: T = current.parent.switch(awaitable)
    return result


async def _run_in_greenlet(fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)`, whose `_await(x)` calls are awaited here, on the running loop."""
    glet = _ReadGreenlet(fn)
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


class _AwaitedTransaction:
    """A GET's reads, each statement awaited on the loop (see the module doc)."""

    __slots__ = ("_conn", "answered")

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn
        self.answered = 0  # statements answered so far

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        rows: list[Row] = _await(self._conn.fetch(dollar_params(sql), *params))
        self.answered += 1
        return rows

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """The row a lookup finds, or None. An integer argument outside its column's type
        (a Space id of 2**63 - 1 against an INTEGER column) names no stored row: asyncpg
        refuses to encode it where the SQLite backend, and psycopg's 64-bit parameters, find
        nothing; so it finds nothing here too (a 404, or a 400 for a cursor)."""
        try:
            row: Row | None = _await(self._conn.fetchrow(dollar_params(sql), *params))
        except asyncpg.DataError as exc:
            if not isinstance(exc.__cause__, OverflowError):
                raise
            row = None
        self.answered += 1
        return row

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        raise RuntimeError("run_read() transactions only read")

    def insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        raise RuntimeError("run_read() transactions only read")

    def lock(self, name: str) -> None:
        raise RuntimeError("run_read() transactions only read")


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

    def _pool(self) -> _LoopPool:
        loop = asyncio.get_running_loop()
        pool = self._pools.get(loop)
        if pool is None:
            pool = self._pools[loop] = _LoopPool(self._max_size)
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
        async with asyncio.timeout(self._timeout):
            await pool.slots.acquire()
        try:
            for attempt in range(self._max_size + 1):
                conn = await self._take(pool)
                tx = _AwaitedTransaction(conn)
                healthy = False
                try:
                    result = await _run_in_greenlet(fn, tx)
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
