"""Name lookups that one account cannot use to slow down another.

`getaddrinfo` cannot be cancelled: a caller that stops waiting (its deadline passed) leaves the
lookup running on its thread until the system resolver gives up, which with slow nameservers
takes longer than any deadline here. Run on a shared pool, a few hostile names hold every thread
of it and everyone's lookups (and whatever else used the pool) queue behind them.

So each lookup runs on a thread of its own, and a lookup holds a slot of its key (an account)
until it returns, whether or not anyone still waits for it: one key holds at most `per_key`
lookups, all keys together at most `total`. A caller waits for a slot and for the answer within
its own deadline (`asyncio.timeout` around `lookup`); waiting takes no thread. A key whose names
hang therefore delays only its own lookups, and each of its callers at most its own deadline.
"""

from __future__ import annotations

import asyncio
import collections
import ipaddress
import socket
import threading
from collections.abc import Hashable

__all__ = ["Address", "Resolver", "system_lookup"]

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

_SLOT_POLL = 0.02  # seconds between looks for a free slot


def system_lookup(host: str, port: int) -> list[Address]:
    """The addresses `host` resolves to (the system resolver; tests replace getaddrinfo)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: dict[Address, None] = {}
    for info in infos:
        seen[ipaddress.ip_address(str(info[4][0]).split("%")[0])] = None
    return list(seen)


class Resolver:
    def __init__(self, *, per_key: int, total: int) -> None:
        self.per_key = max(1, per_key)
        self.total = max(self.per_key, total)
        self._lock = threading.Lock()
        self._busy: collections.Counter[Hashable] = collections.Counter()

    def in_flight(self, key: Hashable | None = None) -> int:
        """Lookups running now (of `key`, or in all), abandoned ones included."""
        with self._lock:
            return sum(self._busy.values()) if key is None else self._busy[key]

    def _take(self, key: Hashable) -> bool:
        with self._lock:
            if self._busy[key] >= self.per_key or sum(self._busy.values()) >= self.total:
                return False
            self._busy[key] += 1
            return True

    def _give(self, key: Hashable) -> None:
        with self._lock:
            self._busy[key] -= 1
            if self._busy[key] <= 0:
                del self._busy[key]

    async def lookup(self, key: Hashable, host: str, port: int) -> list[Address]:
        """`host`'s addresses; OSError/UnicodeError as getaddrinfo raises them. Unbounded in
        time by itself: callers wrap it in their deadline (cancelling never blocks)."""
        while not self._take(key):
            await asyncio.sleep(_SLOT_POLL)
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[list[Address]] = loop.create_future()

        def settle(result: list[Address] | None, error: BaseException | None) -> None:
            if answer.done():  # the caller stopped waiting
                return
            if error is not None:
                answer.set_exception(error)
            else:
                answer.set_result(result or [])

        def run() -> None:
            result: list[Address] | None = None
            error: BaseException | None = None
            try:
                result = system_lookup(host, port)
            except Exception as exc:  # handed to the caller
                error = exc
            finally:
                self._give(key)
            try:
                loop.call_soon_threadsafe(settle, result, error)
            except RuntimeError:  # the caller's loop has closed
                pass

        try:
            threading.Thread(target=run, name="spaces-resolve", daemon=True).start()
        except BaseException:
            self._give(key)
            raise
        return await answer
