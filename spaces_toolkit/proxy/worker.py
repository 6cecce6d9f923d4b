"""Checking off the forwarding path. The forwarder hands each exchange, once its answer is out,
to a `CheckChannel`: the event loop itself sends it, batched with the others that completed
meanwhile, over a socket to the checks in a process of their own (`CheckProcess`), and records
what they find in the session as their answers come back.

So a check never delays an answer, and no thread of the forwarding process competes with it for
the interpreter lock (a thread there once made every request wait for the lock's hand-over);
and no exchange escapes the verdict: when the checks fall `CAPACITY` exchanges behind, handing
one over waits for room (the connection's next request waits; nothing is dropped), and every
wait is counted (`waits`) for the summary. A check that raises, or a checking process that
dies, leaves its exchanges reported as not checked (the run's exit status says so). At the end
`finish()` lets the checks answer everything sent before the summary is written.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import multiprocessing
import os
import pickle
import signal
import socket
import struct
import threading
import traceback
from collections.abc import Callable, Iterator, Mapping
from multiprocessing.connection import Connection
from typing import Any

from spaces_toolkit.proxy.exchange import Exchange

__all__ = ["CAPACITY", "NICENESS", "CheckChannel", "CheckError", "CheckProcess"]

CAPACITY = 10_000  # exchanges queued for checking before the forwarder waits for room
BATCH = 256  # exchanges sent to the checking process at once, at most (those already queued)
BATCH_BYTES = 8 * 1024 * 1024  # bodies' bytes of a batch before it is sent without waiting
# An exchange waits this long (seconds) for others to go along to the checks (after its answer
# went out): a checking process woken for every exchange costs twice the CPU per exchange, and
# takes it from the forwarding and the server when cores are scarce.
BATCH_DELAY = 0.02
NICENESS = 10  # the checking process yields the CPU to the forwarding when both want it: at
# 10 it weighs a tenth of a default process, and takes the idle cores (at 5: ~5 % less throughput
# through the proxy on 2 cores, bench 10)


class CheckError(Exception):
    """An exchange could not be checked (a check raised, or the checking process ended)."""


class CheckChannel:
    """The hand-off from the forwarding's event loop to the checking process, with no thread in
    between: exchanges are sent in batches (those that completed within `BATCH_DELAY`, or while
    the previous batch was being checked), over a socket the loop writes without blocking; the
    answers come back on it and are recorded in order (`record`).

    Bounded: when `capacity` exchanges are unchecked, `put` waits until the checks catch up
    (counted in `waits`); nothing is dropped. If the checking process ends,
    every exchange it did not answer is reported (`crashed`), as is every one after.
    """

    def __init__(
        self,
        sock: socket.socket,
        record: Callable[[Exchange, tuple[str, Any]], None],
        crashed: Callable[[Exchange, BaseException], None],
        adopt: Callable[[dict[str, Any]], None],
        capacity: int = CAPACITY,
    ) -> None:
        self._sock = sock
        self._record = record  # (exchange, ("ok", violations) or ("error", why))
        self._crashed = crashed
        self._adopt = adopt  # the checker's counters, at settle and stop
        self.capacity = capacity
        self.waits = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._transport: asyncio.Transport | None = None
        self._pending: list[Exchange] = []
        self._pending_bytes = 0
        self._sent: collections.deque[tuple[str, Any]] = collections.deque()
        self._batches = 0  # batches sent and not yet answered
        self._unchecked = 0  # exchanges put and not yet answered
        self._room: asyncio.Future[None] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._overdue = False  # pending exchanges have waited BATCH_DELAY
        self._ended: str | None = None

    async def open(self) -> None:
        """Connect to the socket (in the serving event loop)."""
        self._loop = asyncio.get_running_loop()
        self._transport, _ = await self._loop.create_unix_connection(
            lambda: _Answers(self), sock=self._sock
        )

    async def put(self, exchange: Exchange) -> None:
        if self._ended is not None or self._transport is None:
            self._crashed(exchange, CheckError(self._ended or "the checks are not running"))
            return
        self._pending.append(exchange)
        self._pending_bytes += len(exchange.request_body) + len(exchange.response_body)
        self._unchecked += 1
        if len(self._pending) >= BATCH or self._pending_bytes > BATCH_BYTES:
            self._flush()
        elif self._timer is None:  # those that complete meanwhile go along
            self._timer = self._loop.call_later(BATCH_DELAY, self._due)  # type: ignore[union-attr]
        if self._unchecked >= self.capacity:
            self.waits += 1
            while self._unchecked >= self.capacity and self._ended is None:
                self._room = asyncio.get_running_loop().create_future()
                await self._room

    def _due(self) -> None:
        self._timer = None
        self._overdue = True
        if self._batches == 0:
            self._flush()  # else once the batch being checked is answered

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._overdue = False
        while self._pending and self._ended is None:
            batch, self._pending = self._pending[:BATCH], self._pending[BATCH:]
            self._pending_bytes = sum(
                len(e.request_body) + len(e.response_body) for e in self._pending
            )
            self._send(("check", [_wire(e) for e in batch]), ("check", batch))
            self._batches += 1

    def _send(self, request: tuple[Any, ...], expect: tuple[str, Any]) -> None:
        data = pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL)
        assert self._transport is not None
        self._transport.write(struct.pack("!i", len(data)) + data)
        self._sent.append(expect)

    def _answered(self, answer: tuple[str, Any]) -> None:
        kind, what = self._sent.popleft()
        if kind == "counters":
            if not what.done():
                what.set_result(answer[1])
            return
        self._batches -= 1
        results = answer[1] if answer[0] == "ok" else [("error", answer[1])] * len(what)
        for exchange, result in zip(what, results, strict=True):
            self._record(exchange, result)
        self._unchecked -= len(what)
        self._wake()
        if self._pending and self._batches == 0 and self._overdue:
            self._flush()

    def _lost(self, exc: Exception | None) -> None:
        if self._ended is None:
            self._ended = f"the checking process ended: {exc or 'EOF'}"
        error = CheckError(self._ended)
        while self._sent:
            kind, what = self._sent.popleft()
            if kind == "counters" and not what.done():
                what.set_exception(error)
            if kind != "check":
                continue
            for exchange in what:
                self._crashed(exchange, error)
        for exchange in self._pending:
            self._crashed(exchange, error)
        self._pending = []
        self._unchecked = self._batches = 0
        self._wake()

    def _wake(self) -> None:
        if self._room is not None and not self._room.done() and self._unchecked < self.capacity:
            self._room.set_result(None)

    async def caught_up(self) -> None:
        """Wait until every exchange put so far is checked and recorded; adopt the counters."""
        if self._transport is None or self._ended is not None:
            return
        self._flush()
        counted: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._send(("counters",), ("counters", counted))
        with contextlib.suppress(CheckError):
            self._adopt(await counted)

    async def finish(self) -> None:
        """Check what is left, then end the checking process's work (at the end of a run)."""
        await self.caught_up()
        if self._transport is not None:
            if self._ended is None:
                self._send(("stop",), ("stop", None))
                self._ended = "the checks were stopped"
            self._transport.close()

    def close(self) -> None:
        """After the run: a channel never opened lets go of its socket (so the checking process
        sees the end)."""
        if self._transport is None:
            self._sock.close()

    def settle(self) -> None:
        """`caught_up`, from another thread than the serving loop's."""
        loop = self._loop
        if loop is None or loop.is_closed() or not loop.is_running():
            return
        asyncio.run_coroutine_threadsafe(self.caught_up(), loop).result()

    @property
    def backlog(self) -> int:
        return self._unchecked


