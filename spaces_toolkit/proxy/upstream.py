"""The proxy's upstream connections: HTTP/1.1 over asyncio streams of its own, parsed with
httptools (llhttp), kept alive in a pool.

Why not an HTTP client library: on the forwarding path every microsecond is the client's, and a
general client pays for what the proxy does not need (an async-library probe, cancellation
shields, a pool that scans every connection on each request, a header model). Here a request
is one `write` (head and a body that came whole), an answer is the parser's events as they
arrive, and a connection is reused as long as the upstream keeps it alive.

What the parser does not know is handled here: an answer to HEAD has no body whatever its
`Content-Length` says; informational (1xx) answers are skipped; an answer with neither
`Content-Length` nor `Transfer-Encoding` ends when the upstream closes the connection.
"""

from __future__ import annotations

import asyncio
import collections
import socket
import ssl
import time
from typing import Any

import httptools

__all__ = ["UpstreamError", "UpstreamPool", "UpstreamConnection"]

BUFFERED = 1024 * 1024  # bytes of an answer read ahead of the client before reading pauses
WRITE_BUFFER = 256 * 1024  # bytes of a request body queued before its sender waits


class UpstreamError(Exception):
    """The upstream could not be reached, or broke off (`answered`: after the answer began)."""

    def __init__(self, message: str, *, answered: bool = False, closed: bool = False) -> None:
        super().__init__(message)
        self.answered = answered
        self.closed = closed  # the upstream closed the connection before a byte of the answer


class UpstreamConnection(asyncio.Protocol):
    """One connection to the upstream, one exchange at a time. `read()` gives the current
    answer's events: ("head", status, headers), then ("body", bytes)..., then ("end",)."""

    def __init__(self, timeout: float = 120.0) -> None:
        self.timeout = timeout  # seconds without a byte of the answer before giving up
        # read once: asyncio.get_running_loop() makes a getpid() system call (CPython 3.11)
        self._loop = asyncio.get_running_loop()
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.idle_since = 0.0
        self._events: collections.deque[tuple[Any, ...]] = collections.deque()
        self._buffered = 0
        self._paused = False
        self._waiter: asyncio.Future[None] | None = None
        self._drained: asyncio.Future[None] | None = None
        self._error: UpstreamError | None = None
        self._parser: Any = None
        self._headers: list[tuple[bytes, bytes]] = []
        self._head = False  # the request was HEAD: its answer has no body
        self._informational = False
        self._answered = False  # the current answer's head arrived
        self._until_close = False  # the answer's body ends when the connection does
        self._done = True  # the current exchange's answer is complete
        self.keep_alive = True

    # ------------------------------------------------------------------ the exchange

    def begin(self, head_request: bool) -> None:
        """Prepare for the answer to a request about to be written."""
        self._events.clear()
        self._buffered = 0
        self._error = None
        self._head = head_request
        self._answered = False
        self._until_close = False
        self._done = False
        self.keep_alive = True
        self._parser = httptools.HttpResponseParser(self)

    def write(self, data: bytes) -> None:
        if self.transport is None or self.closed:
            raise UpstreamError("the connection to the upstream is closed", closed=True)
        self.transport.write(data)

    async def drain(self) -> None:
        """Wait while the request's bytes are queued beyond WRITE_BUFFER."""
        transport = self.transport
        if transport is None or transport.get_write_buffer_size() <= WRITE_BUFFER:
            return
        if self._drained is None or self._drained.done():
            self._drained = self._loop.create_future()
        await self._drained

    @property
    def answered(self) -> bool:
        return self._answered

    @property
    def reusable(self) -> bool:
        return self._done and self.keep_alive and not self.closed and self._error is None

    def ready(self) -> tuple[Any, ...] | None:
        """The next event of the answer if it has arrived, else None (without waiting)."""
        if not self._events:
            return None
        return self._taken(self._events.popleft())

    async def read(self) -> tuple[Any, ...]:
        while not self._events:
            if self._error is not None:
                raise self._error
            loop = self._loop
            self._waiter = loop.create_future()
            timer = loop.call_later(self.timeout, self._timed_out)
            try:
                await self._waiter
            finally:
                timer.cancel()
                self._waiter = None
        return self._taken(self._events.popleft())

    def _taken(self, event: tuple[Any, ...]) -> tuple[Any, ...]:
        if event[0] == "body":
            self._buffered -= len(event[1])
            if self._paused and self._buffered < BUFFERED // 2 and self.transport is not None:
                self._paused = False
                self.transport.resume_reading()
        return event

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    # ------------------------------------------------------------------ asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's is not a subclass
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        if self._parser is None or self._done:
            self._fail("the upstream sent bytes no request asked for")
            self.close()
            return
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail("the upstream switched protocols (not supported)")
            self.close()
        except httptools.HttpParserError as exc:
            self._fail(f"the upstream's answer is not HTTP/1.1: {exc}")
            self.close()

    def eof_received(self) -> bool | None:
        return None  # close the transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if not self._done:
            if self._until_close and self._answered:
                self._push(("end",))
                self._done = True
                self.keep_alive = False
            else:
                why = f": {exc}" if exc else ""
                self._fail(f"the upstream closed the connection{why}", closed=not self._answered)
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)

    def pause_writing(self) -> None:
        pass  # drain() reads the buffer size itself

    def resume_writing(self) -> None:
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)

    # ------------------------------------------------------------------ parser callbacks

    def on_message_begin(self) -> None:
        self._headers = []
        self._informational = False

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name, value))

    def on_headers_complete(self) -> None:
        status = self._parser.get_status_code()
        if 100 <= status < 200:
            self._informational = True  # 100 Continue, 103 Early Hints: not the answer
            return
        self._answered = True
        self.keep_alive = bool(self._parser.should_keep_alive())
        framed = any(
            k.lower() in (b"content-length", b"transfer-encoding") for k, _ in self._headers
        )
        self._until_close = not framed and status not in (204, 304) and not self._head
        self._push(("head", status, self._headers))
        if self._head:
            self._push(("end",))
            self._done = True
            self._parser = None  # the parser would wait for the body `Content-Length` announces

    def on_body(self, body: bytes) -> None:
        if self._done:
            return
        self._buffered += len(body)
        self._push(("body", bytes(body)))
        if self._buffered > BUFFERED and not self._paused and self.transport is not None:
            self._paused = True
            self.transport.pause_reading()

    def on_message_complete(self) -> None:
        if self._informational:
            self._informational = False
            return
        if not self._done:
            self._done = True
            self._push(("end",))

    # ------------------------------------------------------------------ internals

    def _push(self, event: tuple[Any, ...]) -> None:
        self._events.append(event)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def _timed_out(self) -> None:
        self._fail(f"no answer within {self.timeout:g} s")
        self.close()

    def _fail(self, message: str, *, closed: bool = False) -> None:
        if self._error is None:
            self._error = UpstreamError(message, answered=self._answered, closed=closed)
        self.keep_alive = False
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)


