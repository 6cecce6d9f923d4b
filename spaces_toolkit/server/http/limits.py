"""HTTP connection limits: what a slow, idle or greedy client may hold, and for how long.

uvicorn (httptools) closes idle keep-alive connections but, on its own, never times out a
connection that has not sent a request yet, a request whose headers trickle in (slowloris) or
whose body trickles in, and it accepts any number and size of headers. `LimitedHttpProtocol`
adds those limits, and answers whatever the HTTP layer refuses before the app runs with the
same `{"message": ...}` JSON as the app:

- a new or idle connection sends nothing for `keep_alive_timeout` s: closed silently;
- a request's line and headers are not complete `header_timeout` s after its first byte: 408
  (whatever that byte is: the parser skips leading CR/LF without starting a request, so the
  timer starts on any byte received while no request is in progress);
- its body is not complete `body_timeout` s after its headers: the connection is closed (the
  app sees a disconnect; it has not answered yet);
- more than `max_connections` open connections: the newest is answered 503 and closed;
- a request line longer than `max_request_line` bytes: 414; more than `max_headers` headers or
  more than `max_header_bytes` bytes of them: 431;
- anything the parser refuses (unknown method, bad Content-Length, bad header bytes): 400.
Every refusal closes the connection (`Connection: close`).

With TLS, the TLS layer is ours rather than uvicorn's (`TlsHandshake`): uvicorn listens on plain
sockets, and each accepted connection is upgraded with `loop.start_tls` before the HTTP protocol
sees it. uvicorn would hand the connection to the HTTP protocol only after the handshake, so a
connection that never starts or never finishes it would be held for the event loop's 60 s,
uncounted. Instead:

- a connection counts against `max_connections` from accept; beyond it, it is closed at once
  (a 503 would need the handshake the limit is protecting);
- a handshake not done `tls_handshake_timeout` s after accept closes the connection, and the
  TLS closing exchange gets as long.
"""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
import time
from typing import Any, ClassVar, cast

import httptools
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from .limit_flags import HttpLimits, add_arguments, from_args

__all__ = [
    "HttpLimits",
    "LimitedHttpProtocol",
    "TlsHandshake",
    "add_arguments",
    "from_args",
    "protocol_class",
    "tls_context",
    "uvicorn_options",
]

log = logging.getLogger("spaces.http")


