"""Webhook target URLs: the one address normalizer that creation and delivery share.

A target must be an absolute http(s) URL without credentials. Unless the server runs with
`allow_private_targets` (tests and local sandboxes), only public addresses are allowed:

- a host written as an address counts in every form a resolver or `inet_aton` accepts —
  `127.1`, `2130706433`, `0x7f000001`, `0177.0.0.1`, `[::1]`, `[::ffff:127.0.0.1]`, an IPv4
  address embedded in IPv6 (IPv4-compatible, 6to4, NAT64) — so no spelling slips past;
- loopback names (`localhost`, `*.localhost`, `localhost.localdomain`, …) are refused;
- a name is resolved, and refused if ANY address it resolves to is not public (loopback,
  private, link-local including the 169.254.169.254 metadata address, shared, reserved, …).

Creation calls `check_target` (the API) or `check_target_url`: a name must resolve, within the
caller's deadline, to public addresses only; one that does not resolve is refused
(spec/NOTES.md 53). Delivery calls `resolve_target`, which returns the checked addresses; the
transport connects to exactly those (server/webhook_delivery/pinned.py), so a resolver cannot answer
one address to the check and another to the connection (DNS rebinding). The async forms take the
lookup to use (resolver.py: one account's slow names cannot hold another's lookups).
"""

from __future__ import annotations

import dataclasses
import functools
import ipaddress
import re
import urllib.parse
from collections.abc import Awaitable, Callable

from .resolver import Address, system_lookup

__all__ = [
    "Address",
    "ResolvedTarget",
    "TargetRefused",
    "check_target",
    "check_target_url",
    "Lookup",
    "is_public",
    "normalize_host",
    "resolve_target",
    "resolve_target_with",
]

# An async name lookup: (host, port) -> its addresses; OSError if it does not resolve.
Lookup = Callable[[str, int], Awaitable[list[Address]]]

_LOOPBACK_NAMES = frozenset(
    {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", "localhost6"}
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_NUMERIC_HOST = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+))*", re.IGNORECASE)


class TargetRefused(ValueError):
    """The URL is not an acceptable webhook target; the message says why."""


@dataclasses.dataclass(frozen=True)
class ResolvedTarget:
    """A target checked for delivery: connect to `addresses` (in order), but speak to `host`
    (Host header, TLS SNI and certificate name)."""

    url: str
    scheme: str
    host: str
    port: int
    addresses: tuple[Address, ...]


def _ipv4_part(text: str) -> int:
    if text[:2].lower() == "0x":
        return int(text[2:] or "0", 16)
    if len(text) > 1 and text.startswith("0"):
        return int(text, 8)  # ValueError for 8 or 9: not an address
    return int(text, 10)


