"""The proxy's client-facing side: HTTP/1.1 on asyncio protocols of its own, requests parsed with
httptools (llhttp), each handed to the `Forwarder` as it is parsed.

Why not an ASGI server: every request a client sends through the proxy would otherwise be
taken apart into an ASGI scope and messages, and its answer put back together from them, on
the forwarding path. Here a request's head and body go to the forwarder as the parser gives
them, and an answer is written to the client as the upstream sends it, in as few writes as it
arrived in.

A connection serves its requests in order, one at a time: pipelined requests wait their turn
(parsed, their bodies buffered up to `PIPELINE_BYTES`, then reading pauses). A malformed
request is answered 400 with a JSON message and the connection closed once the requests
before it are answered; a head larger than `MAX_HEAD` is a 431. An idle keep-alive connection
is closed after `KEEP_ALIVE` seconds. `stop()` stops listening, closes idle connections and
lets the others finish the request they are serving.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import socket
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httptools

if TYPE_CHECKING:
    from spaces_toolkit.proxy.forward import Forwarder

__all__ = ["ClientConnection", "FrontEnd", "Request", "error_answer"]

KEEP_ALIVE = 30.0  # seconds an idle client connection is kept open
MAX_HEAD = 64 * 1024  # bytes of a request's line and headers
PIPELINE_BYTES = 1024 * 1024  # bytes of request bodies buffered ahead before reading pauses
PIPELINE_REQUESTS = 32  # requests parsed ahead of the one being served before reading pauses
STOP_GRACE = 60.0  # seconds a stop waits for requests being served


def error_answer(status: int, reason: str, message: str, *, field: str, close: bool) -> bytes:
    """A whole answer of the proxy's own: {field: message} as JSON (`field`: the spec's error
    body field, the forwarder's `error_field`)."""
    body = json.dumps({field: f"spaces proxy: {message}"}).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\n" + ("connection: close\r\n" if close else "") + "\r\n"
    )
    return head.encode("latin-1") + body


class _ClientGone(Exception):
    """The client went away before its request was all received (or, with `answer`, the rest
    of it could not be parsed: that answer is the client's, then the connection closes)."""

    def __init__(self, answer: bytes = b"") -> None:
        super().__init__()
        self.answer = answer


class Request:
    """One request as parsed: its head, and its body as it arrives (`body()`)."""

    __slots__ = (
        "method",
        "target",
        "headers",
        "http_version",
        "keep_alive",
        "expect_continue",
        "complete",
        "chunks",
        "buffered",
        "bad",
        "_connection",
    )

    def __init__(self, connection: ClientConnection) -> None:
        self.method = ""
        self.target = b""
        self.headers: list[tuple[bytes, bytes]] = []
        self.http_version = "1.1"
        self.keep_alive = True
        self.expect_continue = False
        self.complete = False  # the whole body has arrived
        self.chunks: collections.deque[bytes] = collections.deque()
        self.buffered = 0
        self.bad: tuple[int, str, str] | None = None  # (status, reason, message): refuse it
        self._connection = connection

    def take(self) -> bytes:
        """The body received so far and not yet taken."""
        if not self.chunks:
            return b""
        data = self.chunks[0] if len(self.chunks) == 1 else b"".join(self.chunks)
        self.chunks.clear()
        self._connection._consumed(self.buffered)
        self.buffered = 0
        return data

    async def more(self) -> bytes:
        """The next part of the body, waiting for it (b"" once the body is complete)."""
        while not self.chunks and not self.complete:
            await self._connection._wait()
        return self.take()


