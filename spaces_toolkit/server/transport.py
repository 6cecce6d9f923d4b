"""`--require-https`: plain-HTTP requests are answered 400, as the docs promise.

A request counts as HTTPS if it arrived over TLS, or if it came from a configured trusted proxy
that says so in `X-Forwarded-Proto`. The header is ignored from anyone else (a client cannot
claim HTTPS by sending it). uvicorn's own proxy-header handling is turned off so this is the only
place that decides."""

from __future__ import annotations

import ipaddress

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from .problems import error_response
from .settings import Network

__all__ = ["RequireHTTPS", "is_https"]


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
    proto = Headers(scope=scope).get("x-forwarded-proto", "")
    # With a chain of proxies the header may be "https, http": the first hop is the client's.
    return proto.split(",")[0].strip().lower() == "https"


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
        await self.app(scope, receive, send)
