"""The forwarding half of the proxy: passes every request the front end parsed to the upstream as
it came and streams the answer back as it comes, then hands the exchange to the checks.

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
import http
import time
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from spaces_toolkit.proxy.exchange import Exchange
from spaces_toolkit.proxy.frontend import ClientConnection, Request, error_answer
from spaces_toolkit.proxy.upstream import UpstreamConnection, UpstreamError, UpstreamPool

__all__ = ["Forwarder", "HOP_BY_HOP", "MAX_CHECKED_BODY", "Upstream"]

HOP_BY_HOP = frozenset(
    {b"connection", b"keep-alive", b"proxy-connection", b"te", b"trailer", b"upgrade"}
)
MAX_CHECKED_BODY = 16 * 1024 * 1024  # larger bodies are forwarded whole, checked cut
UPSTREAM_CONNECTIONS = 512  # idle keep-alive connections kept
UPSTREAM_KEEPALIVE = 30.0  # seconds an idle upstream connection is kept
UPSTREAM_TIMEOUT = 120.0  # seconds, to connect and between bytes of an answer


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
    """Forwards each request the front end (`frontend`) parsed and writes its answer back."""

    def __init__(
        self,
        upstream: Upstream,
        on_exchange: Callable[[Exchange], Awaitable[None]],
        on_error: Callable[[str, str, str], None],
        *,
        error_field: str,
    ) -> None:
        self.upstream = upstream
        self.error_field = error_field  # the spec's error body field: the proxy's own answers
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

    async def forward(self, request: Request, client: ClientConnection) -> bool:
        """Forward `request`, write its answer to `client`, hand the exchange to the checks.
        True: the client connection must close after it."""
        began = time.perf_counter()
        started = datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds")
        method = request.method
        target = request.target
        request_headers = _end_to_end(request.headers)
        head = self._head(method, target, request_headers)
        framing = _framing(request_headers)  # None: no body; True: chunked; False: length
        # The body, when it came whole (the common case), goes out with the head in one write.
        whole = request.complete
        body = request.take() if framing is not None else b""
        request_chunks = [body] if body else []
        pool = self._connections()
        conn: UpstreamConnection | None = None
        try:
            for attempt in (1, 2):
                conn, reused = await pool.acquire()
                try:
                    await _send_request(
                        conn, method, head, framing, body, whole, request_chunks, request
                    )
                    event = await conn.read()
                    break
                except UpstreamError as exc:
                    # A kept-alive connection the upstream closed as we reused it: once more on
                    # a new one, if nothing of the answer came and the body can be sent again.
                    conn.close()
                    if attempt == 2 or not (reused and exc.closed and whole):
                        raise
                except BaseException:  # cancelled (shutdown), or the client went away
                    conn.close()  # a request half sent or unanswered: never reused
                    raise
        except UpstreamError as exc:
            message = f"upstream {self.upstream.origin} did not answer: {exc}"
            self.on_error(method, target.decode("latin-1"), message)
            closes = not request.complete  # the rest of its body would be read as a request
            client.write(
                error_answer(502, "Bad Gateway", message, field=self.error_field, close=closes)
            )
            return closes
        assert conn is not None
        _, status, upstream_headers = event
        response_headers = _end_to_end(upstream_headers)
        closes = not request.keep_alive
        to_client = response_headers
        chunked = any(k.lower() == b"transfer-encoding" for k, _ in response_headers)
        extra: list[bytes] = []
        if method == "HEAD" or status in (204, 304) or status < 200:
            mode = _NO_BODY
        elif request.http_version != "1.1":  # HTTP/1.0 knows no chunks: the end frames it
            if chunked or not any(k.lower() == b"content-length" for k, _ in response_headers):
                to_client = [
                    (k, v) for k, v in response_headers if k.lower() != b"transfer-encoding"
                ]
                closes = True
            mode = _AS_IS
        elif chunked:
            mode = _CHUNKED
        elif any(k.lower() == b"content-length" for k, _ in response_headers):
            mode = _AS_IS
        else:  # framed by the end of the upstream's connection: chunks to the client
            mode = _CHUNKED
            extra.append(b"transfer-encoding: chunked\r\n")
        parts = [_answer_head(status, to_client), *extra]
        if closes:
            parts.append(b"connection: close\r\n")
        elif request.http_version == "1.0":
            parts.append(b"connection: keep-alive\r\n")
        parts.append(b"\r\n")
        kept: list[bytes] = []
        kept_size = 0
        truncated = False
        try:
            while True:
                next_event = conn.ready()
                if next_event is None:  # what arrived so far goes out in one write
                    client.write(b"".join(parts))
                    parts.clear()
                    await client.drain()
                    next_event = await conn.read()
                if next_event[0] == "end":
                    if mode is _CHUNKED:
                        parts.append(b"0\r\n\r\n")
                    break
                chunk = next_event[1]
                if kept_size < MAX_CHECKED_BODY:
                    kept.append(chunk)
                    kept_size += len(chunk)
                else:
                    truncated = True
                if mode is _CHUNKED:
                    parts.append(b"%x\r\n%b\r\n" % (len(chunk), chunk))
                elif mode is _AS_IS:
                    parts.append(chunk)
            client.write(b"".join(parts))
        except UpstreamError as exc:
            message = f"upstream {self.upstream.origin} broke off its answer: {exc}"
            self.on_error(method, target.decode("latin-1"), message)
            conn.close()
            return True  # the head went out: the client sees the answer end early
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
            response_body=kept[0] if len(kept) == 1 else b"".join(kept),
            seconds=time.perf_counter() - began,
            http_version=f"HTTP/{request.http_version}",
            truncated=truncated,
            upstream=self.upstream.origin,
        )
        await self.on_exchange(exchange)
        return closes


_NO_BODY, _CHUNKED, _AS_IS = object(), object(), object()  # how an answer's body is framed
_REASONS = {s.value: s.phrase.encode() for s in http.HTTPStatus}


def _answer_head(status: int, headers: list[tuple[bytes, bytes]]) -> bytes:
    """The answer's status line and headers (the blank line that ends them is not included)."""
    lines = [b"HTTP/1.1 %d %b\r\n" % (status, _REASONS.get(status, b""))]
    for k, v in headers:
        lines += [k, b": ", v, b"\r\n"]
    return b"".join(lines)


async def _send_request(
    conn: UpstreamConnection,
    method: str,
    head: bytes,
    framing: bool | None,
    body: bytes,
    whole: bool,
    request_chunks: list[bytes],
    request: Request,
) -> None:
    conn.begin(head_request=method == "HEAD")
    if framing is None:
        conn.write(head)
        return
    if framing:  # chunked: the chunks as they come, re-framed
        conn.write(head + _chunk(body) + (b"0\r\n\r\n" if whole else b""))
    else:
        conn.write(head + body)
    more = not whole
    while more:
        await conn.drain()
        body = await request.more()
        more = not request.complete or bool(request.chunks)
        if body:
            request_chunks.append(body)
        if framing:
            conn.write(_chunk(body) + (b"" if more else b"0\r\n\r\n"))
        elif body:
            conn.write(body)


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
    kept: list[tuple[bytes, bytes]] = []
    named: set[bytes] = set()
    for k, v in headers:
        name = k.lower()
        if name not in HOP_BY_HOP:
            kept.append((k, v))
        elif name == b"connection":
            named.update(token.strip().lower() for token in v.split(b","))
    if named:  # rare: a second pass only then
        kept = [(k, v) for k, v in kept if k.lower() not in named]
    return kept


def _text(headers: list[tuple[bytes, bytes]]) -> tuple[tuple[str, str], ...]:
    return tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in headers)
