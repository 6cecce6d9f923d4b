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
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any, ClassVar

import httptools
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from .limit_flags import HttpLimits, add_arguments, from_args

__all__ = ["HttpLimits", "LimitedHttpProtocol", "protocol_class", "add_arguments", "from_args"]

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


class LimitedHttpProtocol(HttpToolsProtocol):
    limits: ClassVar[HttpLimits] = HttpLimits()

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._deadline: Any = None  # the header or body timer (asyncio.TimerHandle)
        self._in_head = False
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
        if self._deadline is None and (self.cycle is None or self.cycle.response_complete):
            # Bytes between requests (or before the first): the keep-alive timer is off now,
            # and the parser starts no request on CR/LF alone, so the head's timer starts here.
            self._arm(self.limits.header_timeout, self._head_too_slow)
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
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
        if self._in_head:
            # Counts whole chunks: an upper bound, and a cap on what the parser buffers.
            self._head_bytes += len(data)
            if self._head_bytes > self.limits.max_request_line + self.limits.max_header_bytes:
                self._refuse(431, self._too_many_header_bytes())

    # ---------------------------------------------------------------- parser callbacks

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True
        self._head_bytes = self._header_count = self._header_bytes = 0
        self._arm(self.limits.header_timeout, self._head_too_slow)

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
        self._arm(self.limits.body_timeout, self._body_too_slow)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def _stop(self, status: int, message: str) -> None:
        """Stop the parser from a callback (it raises HttpParserCallbackError); the answer
        is sent by data_received."""
        self._refused = _Refused(status, message)
        raise self._refused

    # ---------------------------------------------------------------- timers and answers

    def _arm(self, seconds: float, callback: Any) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, callback)

    def _disarm(self) -> None:
        if getattr(self, "_deadline", None) is not None:
            self._deadline.cancel()
            self._deadline = None

    def _head_too_slow(self) -> None:
        self._deadline = None
        _warn.warning("slow-head", "request headers too slow: connection closed")
        self._refuse(408, f"Request headers not received within {self.limits.header_timeout:g} s")

    def _body_too_slow(self) -> None:
        self._deadline = None
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
        body = json.dumps({"message": message}).encode("utf-8")
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


def protocol_class(limits: HttpLimits) -> type[LimitedHttpProtocol]:
    """A protocol class for `uvicorn.Config(http=...)` enforcing `limits`."""
    return type("LimitedHttpProtocol", (LimitedHttpProtocol,), {"limits": limits})


def uvicorn_options(limits: HttpLimits) -> dict[str, Any]:
    """The uvicorn.Config / uvicorn.run keyword arguments that apply `limits`."""
    return {
        "http": protocol_class(limits),
        "timeout_keep_alive": limits.keep_alive_timeout,
        "ws": "none",
    }
