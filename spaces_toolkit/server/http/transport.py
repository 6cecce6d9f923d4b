"""Transport-level middleware: `--require-https`. (HEAD wherever GET works: front.py.)

`--require-https`: plain-HTTP requests are answered 400, as the docs promise, and HTTPS answers
carry `Strict-Transport-Security`. A request counts as HTTPS if it arrived over TLS, or if it
came from a configured trusted proxy that says so in `X-Forwarded-Proto`. Only the value that
proxy set counts: the rightmost one (earlier entries are whatever the client sent, passed on).
The header is ignored from anyone else (a client cannot claim HTTPS by sending it). uvicorn's
own proxy-header handling is turned off so this is the only place that decides."""

from __future__ import annotations

import ipaddress

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..problems import error_response
from ..settings import Network

__all__ = ["RequireHTTPS", "is_https", "HSTS"]

HSTS = (b"strict-transport-security", b"max-age=31536000")


def _from_trusted(scope: Scope, proxies: tuple[Network, ...]) -> bool:
    client = scope.get("client")
    if not client or not proxies:
        return False
    try:
        addr = ipaddress.ip_address(client[0])
    except ValueError:
        return False
    return any(addr in net for net in proxies)


def is_https(scope: Scope, proxies: tuple[Network, ...]) -> bool:
    if scope.get("scheme") in ("https", "wss"):
        return True
    if not _from_trusted(scope, proxies):
        return False
    # A proxy appends its value to what came in ("https, http" = the client said https, the
    # proxy saw http); repeated headers are joined the same way. Only the last entry is the
    # trusted proxy's own.
    values = Headers(scope=scope).getlist("x-forwarded-proto")
    entries = ",".join(values).split(",")
    return entries[-1].strip().lower() == "https"


class RequireHTTPS:
    def __init__(self, app: ASGIApp, trusted_proxies: tuple[Network, ...] = ()) -> None:
        self.app = app
        self.trusted_proxies = trusted_proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not is_https(scope, self.trusted_proxies):
            response = error_response(
                400, "HTTPS required: plain HTTP requests are rejected; use https://"
            )
            await response(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_hsts(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), HSTS]}
            await send(message)

        await self.app(scope, receive, send_with_hsts)
