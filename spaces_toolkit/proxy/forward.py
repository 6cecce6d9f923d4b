"""The forwarding half of the proxy: an ASGI app that passes every request to the upstream as it
came and streams the answer back as it comes, then hands the exchange to the checks.

What is changed on the way, and only that: `Host` names the upstream (so a virtual-hosted or
TLS upstream answers), and the hop-by-hop headers of RFC 9110 §7.6.1 (`Connection`,
`Keep-Alive`, `Proxy-Connection`, `TE`, `Trailer`, `Upgrade`) stay on their own hop. Bodies go
byte for byte in both directions (a compressed answer stays compressed), `Transfer-Encoding:
chunked` is kept, and the upstream connections are a keep-alive pool (`upstream`). The
exchange goes to the checks (`on_exchange`, awaited: a bounded queue) only after the last byte
of the answer has been handed to the client, so checking never delays an answer.
"""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from spaces_toolkit.proxy.exchange import Exchange
from spaces_toolkit.proxy.upstream import UpstreamConnection, UpstreamError, UpstreamPool

__all__ = ["Forwarder", "HOP_BY_HOP", "MAX_CHECKED_BODY", "Upstream"]

HOP_BY_HOP = frozenset(
    {b"connection", b"keep-alive", b"proxy-connection", b"te", b"trailer", b"upgrade"}
)
MAX_CHECKED_BODY = 16 * 1024 * 1024  # larger bodies are forwarded whole, checked cut
UPSTREAM_CONNECTIONS = 512  # idle keep-alive connections kept
UPSTREAM_KEEPALIVE = 30.0  # seconds an idle upstream connection is kept
UPSTREAM_TIMEOUT = 120.0  # seconds, to connect and between bytes of an answer

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class Upstream:
    """Where requests go: an http(s) URL; its path is the API's base path (e.g. /api/v1)."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError(f"--upstream must be an http(s) URL, got {url!r}")
        if parts.query or parts.fragment:
            raise ValueError(f"--upstream takes no query or fragment, got {url!r}")
        self.url = url
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.netloc = parts.netloc.rpartition("@")[2]
        self.origin = f"{parts.scheme}://{self.netloc}"
        self.base_path = parts.path.rstrip("/")


class Forwarder:
    """The ASGI app `spaces proxy` serves."""

    def __init__(
        self,
        upstream: Upstream,
        on_exchange: Callable[[Exchange], Awaitable[None]],
        on_error: Callable[[str, str, str], None],
        *,
        error_field: str,
    ) -> None:
        self.upstream = upstream
        self.error_field = error_field  # the spec's error body field (`Spec.error_fields`)
        self.on_exchange = on_exchange  # awaited after the answer went out (may apply backpressure)
        self.on_error = on_error  # (method, target, message): the upstream could not be reached
        self._pool: UpstreamPool | None = None
        self._host = upstream.netloc.encode()
        self._count = 0

    def _connections(self) -> UpstreamPool:
        if self._pool is None:  # made inside the serving event loop
            self._pool = UpstreamPool(
                self.upstream.host,
                self.upstream.port,
                tls=self.upstream.scheme == "https",
                server_hostname=self.upstream.host,
                timeout=UPSTREAM_TIMEOUT,
                max_idle=UPSTREAM_CONNECTIONS,
                keepalive=UPSTREAM_KEEPALIVE,
            )
        return self._pool

    async def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._forward(scope, receive, send)
        # websockets: not part of the API; uvicorn refuses the handshake when the app returns

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    def _head(self, method: str, target: bytes, headers: list[tuple[bytes, bytes]]) -> bytes:
        lines = [method.encode(), b" ", target, b" HTTP/1.1\r\n"]
        host = False
        for k, v in headers:
            if k.lower() == b"host":
                v, host = self._host, True
            lines += [k, b": ", v, b"\r\n"]
        if not host:
            lines += [b"host: ", self._host, b"\r\n"]
        lines.append(b"\r\n")
        return b"".join(lines)

    async def _forward(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        began = time.perf_counter()
        started = datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds")
        method = str(scope["method"])
        raw_path = scope.get("raw_path") or str(scope["path"]).encode()
        query = scope.get("query_string") or b""
        target = raw_path + (b"?" + query if query else b"")
        request_headers = _end_to_end(scope["headers"])
        head = self._head(method, target, request_headers)
        framing = _framing(request_headers)  # None: no body; True: chunked; False: length
        request_chunks: list[bytes] = []
        # The body, when it came whole (the common case), goes out with the head in one write.
        first: dict[str, Any] = {"body": b"", "more_body": False}
        if framing is not None:
            first = await receive()
            if first["type"] == "http.disconnect":
                return
            if first.get("body"):
                request_chunks.append(first["body"])
        pool = self._connections()
        conn: UpstreamConnection | None = None
        try:
            for attempt in (1, 2):
                conn, reused = await pool.acquire()
                try:
                    await self._send_request(
                        conn, method, head, framing, first, receive, request_chunks
                    )
                    event = await conn.read()
                    break
                except UpstreamError as exc:
                    # A kept-alive connection the upstream closed as we reused it: once more on
                    # a new one, if nothing of the answer came and the body can be sent again.
                    conn.close()
                    again = reused and exc.closed and not first.get("more_body")
                    if attempt == 2 or not again:
                        raise
                except BaseException:  # cancelled (shutdown), or the client went away
                    conn.close()  # a request half sent or unanswered: never reused
                    raise
        except UpstreamError as exc:
            message = f"upstream {self.upstream.origin} did not answer: {exc}"
            self.on_error(method, target.decode("latin-1"), message)
            body = json.dumps({self.error_field: f"spaces proxy: {message}"}).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 502,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        except _ClientGone:
            return
        assert conn is not None
        _, status, upstream_headers = event
        response_headers = _end_to_end(upstream_headers)
        kept: list[bytes] = []
        kept_size = 0
        truncated = False
        try:
            await send(
                {"type": "http.response.start", "status": status, "headers": response_headers}
            )
            more = True
            while more:
                event = await conn.read()
                if event[0] == "end":
                    await send({"type": "http.response.body", "body": b""})
                    break
                chunk = event[1]
                if kept_size < MAX_CHECKED_BODY:
                    kept.append(chunk)
                    kept_size += len(chunk)
                else:
                    truncated = True
                more = not conn.take_end()  # the last chunk ends the answer itself
                await send({"type": "http.response.body", "body": chunk, "more_body": more})
        except UpstreamError as exc:
            message = f"upstream {self.upstream.origin} broke off its answer: {exc}"
            self.on_error(method, target.decode("latin-1"), message)
            conn.close()
            return
        finally:
            pool.release(conn)
        self._count += 1
        exchange = Exchange(
            number=self._count,
            started=started,
            method=method,
            target=target.decode("latin-1"),
            request_headers=_text(request_headers),
            request_body=b"".join(request_chunks),
            status=status,
            response_headers=_text(response_headers),
            response_body=b"".join(kept),
            seconds=time.perf_counter() - began,
            http_version=f"HTTP/{scope.get('http_version', '1.1')}",
            truncated=truncated,
            upstream=self.upstream.origin,
        )
        await self.on_exchange(exchange)

    @staticmethod
    async def _send_request(
        conn: UpstreamConnection,
        method: str,
        head: bytes,
        framing: bool | None,
        first: dict[str, Any],
        receive: Receive,
        request_chunks: list[bytes],
    ) -> None:
        conn.begin(head_request=method == "HEAD")
        body = first.get("body", b"")
        more = bool(first.get("more_body"))
        if framing is None:
            conn.write(head)
            return
        if framing:  # chunked: the chunks as they come, re-framed
            conn.write(head + _chunk(body) + (b"" if more else b"0\r\n\r\n"))
        else:
            conn.write(head + body)
        while more:
            await conn.drain()
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _ClientGone
            body = message.get("body", b"")
            more = bool(message.get("more_body"))
            if body:
                request_chunks.append(body)
            if framing:
                conn.write(_chunk(body) + (b"" if more else b"0\r\n\r\n"))
            elif body:
                conn.write(body)


class _ClientGone(Exception):
    """The client disconnected before its request was all sent: nothing to answer or check."""


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%b\r\n" % (len(data), data) if data else b""


def _framing(headers: list[tuple[bytes, bytes]]) -> bool | None:
    """How a request's body is framed (RFC 9112 §6.3): True chunked, False by Content-Length,
    None: it has no body."""
    length = None
    for k, v in headers:
        name = k.lower()
        if name == b"transfer-encoding":
            return True
        if name == b"content-length":
            length = v.strip()
    return None if length is None or length == b"0" else False


def _end_to_end(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The headers without the hop-by-hop ones (and those `Connection` names)."""
    named = {
        token.strip().lower()
        for k, v in headers
        if k.lower() == b"connection"
        for token in v.split(b",")
    }
    return [(k, v) for k, v in headers if k.lower() not in HOP_BY_HOP and k.lower() not in named]


def _text(headers: list[tuple[bytes, bytes]]) -> tuple[tuple[str, str], ...]:
    return tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in headers)
