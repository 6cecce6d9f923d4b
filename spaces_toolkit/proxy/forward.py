"""The forwarding half of the proxy: an ASGI app that passes every request to the upstream as it
came and streams the answer back as it comes, then hands the exchange to the checks.

What is changed on the way, and only that: `Host` names the upstream (so a virtual-hosted or
TLS upstream answers), and the hop-by-hop headers of RFC 9110 §7.6.1 (`Connection`,
`Keep-Alive`, `Proxy-Connection`, `TE`, `Trailer`, `Upgrade`) stay on their own hop. Bodies go
byte for byte in both directions (a compressed answer stays compressed), `Transfer-Encoding:
chunked` is kept, and the upstream connections are a keep-alive pool (httpcore). The checks run
after the last byte of the answer has been handed to the client.
"""

from __future__ import annotations

import datetime
import json
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import httpcore

from spaces_toolkit.proxy.exchange import Exchange

__all__ = ["Forwarder", "HOP_BY_HOP", "MAX_CHECKED_BODY", "Upstream"]

HOP_BY_HOP = frozenset(
    {b"connection", b"keep-alive", b"proxy-connection", b"te", b"trailer", b"upgrade"}
)
MAX_CHECKED_BODY = 16 * 1024 * 1024  # larger bodies are forwarded whole, checked cut
UPSTREAM_CONNECTIONS = 512
UPSTREAM_TIMEOUT = 120.0  # seconds, per connect / read / write

_TIMEOUTS = dict.fromkeys(("connect", "read", "write", "pool"), UPSTREAM_TIMEOUT)

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
        on_exchange: Callable[[Exchange], object],
        on_error: Callable[[str, str, str], None],
    ) -> None:
        self.upstream = upstream
        self.on_exchange = on_exchange
        self.on_error = on_error  # (method, target, message): the upstream could not be reached
        self._pool: httpcore.AsyncConnectionPool | None = None
        self._count = 0

    def _connections(self) -> httpcore.AsyncConnectionPool:
        if self._pool is None:  # made inside the serving event loop
            self._pool = httpcore.AsyncConnectionPool(
                max_connections=UPSTREAM_CONNECTIONS,
                max_keepalive_connections=UPSTREAM_CONNECTIONS,
                keepalive_expiry=30.0,
                # small writes (headers, then body) go out at once, not after the peer's ACK
                socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
            )
        return self._pool

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.aclose()
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

    async def _forward(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        began = time.perf_counter()
        started = datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds")
        method = str(scope["method"])
        raw_path = scope.get("raw_path") or str(scope["path"]).encode()
        query = scope.get("query_string") or b""
        target = raw_path + (b"?" + query if query else b"")
        request_headers = _end_to_end(scope["headers"])
        sent_headers = [
            (k, self.upstream.netloc.encode() if k.lower() == b"host" else v)
            for k, v in request_headers
        ]
        request_chunks: list[bytes] = []

        async def request_body() -> AsyncIterator[bytes]:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                chunk = message.get("body", b"")
                if chunk:
                    request_chunks.append(chunk)
                    yield chunk
                if not message.get("more_body"):
                    return

        request = httpcore.Request(
            method.encode(),
            httpcore.URL(
                scheme=self.upstream.scheme.encode(),
                host=self.upstream.host.encode(),
                port=self.upstream.port,
                target=target,
            ),
            headers=sent_headers,
            content=request_body() if _has_body(request_headers) else b"",
            extensions={
                "timeout": dict.fromkeys(("connect", "read", "write", "pool"), UPSTREAM_TIMEOUT)
            },
        )
        try:
            response = await self._connections().handle_async_request(request)
        except (httpcore.TimeoutException, httpcore.NetworkError, httpcore.ProtocolError) as exc:
            message = f"upstream {self.upstream.origin} did not answer: {type(exc).__name__}: {exc}"
            self.on_error(method, target.decode("latin-1"), message)
            body = json.dumps({"message": f"spaces proxy: {message}"}).encode()
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
        response_headers = _end_to_end(response.headers)
        kept: list[bytes] = []
        kept_size = 0
        truncated = False
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": response.status,
                    "headers": response_headers,
                }
            )
            async for chunk in response.aiter_stream():
                if kept_size < MAX_CHECKED_BODY:
                    kept.append(chunk)
                    kept_size += len(chunk)
                else:
                    truncated = True
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        except (httpcore.TimeoutException, httpcore.NetworkError, httpcore.ProtocolError) as exc:
            message = f"upstream {self.upstream.origin} broke off its answer: {exc}"
            self.on_error(method, target.decode("latin-1"), message)
            return
        finally:
            await response.aclose()
        self._count += 1
        exchange = Exchange(
            number=self._count,
            started=started,
            method=method,
            target=target.decode("latin-1"),
            request_headers=_text(request_headers),
            request_body=b"".join(request_chunks),
            status=response.status,
            response_headers=_text(response_headers),
            response_body=b"".join(kept),
            seconds=time.perf_counter() - began,
            http_version=f"HTTP/{scope.get('http_version', '1.1')}",
            truncated=truncated,
            upstream=self.upstream.origin,
        )
        self.on_exchange(exchange)


def _has_body(headers: list[tuple[bytes, bytes]]) -> bool:
    """Whether a request announces a body (RFC 9112 §6.3: Content-Length or Transfer-Encoding)."""
    for k, v in headers:
        name = k.lower()
        if name == b"transfer-encoding" or (name == b"content-length" and v.strip() != b"0"):
            return True
    return False


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
