"""Webhook target URLs: what a resource subscription may point at, and where a delivery may go.

A target must be an absolute http(s) URL. Loopback, private, link-local and other non-public
addresses are refused unless the server runs with `allow_private_targets` (tests and local
sandboxes), both when the subscription is created (literal addresses, `localhost`) and again at
delivery time, after DNS resolution (so a public name that resolves to a private address, or
changes to one later, is caught too). Deliveries never follow redirects.
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.parse

__all__ = ["TargetRefused", "check_target_url", "check_resolved"]


class TargetRefused(ValueError):
    """The URL is not an acceptable webhook target; the message says why."""


def _is_public(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    return addr.is_global and not addr.is_multicast


def _host(url: str) -> tuple[str, int]:
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise TargetRefused(f"target_url is not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise TargetRefused("target_url must be an http:// or https:// URL")
    if not parts.hostname:
        raise TargetRefused("target_url must name a host")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused("target_url must not carry credentials")
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


def check_target_url(url: str, *, allow_private: bool) -> None:
    """Raise TargetRefused if `url` cannot be a target (no DNS lookups: fast and offline)."""
    host, _ = _host(url)
    if allow_private:
        return
    lowered = host.lower().rstrip(".")
    if lowered == "localhost" or lowered.endswith(".localhost"):
        raise TargetRefused(
            f"target_url host {host!r} is a loopback name; this server refuses private targets"
        )
    try:
        addr = ipaddress.ip_address(host)
    except ValueError:
        return
    if not _is_public(addr):
        raise TargetRefused(
            f"target_url address {host} is not a public address; this server refuses private"
            " targets"
        )


def check_resolved(url: str, *, allow_private: bool) -> None:
    """Resolve the URL's host and raise TargetRefused if any address is not public."""
    check_target_url(url, allow_private=allow_private)
    if allow_private:
        return
    host, port = _host(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise TargetRefused(f"cannot resolve {host!r}: {exc}") from None
    for info in infos:
        addr = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not _is_public(addr):
            raise TargetRefused(f"{host!r} resolves to non-public address {addr}")
