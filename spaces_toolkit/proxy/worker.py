"""Checking off the forwarding path. The forwarder hands each exchange, once its answer is out,
to a bounded queue (`CheckWorker`); one thread empties it, sending each exchange to the checks
in a process of their own (`CheckProcess`), and hands what they find to the session.

So a check never delays an answer, nor holds the interpreter lock the forwarding needs, and no
exchange escapes the verdict: when the checks fall `CAPACITY` exchanges behind, handing one
over waits for room (the connection's next request waits; nothing is dropped), and every wait
is counted (`waits`) for the summary. A check that raises, or a checking process that dies,
leaves its exchanges reported as not checked (the run's exit status says so). At the end
`stop()` lets the checks finish what is queued before the summary is written.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import queue
import signal
import threading
import traceback
from collections.abc import Callable, Iterator, Mapping
from multiprocessing.connection import Connection
from typing import Any

from spaces_toolkit.proxy.exchange import Exchange

__all__ = ["CAPACITY", "CheckError", "CheckProcess", "CheckWorker"]

CAPACITY = 10_000  # exchanges queued for checking before the forwarder waits for room
BATCH = 256  # exchanges sent to the checking process at once, at most (those already queued)
NICENESS = 5  # the checking process yields the CPU to the forwarding when both want it
_STOP = object()
_SETTLE = object()


class CheckError(Exception):
    """An exchange could not be checked (a check raised, or the checking process ended)."""


class CheckWorker:
    """The bounded queue between the forwarding (an event loop) and the checks (a thread)."""

    def __init__(
        self,
        check: Callable[[list[Exchange]], object],
        crashed: Callable[[Exchange, BaseException], None],
        capacity: int = CAPACITY,
        *,
        settled: Callable[[], None] | None = None,
        stopped: Callable[[], None] | None = None,
    ) -> None:
        self._check = check  # checks a batch of exchanges, in order
        self._crashed = crashed  # a check raised: the session reports the exchange unchecked
        self._settled = settled  # run by the thread when it has caught up (settle, stop)
        self._stopped = stopped  # run once the thread has ended (stop)
        self._queue: queue.Queue[object] = queue.Queue(capacity)
        self.waits = 0  # times the forwarder waited for room in the queue
        self._thread = threading.Thread(target=self._run, name="spaces-proxy-checks", daemon=True)
        self._thread.start()

    async def put(self, exchange: Exchange) -> None:
        """Queue an exchange (from the event loop); waits in an executor thread when full."""
        try:
            self._queue.put_nowait(exchange)
        except queue.Full:
            self.waits += 1
            await asyncio.get_running_loop().run_in_executor(None, self._queue.put, exchange)

    def _run(self) -> None:
        while True:
            items = [self._queue.get()]  # then what else is queued already, in order
            while len(items) < BATCH:
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            batch: list[Exchange] = []
            try:
                for item in items:
                    if isinstance(item, Exchange):
                        batch.append(item)
                        continue
                    self._flush(batch)
                    if self._settled is not None:
                        self._settled()
                    if item is _STOP:
                        return
                self._flush(batch)
            finally:
                for _ in items:
                    self._queue.task_done()

    def _flush(self, batch: list[Exchange]) -> None:
        if not batch:
            return
        try:
            self._check(list(batch))
        except Exception as exc:  # noqa: BLE001 - a checking bug must not stop the checks
            for exchange in batch:
                self._crashed(exchange, exc)
        batch.clear()

    @property
    def backlog(self) -> int:
        return self._queue.qsize()

    def settle(self) -> None:
        """Wait until every exchange queued so far is checked."""
        if self._thread.is_alive():
            self._queue.put(_SETTLE)
            self._queue.join()

    def stop(self) -> None:
        """Check what is queued, then end the thread."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join()
        if self._stopped is not None:
            self._stopped()
            self._stopped = None


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