class _Answers(asyncio.Protocol):
    """The channel's side of the socket: frames (a 4-byte length, then a pickle) in order."""

    def __init__(self, channel: CheckChannel) -> None:
        self.channel = channel
        self.buffer = bytearray()

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        while len(buffer) >= 4:
            (size,) = struct.unpack_from("!i", buffer)
            if len(buffer) < 4 + size:
                break
            answer = pickle.loads(memoryview(buffer)[4 : 4 + size])
            del buffer[: 4 + size]
            self.channel._answered(answer)

    def connection_lost(self, exc: Exception | None) -> None:
        self.channel._lost(exc)


class CheckProcess:
    """The checks (`checking.Checker`, and its memory across exchanges) in a child process:
    `check(exchange)` returns the violations found, `counters()` what the checker counted."""

    def __init__(self, document: Any, notes: Mapping[int, str], base_path: str | None) -> None:
        # Forked from a single-threaded server process with the checks imported (never a fork
        # of this threaded process): the first start pays for the imports, later ones do not.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["spaces_toolkit.proxy.checking"])
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_serve,
            args=(child, document, dict(notes), base_path),
            name="spaces-proxy-checks",
            daemon=True,
        )
        with _signals_ignored():  # from its first instruction: ignored dispositions survive exec
            self._process.start()
        child.close()
        self._lock = threading.Lock()
        self._ended: str | None = None

    def _ask(self, request: tuple[Any, ...]) -> Any:
        with self._lock:
            if self._ended is not None:
                raise CheckError(self._ended)
            try:
                self._conn.send(request)
                kind, value = self._conn.recv()
            except (EOFError, OSError) as exc:
                code = self._process.exitcode
                self._ended = f"the checking process ended (exit {code}): {exc or 'EOF'}"
                raise CheckError(self._ended) from None
        if kind == "error":
            raise CheckError(value)
        return value

    def socket(self) -> socket.socket:
        """The pipe to the checking process as a socket, for a `CheckChannel` (then `check` and
        `counters` are no longer available here)."""
        with self._lock:
            self._ended = "the checks are sent through a channel"
            sock = socket.socket(fileno=os.dup(self._conn.fileno()))
            self._conn.close()
            return sock

    def check(self, exchanges: list[Exchange]) -> list[tuple[str, Any]]:
        """("ok", violations) or ("error", why) for each exchange, in order."""
        return self._ask(("check", [_wire(e) for e in exchanges]))

    def counters(self) -> dict[str, Any]:
        return self._ask(("counters",))

    def close(self) -> None:
        with self._lock:
            if self._ended is None:
                try:
                    self._conn.send(("stop",))
                except OSError:
                    pass
                self._ended = "the checks were stopped"
            if not self._conn.closed:
                self._conn.close()
        self._process.join(timeout=30)
        if self._process.is_alive():
            self._process.kill()


