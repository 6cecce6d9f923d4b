"""The delivery transport: POST to the addresses the target check approved, and nowhere else.

httpx (like any HTTP client) resolves the URL's host again when it connects, so a name could
answer a public address to the check and 127.0.0.1 to the connection (DNS rebinding). Here the
connection goes to the checked addresses only (tried in order), while the request still speaks
to the name: the Host header and TLS SNI/certificate check use the URL's host. No redirects are
followed (httpcore never follows them), every phase has a timeout, and at most
`max_response_bytes` of the receiver's answer are read.

It is async (httpcore over anyio) so that a caller's total deadline (`asyncio.timeout`) cancels
the exchange wherever it is, a receiver trickling its answer included; a POST on a thread could
not be cancelled.
"""

from __future__ import annotations

import dataclasses
import ssl
import threading
import typing

import httpcore

from .targets import ResolvedTarget

__all__ = ["Reply", "DeliveryError", "NotSent", "post_pinned", "MAX_RESPONSE_BYTES"]

MAX_RESPONSE_BYTES = 64 * 1024

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
    """The request was not (completely) sent: the caller's `may_send` said no before a write."""


MaySend = typing.Callable[[], bool]


class _GuardedStream(httpcore.AsyncNetworkStream):
    """A connection that asks `may_send` before every write of the request."""

    def __init__(self, stream: httpcore.AsyncNetworkStream, may_send: MaySend) -> None:
        self._stream = stream
        self._may_send = may_send

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._stream.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not self._may_send():
            raise NotSent("this delivery may no longer be sent (its lease is lost or ending)")
        await self._stream.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._stream.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        tls = await self._stream.start_tls(ssl_context, server_hostname, timeout)
        return _GuardedStream(tls, self._may_send)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._stream.get_extra_info(info)


@dataclasses.dataclass(frozen=True)
class Reply:
    status_code: int
    headers: dict[str, str]  # lower-cased names; the last value of a repeated header
    body: bytes  # at most max_response_bytes


class _PinnedBackend(httpcore.AnyIOBackend):
    """Connects to the given addresses whatever host httpcore asks for."""

    def __init__(self, target: ResolvedTarget, may_send: MaySend | None = None) -> None:
        self._addresses = [str(a) for a in target.addresses]
        self._may_send = may_send

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        error: Exception | None = None
        for address in self._addresses:
            try:
                stream = await super().connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:
                error = exc
                continue
            return stream if self._may_send is None else _GuardedStream(stream, self._may_send)
        assert error is not None
        raise error


def _host_header(target: ResolvedTarget) -> str:
    host = f"[{target.host}]" if ":" in target.host else target.host
    default = 443 if target.scheme == "https" else 80
    return host if target.port == default else f"{host}:{target.port}"


async def post_pinned(
    target: ResolvedTarget,
    body: bytes,
    headers: dict[str, str],
    *,
    timeout: float,
    max_response_bytes: int = MAX_RESPONSE_BYTES,
    ssl_context: ssl.SSLContext | None = None,
    may_send: MaySend | None = None,
) -> Reply:
    """POST `body` to `target.url` over a connection to one of `target.addresses`.

    `timeout` bounds each phase (connect, each write, each read); a total deadline is the
    caller's (`asyncio.timeout`). `max_response_bytes=0` reads no body: status and headers only.
    `may_send` is asked before every write of the request (the TLS handshake is not one): if
    it says no, NotSent is raised and nothing (more) goes out.
    """
    pool = httpcore.AsyncConnectionPool(
        ssl_context=ssl_context or default_ssl_context(),
        network_backend=_PinnedBackend(target, may_send),
        max_connections=1,
        retries=0,
    )
    sent = [(b"Host", _host_header(target).encode("ascii"))]
    sent += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    sent.append((b"Content-Length", str(len(body)).encode("ascii")))
    extensions = {
        "timeout": {"connect": timeout, "read": timeout, "write": timeout, "pool": timeout}
    }
    try:
        async with (
            pool,
            pool.stream(
                "POST", target.url, headers=sent, content=body, extensions=extensions
            ) as response,
        ):
            received = bytearray()
            if max_response_bytes > 0:
                async for chunk in response.aiter_stream():
                    received += chunk
                    if len(received) >= max_response_bytes:
                        break
            return Reply(
                response.status,
                {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in response.headers},
                bytes(received[:max_response_bytes]),
            )
    except (httpcore.TimeoutException, httpcore.NetworkError, httpcore.ProtocolError) as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc or 'no detail'}") from None
    except (httpcore.UnsupportedProtocol, OSError, ValueError) as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from None
