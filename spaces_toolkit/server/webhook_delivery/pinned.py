"""The delivery transport: POST to the addresses the target check approved, and nowhere else.

A general HTTP client resolves the URL's host again when it connects, so a name could answer a
public address to the check and 127.0.0.1 to the connection (DNS rebinding). Here the
connection goes to the checked addresses only (tried in order), while the request still speaks
to the name: the Host header and TLS SNI/certificate check use the URL's host. Redirects are
never followed (this client has no notion of them), every phase has a timeout, at most
`max_response_bytes` of the receiver's answer are read, and its head (status line and headers)
is bounded too.

It is a small HTTP/1.1 client on asyncio streams, so that a caller's total deadline
(`asyncio.timeout`) cancels the exchange wherever it is, a receiver trickling its answer
included, and so that one worker process can keep many deliveries in flight cheaply.

Keep-alive (`ConnectionPool`): a connection is kept per (scheme, host, port, address) after a
complete answer that allows it, and reused only for a target whose check approved that very
address again (the pin is re-checked on every reuse: a name that now resolves elsewhere never
gets a connection opened for its old address), only while it is fresh (`IDLE_SECONDS`) and
still open. A request is written once: if a reused connection turns out closed, that is the
attempt's error (the receiver may have read it), never a silent second send.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import re
import ssl
import threading
import time
import typing
import urllib.parse

from .targets import ResolvedTarget

__all__ = [
    "Reply",
    "DeliveryError",
    "NotSent",
    "ConnectionPool",
    "post_pinned",
    "MAX_RESPONSE_BYTES",
]

MAX_RESPONSE_BYTES = 64 * 1024
MAX_HEAD_BYTES = 64 * 1024  # status line and headers of an answer, together
MAX_HEADERS = 100
IDLE_SECONDS = 2.0  # a kept connection is reused within this long of its last answer
DRAIN_SECONDS = 2.0  # to read the rest of an unread answer body before reusing its connection
MAX_IDLE_PER_KEY = 64
MAX_IDLE = 512  # kept connections in all; stale ones are closed at least every IDLE_SECONDS

_ssl_lock = threading.Lock()
_ssl_context: ssl.SSLContext | None = None


def default_ssl_context() -> ssl.SSLContext:
    """httpx's verifying context, built once (loading the CA bundle costs milliseconds)."""
    global _ssl_context
    with _ssl_lock:
        if _ssl_context is None:
            import httpx

            _ssl_context = httpx.create_ssl_context()
        return _ssl_context


class DeliveryError(Exception):
    """No answer came back (connect, TLS, timeout or protocol failure)."""


class NotSent(DeliveryError):
    """The request was not sent: the caller's `may_send` said no before the write."""


MaySend = typing.Callable[[], bool]


@dataclasses.dataclass(frozen=True)
class Reply:
    status_code: int
    headers: dict[str, str]  # lower-cased names; the last value of a repeated header
    body: bytes  # at most max_response_bytes


def _host_header(target: ResolvedTarget) -> str:
    host = f"[{target.host}]" if ":" in target.host else target.host
    default = 443 if target.scheme == "https" else 80
    return host if target.port == default else f"{host}:{target.port}"


_SAFE = "/%:@!$&'()*+,;=-._~?"


@functools.lru_cache(maxsize=4096)
def _request_target(url: str) -> str:
    """The origin-form of `url` (path and query), anything unsafe percent-encoded."""
    parts = urllib.parse.urlsplit(url)
    path = urllib.parse.quote(parts.path or "/", safe=_SAFE)
    query = urllib.parse.quote(parts.query, safe=_SAFE)
    return f"{path}?{query}" if parts.query else path


_UNSAFE_NAME = re.compile("[\r\n\0:]")
_UNSAFE_VALUE = re.compile("[\r\n\0]")