@contextlib.contextmanager
def _signals_ignored() -> Iterator[None]:
    """Ctrl-C, or a TERM to the process group, stops the proxy, which then has the checking
    process finish what is queued and close the pipe (the end of the pipe ends that process):
    so the checking process ignores both, from its start."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers; _serve sets them in the child then
        return
    saved = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def _serve(conn: Connection, document: Any, notes: dict[int, str], base_path: str | None) -> None:
    """The checking process: answers each request of its pipe until "stop" or EOF."""
    from spaces_toolkit.proxy.checking import Checker
    from spaces_toolkit.spec.api import Spec

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # see _signals_ignored
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    checker = Checker(Spec(document, notes=notes), base_path)
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if request[0] == "stop":
            return
        if request[0] == "check":
            exchanges = [Exchange(*fields) for fields in request[1]]
            answer: tuple[str, Any] = ("ok", [_checked(checker, e) for e in exchanges])
        else:
            answer = ("ok", checker.counters())
        try:
            conn.send(answer)
        except (OSError, KeyboardInterrupt):
            return


def _wire(e: Exchange) -> tuple[Any, ...]:
    """An exchange as the checking process is sent it: its fields in order, as plain values (a
    tuple pickles several times faster than the dataclass). `Exchange(*fields)` again there."""
    return (
        e.number,
        e.started,
        e.method,
        e.target,
        e.request_headers,
        e.request_body,
        e.status,
        e.response_headers,
        e.response_body,
        e.seconds,
        e.http_version,
        e.truncated,
        e.upstream,
    )


def _checked(checker: Any, exchange: Exchange) -> tuple[str, Any]:
    try:
        return "ok", checker.check(exchange)
    except Exception as exc:  # noqa: BLE001 - reported for the exchange, the checks go on
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return "error", f"{type(exc).__name__}: {exc} ({where.filename}:{where.lineno})"