class UpstreamPool:
    """Keep-alive connections to one origin, the most recently used first."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        tls: bool,
        server_hostname: str,
        timeout: float,
        max_idle: int,
        keepalive: float,
    ) -> None:
        self.host = host
        self.port = port
        self.tls = ssl.create_default_context() if tls else None
        self.server_hostname = server_hostname
        self.timeout = timeout
        self.max_idle = max_idle
        self.keepalive = keepalive
        self._idle: list[UpstreamConnection] = []

    async def acquire(self) -> tuple[UpstreamConnection, bool]:
        """A connection ready for a request, and whether it served one before."""
        now = time.monotonic()
        while self._idle:
            conn = self._idle.pop()
            if not conn.closed and now - conn.idle_since < self.keepalive:
                return conn, True
            conn.close()
        return await self.connect(), False

    async def connect(self) -> UpstreamConnection:
        loop = asyncio.get_running_loop()
        try:
            _, conn = await asyncio.wait_for(
                loop.create_connection(
                    lambda: UpstreamConnection(self.timeout),
                    self.host,
                    self.port,
                    ssl=self.tls,
                    server_hostname=self.server_hostname if self.tls else None,
                ),
                self.timeout,
            )
        except (TimeoutError, OSError, ssl.SSLError) as exc:
            raise UpstreamError(f"cannot connect: {type(exc).__name__}: {exc}") from exc
        return conn

    def release(self, conn: UpstreamConnection) -> None:
        if conn.reusable and len(self._idle) < self.max_idle:
            conn.idle_since = time.monotonic()
            self._idle.append(conn)
        else:
            conn.close()

    def close(self) -> None:
        while self._idle:
            self._idle.pop().close()
