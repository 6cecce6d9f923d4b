"""Checking off the forwarding path: the forwarder hands each exchange, once its answer is out,
to a bounded queue that one thread empties through the session's checks.

So a check never delays an answer, and no exchange escapes the verdict: when the checks fall
`CAPACITY` exchanges behind, handing one over waits for room (the connection's next request
waits, never a dropped exchange), and every wait is counted (`waits`) for the summary. At the
end `stop()` lets the thread check what is still queued before the summary is written.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable

from spaces_toolkit.proxy.exchange import Exchange

__all__ = ["CAPACITY", "CheckWorker"]

CAPACITY = 10_000  # exchanges queued for checking before the forwarder waits for room
_STOP = object()


class CheckWorker:
    def __init__(
        self,
        check: Callable[[Exchange], object],
        crashed: Callable[[Exchange, BaseException], None],
        capacity: int = CAPACITY,
    ) -> None:
        self._check = check
        self._crashed = crashed  # a check raised: the session reports the exchange unchecked
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
            item = self._queue.get()
            if item is _STOP:
                self._queue.task_done()
                return
            assert isinstance(item, Exchange)
            try:
                self._check(item)
            except Exception as exc:  # noqa: BLE001 - a checking bug must not stop the checks
                self._crashed(item, exc)
            finally:
                self._queue.task_done()

    @property
    def backlog(self) -> int:
        return self._queue.qsize()

    def settle(self) -> None:
        """Wait until every exchange queued so far is checked."""
        self._queue.join()

    def stop(self) -> None:
        """Check what is queued, then end the thread."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join()