class ClientConnection(asyncio.Protocol):
    """One client connection: parses its requests and has the forwarder answer them in order."""

    def __init__(self, front: FrontEnd) -> None:
        self.front = front
        # the serving loop, read once: asyncio.get_running_loop() makes a getpid() system call
        # on every call (CPython 3.11), twice a request on the forwarding path
        self._loop = asyncio.get_running_loop()
        self.transport: asyncio.Transport | None = None
        self.peer: Any = None
        self.gone = False
        self.idle_since = time.monotonic()
        self._parser = httptools.HttpRequestParser(self)
        self._parsing: Request | None = None  # the request whose bytes are arriving
        self._head_size = 0
        self._header_name = b""
        self._queue: collections.deque[Request] = collections.deque()
        self._serving: asyncio.Task[None] | None = None
        self._buffered = 0
        self._paused = False
        self._no_more = False  # nothing after the queued requests is read (close, error)
        self._closing = False  # close once the queued requests are answered
        self._waiter: asyncio.Future[None] | None = None
        self._failed: _ClientGone | None = None  # why the request arriving will not be whole
        self._writable: asyncio.Future[None] | None = None
        self._write_paused = False

    # ------------------------------------------------------------------ writing

    def write(self, data: bytes) -> None:
        if not self.gone and self.transport is not None:
            self.transport.write(data)

    async def drain(self) -> None:
        """Wait while the client is slower than the upstream (its write buffer is full)."""
        if self._write_paused and not self.gone:
            self._writable = self._loop.create_future()
            await self._writable

    # ------------------------------------------------------------------ asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's is not a subclass
        self.peer = transport.get_extra_info("peername")
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.front.connections.add(self)

    def data_received(self, data: bytes) -> None:
        if self._no_more:
            return
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            # An upgrade is not forwarded (Upgrade is hop-by-hop): the request is answered as a
            # plain one, then the connection closes, since what follows is not HTTP/1.1.
            self._no_more = True
            self._closing = True
        except httptools.HttpParserError as exc:  # a callback's exception comes wrapped in one
            if isinstance(exc.__context__, _TooLarge):
                self._refuse(431, "Request Header Fields Too Large", "request head too large")
            else:
                self._refuse(400, "Bad Request", f"malformed request: {_reason(exc)}")

    def eof_received(self) -> bool | None:
        self._no_more = True
        self._closing = True
        if self._parsing is not None:  # the request's end never comes
            self._fail(_ClientGone())
        if not self._queue and self._serving is None:
            return None  # idle: close
        return True  # keep the transport open to answer what was asked

    def connection_lost(self, exc: Exception | None) -> None:
        self.gone = True
        self._no_more = True
        self.front.connections.discard(self)
        self._fail(_ClientGone())
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)

    def pause_writing(self) -> None:
        self._write_paused = True

    def resume_writing(self) -> None:
        self._write_paused = False
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)

    # ------------------------------------------------------------------ parser callbacks

    def on_message_begin(self) -> None:
        self._parsing = Request(self)
        self._head_size = 0

    def on_url(self, url: bytes) -> None:
        assert self._parsing is not None
        self._grow(len(url))
        self._parsing.target += url

    def on_header(self, name: bytes, value: bytes) -> None:
        assert self._parsing is not None
        self._grow(len(name) + len(value) + 4)
        self._parsing.headers.append((name, value))
        if len(name) == 6 and name.lower() == b"expect" and value.lower() == b"100-continue":
            self._parsing.expect_continue = True

    def on_headers_complete(self) -> None:
        request = self._parsing
        assert request is not None
        parser = self._parser
        request.method = parser.get_method().decode("ascii")
        request.http_version = parser.get_http_version()
        request.keep_alive = bool(parser.should_keep_alive())
        if request.target[:1] not in (b"/", b"*"):  # absolute form: forwarded as origin form
            try:
                parts = httptools.parse_url(request.target)
            except httptools.HttpParserInvalidURLError:
                request.bad = (400, "Bad Request", "malformed request target")
            else:
                query = parts.query
                request.target = (parts.path or b"/") + (b"?" + query if query else b"")
        self._queue.append(request)
        if self._serving is None:
            self._serving = self._loop.create_task(self._serve())
        if len(self._queue) > PIPELINE_REQUESTS:
            self._pause()

    def on_body(self, body: bytes) -> None:
        request = self._parsing
        assert request is not None
        request.chunks.append(bytes(body))
        request.buffered += len(body)
        self._buffered += len(body)
        if self._buffered > PIPELINE_BYTES:
            self._pause()
        self._wake()

    def on_message_complete(self) -> None:
        request = self._parsing
        assert request is not None
        request.complete = True
        self._parsing = None
        if not request.keep_alive:
            self._no_more = True  # what follows a request that closes is not read
            self._closing = True
        self._wake()

    # ------------------------------------------------------------------ serving

    async def _serve(self) -> None:
        forwarder = self.front.forwarder
        try:
            while self._queue and not self.gone:
                request = self._queue[0]
                if request.bad is not None:
                    status, reason, message = request.bad
                    self.write(self._error(status, reason, message))
                    self._close()
                    return
                if request.expect_continue and not request.complete:
                    self.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                try:
                    closes = await forwarder.forward(request, self)
                except _ClientGone as exc:
                    self.write(exc.answer)
                    self._close()
                    return
                except Exception as exc:  # noqa: BLE001 - the proxy's own fault, said, not a hang
                    why = f"{type(exc).__name__}: {exc}"
                    self.front.on_fault(request.method, request.target.decode("latin-1"), why)
                    self.write(self._error(502, "Bad Gateway", f"internal error: {why}"))
                    self._close()
                    return
                self._queue.popleft()
                if len(self._queue) <= PIPELINE_REQUESTS // 2:
                    self._resume()
                if closes or not request.keep_alive:
                    self._close()
                    return
            if self._closing or self.front.stopping:
                self._close()
        finally:
            self._serving = None
            self.idle_since = time.monotonic()

    def stop(self) -> None:
        """Stop: close now when idle, else after the request being served."""
        self._closing = True
        self._no_more = True
        if self._serving is None:
            self._close()

    # ------------------------------------------------------------------ internals

    def _error(self, status: int, reason: str, message: str) -> bytes:
        """An answer of the proxy's own, after which the connection closes."""
        field = self.front.forwarder.error_field
        return error_answer(status, reason, message, field=field, close=True)

    def _grow(self, size: int) -> None:
        self._head_size += size
        if self._head_size > MAX_HEAD:
            raise _TooLarge

    def _refuse(self, status: int, reason: str, message: str) -> None:
        """A request that cannot be parsed: answered once those before it are."""
        self._no_more = True
        parsing, self._parsing = self._parsing, None
        if parsing is not None and parsing in self._queue:
            # its head was read (it may be forwarded already) and its body is broken
            self._fail(_ClientGone(self._error(status, reason, message)))
            return
        request = Request(self)
        request.bad = (status, reason, message)
        request.complete = True
        self._queue.append(request)
        if self._serving is None:
            self._serving = self._loop.create_task(self._serve())

    async def _wait(self) -> None:
        if self._failed is not None:
            raise self._failed
        if self._paused:
            self._resume()  # the body being served is waited for: read on
        self._waiter = self._loop.create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None
        if self._failed is not None:
            raise self._failed

    def _fail(self, exc: _ClientGone) -> None:
        """The request still arriving will never be whole."""
        if self._failed is None:
            self._failed = exc
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _consumed(self, size: int) -> None:
        self._buffered -= size
        if self._buffered <= PIPELINE_BYTES // 2 and len(self._queue) <= PIPELINE_REQUESTS:
            self._resume()

    def _pause(self) -> None:
        if not self._paused and self.transport is not None and not self.gone:
            self._paused = True
            self.transport.pause_reading()

    def _resume(self) -> None:
        if self._paused and self.transport is not None and not self.gone:
            self._paused = False
            self.transport.resume_reading()

    def _close(self) -> None:
        self._no_more = True
        if self.transport is not None and not self.gone:
            self.transport.close()