class _Refused(Exception):
    """Raised inside a parser callback to stop parsing; data_received answers `status`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class _RateLimitedLog:
    """At most one warning per second per kind, with a count of what was not logged."""

    def __init__(self) -> None:
        self._last: dict[str, tuple[float, int]] = {}

    def warning(self, kind: str, message: str) -> None:
        now = time.monotonic()
        last, skipped = self._last.get(kind, (0.0, 0))
        if now - last < 1.0:
            self._last[kind] = (last, skipped + 1)
            return
        self._last[kind] = (now, 0)
        log.warning("%s%s", message, f" (and {skipped} more like it)" if skipped else "")


_warn = _RateLimitedLog()


class _OneWritePerTurn:
    """A connection's transport whose writes within one turn of the event loop leave as one
    write at the end of that turn.

    uvicorn writes a response's head and its body separately: two sends, two segments and two
    wake-ups of the client per answer. Under wrk the head's send was the biggest single item of
    the server's profile (~28% of its samples on a PostgreSQL list page); an answer sent in one
    step of the app (every JSON answer here) now leaves in one send. Whatever is written is
    sent by the end of the turn, so nothing waits on a later event; close() sends it first."""

    __slots__ = ("_transport", "_loop", "_held")

    def __init__(self, transport: Any, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: list[bytes] | None = None

    def write(self, data: bytes) -> None:
        if self._held is None:
            self._held = [data]
            self._loop.call_soon(self._flush)
        else:
            self._held.append(data)

    def _flush(self) -> None:
        held, self._held = self._held, None
        if held and not self._transport.is_closing():
            self._transport.write(held[0] if len(held) == 1 else b"".join(held))

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def abort(self) -> None:
        self._held = None
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class LimitedHttpProtocol(HttpToolsProtocol):
    limits: ClassVar[HttpLimits] = HttpLimits()

    def connection_made(self, transport: Any) -> None:
        super().connection_made(cast(asyncio.Transport, _OneWritePerTurn(transport, self.loop)))
        self._deadline: Any = None  # the header or body timer (asyncio.TimerHandle)
        self._armed: str | None = None  # which: "head" or "body"
        self._in_head = False  # a request's line and headers are being received
        self._in_body = False  # its body is
        self._begun = False  # a request began in the chunk being parsed
        self._refused: _Refused | None = None  # why a parser callback stopped the parser
        self._head_bytes = 0
        self._header_count = 0
        self._header_bytes = 0
        if len(self.connections) > self.limits.max_connections:
            _warn.warning("busy", f"over {self.limits.max_connections} connections: refused")
            self._refuse(503, "Too many open connections: try again shortly", retry_after=True)
            return
        # uvicorn arms its keep-alive timer only after a response; arm it for the first request.
        self.timeout_keep_alive_task = self.loop.call_later(
            self.timeout_keep_alive, self.timeout_keep_alive_handler
        )

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.parser is None or self.transport.is_closing():
            return
        self._unset_keepalive_if_required()
        self._begun = False
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._after_chunk(len(data))
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return
        except httptools.HttpParserError as exc:
            refused, self._refused = self._refused, None
            if refused is None:
                _warn.warning("malformed", f"malformed HTTP request refused: {exc}")
                self._refuse(400, f"Malformed HTTP request: {exc}")
            else:
                self._refuse(refused.status, refused.message)
            return
        self._after_chunk(len(data))

    def _after_chunk(self, size: int) -> None:
        """The timer for what a chunk of `size` bytes left incomplete, armed once it is parsed
        rather than at each parser event: a request that arrives whole (nearly every one)
        never arms one. The timers start within the same call as the events."""
        if self._in_head:
            # Counts whole chunks: an upper bound, and a cap on what the parser buffers.
            self._head_bytes += size
            if self._head_bytes > self.limits.max_request_line + self.limits.max_header_bytes:
                self._refuse(431, self._too_many_header_bytes())
            elif self._armed != "head":
                self._arm("head")
        elif self._in_body:
            if self._armed != "body":
                self._arm("body")
        elif (
            not self._begun
            and self._deadline is None
            and (self.cycle is None or self.cycle.response_complete)
        ):
            # Bytes between requests (or before the first) that started none: the parser
            # starts no request on CR/LF alone, so the head's timer starts on them.
            self._arm("head")

    # ---------------------------------------------------------------- parser callbacks

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._begun = self._in_head = True
        self._head_bytes = self._header_count = self._header_bytes = 0
        if self._deadline is not None:  # stray bytes' timer: the head's starts now
            self._disarm()

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > self.limits.max_request_line:
            self._stop(414, f"Request line too long (limit {self.limits.max_request_line} bytes)")

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_count += 1
        self._header_bytes += len(name) + len(value) + 4
        if self._header_count > self.limits.max_headers:
            self._stop(431, f"Too many request headers (limit {self.limits.max_headers})")
        if self._header_bytes > self.limits.max_header_bytes:
            self._stop(431, self._too_many_header_bytes())
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._in_body = True
        if self._deadline is not None:
            self._disarm()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._in_body = False
        if self._deadline is not None:
            self._disarm()
        super().on_message_complete()

    def _stop(self, status: int, message: str) -> None:
        """Stop the parser from a callback (it raises HttpParserCallbackError); the answer
        is sent by data_received."""
        self._refused = _Refused(status, message)
        raise self._refused

    # ---------------------------------------------------------------- timers and answers

    def _arm(self, kind: str) -> None:
        """Start the head's ("head") or the body's ("body") timer."""
        self._disarm()
        if kind == "head":
            self._deadline = self.loop.call_later(self.limits.header_timeout, self._head_too_slow)
        else:
            self._deadline = self.loop.call_later(self.limits.body_timeout, self._body_too_slow)
        self._armed = kind

    def _disarm(self) -> None:
        if getattr(self, "_deadline", None) is not None:
            self._deadline.cancel()
            self._deadline = None
            self._armed = None

    def _head_too_slow(self) -> None:
        self._deadline = self._armed = None
        _warn.warning("slow-head", "request headers too slow: connection closed")
        self._refuse(408, f"Request headers not received within {self.limits.header_timeout:g} s")

    def _body_too_slow(self) -> None:
        self._deadline = self._armed = None
        _warn.warning("slow-body", "request body too slow: connection closed")
        if self.cycle is not None and not self.cycle.response_started:
            self._refuse(408, f"Request body not received within {self.limits.body_timeout:g} s")
        elif not self.transport.is_closing():
            self.transport.close()

    def _too_many_header_bytes(self) -> str:
        return f"Request headers too large (limit {self.limits.max_header_bytes} bytes)"

    def _refuse(self, status: int, message: str, *, retry_after: bool = False) -> None:
        """Answer `status` with a JSON message and close, whatever the app is doing."""
        self._disarm()
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.disconnected = True  # the app's own answer, if any, is dropped
            self.cycle.message_event.set()
        if self.transport.is_closing():
            return
        from ..problems import error_body  # at use: `spaces serve --help` loads no Starlette

        body = json.dumps(error_body(message)).encode("utf-8")
        head = [
            STATUS_LINE[status],
            b"content-type: application/json\r\n",
            b"content-length: %d\r\n" % len(body),
            b"connection: close\r\n",
        ]
        if retry_after:
            head.append(b"retry-after: 1\r\n")
        self.transport.write(b"".join([*head, b"\r\n", body]))
        self.transport.close()

    def send_400_response(self, msg: str) -> None:  # uvicorn's text/plain answer, as JSON
        self._refuse(400, msg)


class TlsHandshake(asyncio.Protocol):
    """A TLS connection from accept until its handshake is done; then its HTTP protocol's.

    uvicorn creates this (with the HTTP protocol's arguments) for each accepted plain socket.
    It counts in uvicorn's set of connections, as the HTTP protocol does after it, so the
    `max_connections` check and uvicorn's shutdown see both."""

    http: ClassVar[type[LimitedHttpProtocol]]
    context: ClassVar[ssl.SSLContext]

    def __init__(self, config: Any, server_state: Any, app_state: Any, _loop: Any = None) -> None:
        self._http_args = {
            "config": config,
            "server_state": server_state,
            "app_state": app_state,
            "_loop": _loop,
        }
        self.connections: set[Any] = server_state.connections
        self.loop = _loop or asyncio.get_event_loop()
        self.transport: Any = None
        self._task: asyncio.Task[None] | None = None
        self._http: LimitedHttpProtocol | None = None  # after the handshake
        self._upgrading = False  # start_tls has taken the transport over
        self._raw: list[bytes] = []  # read before that (the ClientHello, or its start)
        self._early: list[bytes] = []  # decrypted after the handshake, before the handover
        self._eof = False

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        limits = self.http.limits
        if len(self.connections) >= limits.max_connections:
            _warn.warning("busy-tls", f"over {limits.max_connections} connections: TLS refused")
            transport.close()
            return
        # The ClientHello is for start_tls. asyncio's transport keeps this pause; uvloop's starts
        # reading after connection_made regardless, so data_received may still get some of it.
        transport.pause_reading()
        self.connections.add(self)
        self._task = self.loop.create_task(self._handshake())

    async def _handshake(self) -> None:
        timeout = self.http.limits.tls_handshake_timeout
        if self._raw:
            # Runs after start_tls (below, in this same step) has put its TLS protocol on the
            # transport and before that protocol's connection_made and the resumed reading.
            self.loop.call_soon(self._replay_raw)
        self._upgrading = True
        try:
            # The loop's own handshake timer and ours: the latter also covers the time before
            # start_tls sets up its protocol, and a loop that would not fire its timer.
            async with asyncio.timeout(timeout):
                tls = await self.loop.start_tls(
                    self.transport,
                    self,
                    self.context,
                    server_side=True,
                    ssl_handshake_timeout=timeout,
                    ssl_shutdown_timeout=timeout,
                )
        except (TimeoutError, ConnectionAbortedError):
            _warn.warning("slow-tls", f"TLS handshake not done within {timeout:g} s: closed")
            self._drop()
            return
        except Exception as exc:  # noqa: BLE001 -- whatever a client's bytes make TLS raise
            log.debug("TLS handshake failed: %r", exc)
            self._drop()
            return
        finally:
            self.connections.discard(self)
        if tls is None or self.transport is None or tls.is_closing():  # lost meanwhile
            self._drop()
            return
        http = self._http = self.http(**self._http_args)
        tls.set_protocol(http)
        http.connection_made(tls)
        if self._early:
            http.data_received(b"".join(self._early))
            self._early.clear()
        if self._eof:
            http.eof_received()

    def _replay_raw(self) -> None:
        """Hand what was read before start_tls to its TLS protocol (a BufferedProtocol, which
        keeps bytes received before its connection_made for the handshake it then starts)."""
        if self.transport is None or self.transport.is_closing():
            return
        tls_protocol = self.transport.get_protocol()
        data = memoryview(b"".join(self._raw))
        self._raw.clear()
        while data:
            buffer = tls_protocol.get_buffer(len(data))
            n = min(len(buffer), len(data))
            buffer[:n] = data[:n]
            tls_protocol.buffer_updated(n)
            data = data[n:]

    def _drop(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.abort()

    def data_received(self, data: bytes) -> None:
        if not self._upgrading:  # raw bytes before start_tls (see connection_made)
            self._raw.append(data)
            self.transport.pause_reading()
        else:  # decrypted, between the end of the handshake and the handover
            self._early.append(data)

    def eof_received(self) -> bool | None:
        self._eof = True
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        if self._http is not None:  # lost just as the HTTP protocol took over
            self._http.connection_lost(exc)
            return
        self.transport = None
        self.connections.discard(self)
        if self._task is not None and not self._task.done():
            self._task.cancel()

    def shutdown(self) -> None:
        """Called by uvicorn when the server stops."""
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()


def tls_context(certfile: str, keyfile: str) -> ssl.SSLContext:
    """The server's TLS settings (Python's defaults for a server) with this certificate.
    Raises OSError or ssl.SSLError for a file that cannot be read or used."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certfile, keyfile)
    return context


def protocol_class(limits: HttpLimits, tls: ssl.SSLContext | None = None) -> type[asyncio.Protocol]:
    """A protocol class for `uvicorn.Config(http=...)` enforcing `limits`; with `tls`, it
    also does the TLS (uvicorn must then be given no certificate of its own)."""
    http = type("LimitedHttpProtocol", (LimitedHttpProtocol,), {"limits": limits})
    if tls is None:
        return http
    return type("TlsLimitedHttpProtocol", (TlsHandshake,), {"http": http, "context": tls})


def uvicorn_options(limits: HttpLimits, tls: ssl.SSLContext | None = None) -> dict[str, Any]:
    """The uvicorn.Config / uvicorn.run keyword arguments that apply `limits` (and TLS)."""
    if tls is not None:
        _say_https()
    return {
        "http": protocol_class(limits, tls),
        "timeout_keep_alive": limits.keep_alive_timeout,
        "ws": "none",
    }


class _HttpsInBanner(logging.Filter):
    """uvicorn's "running on http://..." line, when the TLS is ours and uvicorn cannot tell."""

    def filter(self, record: logging.LogRecord) -> bool:
        if (
            isinstance(record.msg, str)
            and record.msg.startswith("Uvicorn running on")
            and isinstance(record.args, tuple)
            and record.args[:1] == ("http",)
        ):
            record.args = ("https", *record.args[1:])
        return True


def _say_https() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _HttpsInBanner) for f in logger.filters):
        logger.addFilter(_HttpsInBanner())