def _loose_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address `inet_aton` (and so getaddrinfo, curl, browsers) reads in `host`:
    1–4 dot-separated parts in decimal, 0x-hex or 0-octal, the last filling the rest."""
    if not _NUMERIC_HOST.fullmatch(host):
        return None
    parts = host.split(".")
    if len(parts) > 4:
        raise TargetRefused(f"host {host!r} is not a valid IPv4 address")
    try:
        values = [_ipv4_part(p) for p in parts]
    except ValueError:
        raise TargetRefused(f"host {host!r} is not a valid IPv4 address") from None
    *head, last = values
    if any(v > 255 for v in head) or last >= 256 ** (4 - len(head)):
        raise TargetRefused(f"host {host!r} is not a valid IPv4 address")
    number = last
    for i, v in enumerate(head):
        number |= v << (8 * (3 - i))
    return ipaddress.IPv4Address(number)


def normalize_host(host: str) -> Address | str:
    """An address written in any form, as an address; otherwise the lower-cased name without a
    trailing dot. TargetRefused for something that looks numeric but is no address."""
    text = host.strip().lower()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    text = text.removesuffix(".") if not text.endswith("..") else text
    if ":" in text:
        try:
            return ipaddress.IPv6Address(text.split("%", 1)[0])
        except ValueError:
            raise TargetRefused(f"host {host!r} is not a valid IPv6 address") from None
    v4 = _loose_ipv4(text)
    return v4 if v4 is not None else text


def _embedded_ipv4(addr: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    if addr.sixtofour is not None:
        return addr.sixtofour
    if addr in _NAT64 or (addr in _IPV4_COMPATIBLE and int(addr) > 1):
        return ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
    return None


def is_public(addr: Address) -> bool:
    """Globally routable unicast, judged on the IPv4 address inside IPv6 forms that carry one."""
    if isinstance(addr, ipaddress.IPv6Address):
        inner = _embedded_ipv4(addr)
        if inner is not None:
            return is_public(inner)
    return addr.is_global and not addr.is_multicast


@dataclasses.dataclass(frozen=True)
class _Parsed:
    scheme: str
    host: str
    port: int
    normalized: Address | str


@functools.lru_cache(maxsize=4096)
def _parse(url: str) -> _Parsed:
    """`url` checked and taken apart (cached: a pure function of the text; a refusal is raised
    again each time, not cached)."""
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
    default = 443 if parts.scheme == "https" else 80
    normalized = normalize_host(parts.hostname)
    if isinstance(normalized, str):
        _check_syntax(parts.hostname, normalized)
    return _Parsed(parts.scheme, parts.hostname, port or default, normalized)


def _refuse_private(host: str, addr: Address, via: str = "") -> None:
    if not is_public(addr):
        raise TargetRefused(
            f"target_url host {host!r}{via} is not a public address ({addr});"
            " this server refuses private targets"
        )


_LABEL = re.compile(r"(?!-)[a-z0-9_-]{1,63}(?<!-)", re.ASCII)


def _check_syntax(host: str, name: str) -> None:
    """A host name must be dot-separated labels of 1-63 letters, digits, `-` or `_` (IDNA for
    others): `a..b`, `-a.b` or `.a` are refused, not looked up. The spec's `target_url` pattern
    (decision 39) is no wider, so every URL the spec accepts passes here; a name longer than DNS
    allows fails at its lookup."""
    try:
        ascii_name = name.encode("idna").decode("ascii") if not name.isascii() else name
    except UnicodeError:
        raise TargetRefused(f"target_url host {host!r} is not a valid host name") from None
    if not all(_LABEL.fullmatch(x) for x in ascii_name.split(".")):
        raise TargetRefused(f"target_url host {host!r} is not a valid host name")


def _check_name(parsed: _Parsed) -> None:
    name = parsed.normalized
    assert isinstance(name, str)
    if name in _LOOPBACK_NAMES or name.endswith(".localhost"):
        raise TargetRefused(
            f"target_url host {parsed.host!r} is a loopback name; this server refuses private"
            " targets"
        )


def _checked(parsed: _Parsed, addresses: list[Address], allow_private: bool) -> tuple[Address, ...]:
    if not addresses:
        raise TargetRefused(f"target_url host {parsed.host!r} resolves to no address")
    if not allow_private:
        for addr in addresses:
            _refuse_private(parsed.host, addr, " resolves to an address that")
    return tuple(addresses)


def check_target_url(url: str, *, allow_private: bool, resolve: bool = True) -> None:
    """At creation, blocking (CLIs, tools): raise TargetRefused if `url` cannot be a target. A
    name is resolved (unless `resolve` is false) and what it resolves to must be public; a name
    that does not resolve (yet) is accepted and checked again at every delivery (NOTES 53)."""
    parsed = _parse(url)
    if allow_private:
        return
    if not isinstance(parsed.normalized, str):
        _refuse_private(parsed.host, parsed.normalized)
        return
    _check_name(parsed)
    if not resolve:
        return
    try:
        addresses = system_lookup(parsed.normalized, parsed.port)
    except (OSError, UnicodeError):
        return  # not (yet) resolvable: a failed attempt at delivery, if it stays so
    if addresses:
        _checked(parsed, addresses, allow_private)


async def check_target(url: str, *, allow_private: bool, lookup: Lookup) -> None:
    """At creation, in the API: `check_target_url` with the lookup given; bound it with the
    caller's deadline (`asyncio.timeout`; a lookup that overruns it is a name not resolved)."""
    parsed = _parse(url)
    if allow_private:
        return
    if not isinstance(parsed.normalized, str):
        _refuse_private(parsed.host, parsed.normalized)
        return
    _check_name(parsed)
    try:
        addresses = await lookup(parsed.normalized, parsed.port)
    except (OSError, UnicodeError):
        return  # not (yet) resolvable: a failed attempt at delivery, if it stays so
    if addresses:
        _checked(parsed, addresses, allow_private)


def resolve_target(url: str, *, allow_private: bool) -> ResolvedTarget:
    """At delivery, blocking: the target's addresses, each checked; the transport connects
    only to them."""
    parsed = _parse(url)
    if isinstance(parsed.normalized, str):
        if not allow_private:
            _check_name(parsed)
        try:
            addresses = system_lookup(parsed.normalized, parsed.port)
        except (OSError, UnicodeError) as exc:
            raise TargetRefused(f"cannot resolve {parsed.host!r}: {exc}") from None
    else:
        addresses = [parsed.normalized]
    pinned = _checked(parsed, addresses, allow_private)
    return ResolvedTarget(url, parsed.scheme, parsed.host, parsed.port, pinned)


async def resolve_target_with(url: str, *, allow_private: bool, lookup: Lookup) -> ResolvedTarget:
    """At delivery: `resolve_target` with the lookup given (the worker's Resolver)."""
    parsed = _parse(url)
    if isinstance(parsed.normalized, str):
        if not allow_private:
            _check_name(parsed)
        try:
            addresses = await lookup(parsed.normalized, parsed.port)
        except (OSError, UnicodeError) as exc:
            raise TargetRefused(f"cannot resolve {parsed.host!r}: {exc}") from None
    else:
        addresses = [parsed.normalized]
    pinned = _checked(parsed, addresses, allow_private)
    return ResolvedTarget(url, parsed.scheme, parsed.host, parsed.port, pinned)