def _request_head(target: ResolvedTarget, headers: dict[str, str], length: int) -> bytes:
    # One search over all the names and one over all the values (a delivery's head is built
    # per attempt); the culprit is looked for only if either finds something.
    if _UNSAFE_NAME.search("".join(headers)) or _UNSAFE_VALUE.search("".join(headers.values())):
        for name, value in headers.items():
            if _UNSAFE_NAME.search(name) or _UNSAFE_VALUE.search(value):
                raise DeliveryError(f"header {name!r} cannot be sent")
    lines = [f"POST {_request_target(target.url)} HTTP/1.1", f"Host: {_host_header(target)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


@dataclasses.dataclass(eq=False)
class _Connection:
    key: tuple[str, str, int, str]
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    idle_since: float = 0.0

    def fresh(self) -> bool:
        return (
            not self.writer.is_closing()
            and not self.reader.at_eof()
            and time.monotonic() - self.idle_since < IDLE_SECONDS
        )

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.writer.close()


@dataclasses.dataclass
class _Head:
    status: int
    headers: dict[str, str]
    keep_alive: bool
    length: int | None  # Content-Length, if given and valid
    chunked: bool
    bodiless: bool  # 1xx, 204, 304: no body whatever the headers say


async def _read_head(reader: asyncio.StreamReader) -> _Head:
    """Status line and headers (interim 1xx answers skipped); DeliveryError if malformed or
    larger than MAX_HEAD_BYTES."""
    for _ in range(8):  # at most a few interim answers (103 Early Hints, 100 Continue)
        total = 0
        line = await reader.readline()
        total += len(line)
        if not line.endswith(b"\n"):
            raise DeliveryError("ProtocolError: the connection closed before an answer")
        version, _, rest = line.decode("latin-1").strip().partition(" ")
        code = rest[:3]
        if not version.startswith("HTTP/1.") or not (code.isascii() and code.isdigit()):
            raise DeliveryError(f"ProtocolError: not an HTTP/1.x status line: {line[:80]!r}")
        status = int(code)
        headers: dict[str, str] = {}
        connection: list[str] = []
        lengths: set[str] = set()
        count = 0
        while True:
            line = await reader.readline()
            total += len(line)
            if total > MAX_HEAD_BYTES or count > MAX_HEADERS:
                raise DeliveryError("ProtocolError: the answer's headers are too large")
            if not line.endswith(b"\n"):
                raise DeliveryError("ProtocolError: the connection closed within the headers")
            if line in (b"\r\n", b"\n"):
                break
            count += 1
            name, sep, value = line.decode("latin-1").partition(":")
            if not sep or not name or name != name.strip():
                continue  # not a header line (or obsolete folding): ignored
            key, text = name.lower(), value.strip()
            headers[key] = text
            if key == "connection":
                connection += [t.strip().lower() for t in text.split(",")]
            elif key == "content-length":
                lengths.add(text)
        if 100 <= status < 200 and status != 101:
            continue
        length = None
        if len(lengths) == 1 and (text := lengths.pop()).isascii() and text.isdigit():
            length = int(text)
        chunked = headers.get("transfer-encoding", "").lower().endswith("chunked")
        framed = chunked or length is not None
        keep = version == "HTTP/1.1" and "close" not in connection and status != 101
        return _Head(
            status,
            headers,
            keep and (framed or status in (204, 304)) and len(lengths) <= 1,
            None if chunked else length,
            chunked,
            status in (204, 304),
        )
    raise DeliveryError("ProtocolError: too many interim answers")


async def _read_body(reader: asyncio.StreamReader, head: _Head, limit: int) -> tuple[bytes, bool]:
    """Up to `limit` bytes of the body; and whether all of it was read (the connection is then
    positioned at the next answer)."""
    if head.bodiless:
        return b"", True
    if head.chunked:
        received = bytearray()
        while True:
            size_line = await reader.readline()
            if not size_line.endswith(b"\n"):
                raise asyncio.IncompleteReadError(size_line, None)
            size_text = size_line.split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise DeliveryError("ProtocolError: bad chunk size") from None
            if size == 0:
                while (trailer := await reader.readline()) not in (b"\r\n", b"\n"):
                    if not trailer.endswith(b"\n"):
                        raise asyncio.IncompleteReadError(trailer, None)
                return bytes(received[:limit]), True
            if len(received) + size > limit:
                wanted = limit - len(received)
                received += await reader.readexactly(wanted) if wanted > 0 else b""
                return bytes(received), False
            received += await reader.readexactly(size)
            await reader.readline()  # the chunk's CRLF
    if head.length is not None:
        if head.length > limit:
            return await reader.readexactly(limit), False
        return await reader.readexactly(head.length), True
    # Neither framed: the body runs to the connection's end.
    received = bytearray()
    while len(received) < limit:
        chunk = await reader.read(limit - len(received))
        if not chunk:
            break
        received += chunk
    return bytes(received[:limit]), False


class ConnectionPool:
    """Kept-alive delivery connections of one event loop, by (scheme, host, port, address).

    `post` is `post_pinned` over kept connections. Close it with `aclose` on the loop that
    used it."""

    def __init__(self, *, ssl_context: ssl.SSLContext | None = None) -> None:
        self._ssl_context = ssl_context
        self._idle: dict[tuple[str, str, int, str], list[_Connection]] = {}
        self._draining: set[asyncio.Task[None]] = set()
        self._idle_count = 0
        self._pruned = time.monotonic()
        self.opened = 0  # connections opened (for tests and the benchmark)
        self.reused = 0

    def _take(self, target: ResolvedTarget) -> _Connection | None:
        for address in target.addresses:
            idle = self._idle.get((target.scheme, target.host, target.port, str(address)))
            while idle:
                conn = idle.pop()
                self._idle_count -= 1
                if conn.fresh():
                    self.reused += 1
                    return conn
                conn.close()
        return None

    def _keep(self, conn: _Connection) -> None:
        now = conn.idle_since = time.monotonic()
        if now - self._pruned >= IDLE_SECONDS:
            self._prune(now)
        idle = self._idle.setdefault(conn.key, [])
        if len(idle) >= MAX_IDLE_PER_KEY or self._idle_count >= MAX_IDLE:
            conn.close()
            return
        idle.append(conn)
        self._idle_count += 1

    def prune(self) -> None:
        """Close stale kept connections, if that was not done in the last IDLE_SECONDS (the
        worker calls it at every poll, so an idle worker keeps no dead connections)."""
        now = time.monotonic()
        if now - self._pruned >= IDLE_SECONDS:
            self._prune(now)

    @property
    def idle(self) -> int:
        """Connections kept now."""
        return self._idle_count

    def _prune(self, now: float) -> None:
        """Close the kept connections that are no longer fresh (so connections to receivers
        not delivered to again do not stay open)."""
        self._pruned = now
        for key in list(self._idle):
            kept = []
            for conn in self._idle[key]:
                if conn.fresh():
                    kept.append(conn)
                else:
                    conn.close()
            self._idle_count -= len(self._idle[key]) - len(kept)
            if kept:
                self._idle[key] = kept
            else:
                del self._idle[key]

    async def _connect(
        self, target: ResolvedTarget, timeout: float, ssl_context: ssl.SSLContext | None
    ) -> _Connection:
        tls = None
        if target.scheme == "https":
            tls = ssl_context or self._ssl_context or default_ssl_context()
        error: BaseException | None = None
        for address in target.addresses:
            try:
                async with asyncio.timeout(timeout):
                    reader, writer = await asyncio.open_connection(
                        str(address),
                        target.port,
                        ssl=tls,
                        server_hostname=target.host if tls is not None else None,
                        ssl_handshake_timeout=timeout if tls is not None else None,
                        limit=MAX_HEAD_BYTES,
                    )
            except (OSError, TimeoutError) as exc:
                error = exc
                continue
            self.opened += 1
            return _Connection(
                (target.scheme, target.host, target.port, str(address)), reader, writer
            )
        raise DeliveryError(
            f"ConnectError: {type(error).__name__}: {error or 'timed out'}"
            f" (connecting to {', '.join(str(a) for a in target.addresses)})"
        )

    async def post(
        self,
        target: ResolvedTarget,
        body: bytes,
        headers: dict[str, str],
        *,
        timeout: float,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        ssl_context: ssl.SSLContext | None = None,
        may_send: MaySend | None = None,
        keep: bool = True,
    ) -> Reply:
        """POST `body` to `target.url` over a connection to one of `target.addresses` (a kept
        one if there is one for an approved address). See `post_pinned`."""
        request = _request_head(target, headers, len(body)) + body
        keep = keep and ssl_context is None  # kept connections are the default context's
        conn = self._take(target) if keep else None
        if conn is None:
            conn = await self._connect(target, timeout, ssl_context)
        done = False
        try:
            if may_send is not None and not may_send():
                raise NotSent("this delivery may no longer be sent (its lease is lost or ending)")
            conn.writer.write(request)
            async with asyncio.timeout(timeout):  # sending and the answer's head
                if conn.writer.transport.get_write_buffer_size() > 0:  # not all sent at once
                    await conn.writer.drain()
                head = await _read_head(conn.reader)
            if max_response_bytes > 0:
                async with asyncio.timeout(timeout):
                    received, complete = await _read_body(conn.reader, head, max_response_bytes)
                if keep and complete and head.keep_alive:
                    self._keep(conn)
                    done = True
            else:
                received = b""
                if keep and head.keep_alive:
                    if head.bodiless or head.length == 0:
                        self._keep(conn)
                    else:  # read the rest off the caller's deadline, then keep it
                        task = asyncio.create_task(self._drain(conn, head))
                        self._draining.add(task)
                        task.add_done_callback(self._draining.discard)
                    done = True
            return Reply(head.status, head.headers, received)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc or 'no detail'}") from None
        finally:
            if not done:
                conn.close()

    async def _drain(self, conn: _Connection, head: _Head) -> None:
        try:
            async with asyncio.timeout(DRAIN_SECONDS):
                _, complete = await _read_body(conn.reader, head, MAX_RESPONSE_BYTES)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError, DeliveryError):
            complete = False
        if complete:
            self._keep(conn)
        else:
            conn.close()

    async def aclose(self) -> None:
        """Close every kept connection and stop the drains."""
        for task in list(self._draining):
            task.cancel()
        if self._draining:
            await asyncio.gather(*self._draining, return_exceptions=True)
        idle, self._idle, self._idle_count = self._idle, {}, 0
        for conns in idle.values():
            for conn in conns:
                conn.close()


async def post_pinned(
    target: ResolvedTarget,
    body: bytes,
    headers: dict[str, str],
    *,
    timeout: float,
    max_response_bytes: int = MAX_RESPONSE_BYTES,
    ssl_context: ssl.SSLContext | None = None,
    may_send: MaySend | None = None,
    pool: ConnectionPool | None = None,
) -> Reply:
    """POST `body` to `target.url` over a connection to one of `target.addresses`.

    `timeout` bounds each phase (connect, sending and the answer's head, its body); a total
    deadline is the caller's (`asyncio.timeout`). `max_response_bytes=0` reads no body: status
    and headers only. `may_send` is asked just before the request is written (after connect
    and TLS handshake): if it says no, NotSent is raised and nothing goes out. With `pool`,
    connections are kept and reused (see ConnectionPool); without, the connection is closed.
    """
    if pool is not None:
        return await pool.post(
            target,
            body,
            headers,
            timeout=timeout,
            max_response_bytes=max_response_bytes,
            ssl_context=ssl_context,
            may_send=may_send,
        )
    return await ConnectionPool().post(
        target,
        body,
        headers,
        timeout=timeout,
        max_response_bytes=max_response_bytes,
        ssl_context=ssl_context,
        may_send=may_send,
        keep=False,
    )