class _TooLarge(Exception):
    pass


def _print_fault(method: str, target: str, why: str) -> None:
    print(f"spaces proxy: {method} {target}: internal error: {why}", file=sys.stderr, flush=True)


def _reason(exc: Exception) -> str:
    text = str(exc).strip()
    return text or type(exc).__name__


class FrontEnd:
    """The listening side: accepts client connections and keeps track of them."""

    def __init__(
        self, forwarder: Forwarder, on_fault: Callable[[str, str, str], None] | None = None
    ) -> None:
        self.forwarder = forwarder
        # (method, target, why): forwarding a request failed in the proxy itself (a bug)
        self.on_fault = on_fault or _print_fault
        self.connections: set[ClientConnection] = set()
        self.stopping = False
        self._server: asyncio.AbstractServer | None = None
        self._sweeper: asyncio.TimerHandle | None = None

    async def start(
        self, host: str | None = None, port: int | None = None, sock: socket.socket | None = None
    ) -> None:
        loop = asyncio.get_running_loop()
        if sock is not None:
            self._server = await loop.create_server(lambda: ClientConnection(self), sock=sock)
        else:
            self._server = await loop.create_server(
                lambda: ClientConnection(self), host, port or 0, reuse_address=True
            )
        self._sweeper = loop.call_later(KEEP_ALIVE / 6, self._sweep)

    def _sweep(self) -> None:
        """Close the client connections idle for longer than KEEP_ALIVE."""
        now = time.monotonic()
        for conn in list(self.connections):
            if conn._serving is None and not conn._queue and now - conn.idle_since > KEEP_ALIVE:
                conn._close()
        self._sweeper = asyncio.get_running_loop().call_later(KEEP_ALIVE / 6, self._sweep)

    async def stop(self) -> None:
        """Stop listening; let the requests being served finish; close every connection."""
        self.stopping = True
        if self._sweeper is not None:
            self._sweeper.cancel()
        if self._server is not None:
            self._server.close()
        for conn in list(self.connections):
            conn.stop()
        deadline = time.monotonic() + STOP_GRACE
        while self.connections and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        for conn in list(self.connections):
            if conn.transport is not None:
                conn.transport.abort()
        await self.forwarder.close()
