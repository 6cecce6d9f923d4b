"""Keep schema-valid generated requests meaningful, so `positive_data_acceptance` stays strict.

The spec accepts any string as a cursor, but a server must refuse a cursor that names no object of
the list (NOTES 8-9: 400), and it may refuse a loopback or private `target_url` (NOTES 39). Those
requests are schema-valid yet rightly refused, so before a *positive* case is sent this hook swaps
a generated cursor for a real one of the same list (chosen by a hash of the generated value, so a
seed still reproduces the run), keeps one cursor when both were generated, and moves a private
target host to example.com. The docs never say whether a second subscription to the same event and
URL is allowed (NOTES 38 allows it), so a server may refuse one: a create body whose `event` and
`target_url` this run already sent gets a fresh `target_url` (`unique_target`; the pair itself was
already tried). Negative cases are sent exactly as generated.
"""

from __future__ import annotations

import ipaddress
import secrets
import socket
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import schemathesis
from schemathesis.hooks import HookContext, unregister

__all__ = ["BodyRepair", "CursorPool", "semantic_inputs", "public_target", "unique_target"]


@dataclass(frozen=True)
class CursorPool:
    """A list's cursor parameters (forward one first, from the spec) and real cursors of it."""

    params: tuple[str, ...]
    cursors: list[Any]


def _is_private_host(host: str) -> bool:
    if host.lower() in {"localhost", "localhost.localdomain"} or host.lower().endswith(
        ".localhost"
    ):
        return True
    try:
        address: Any = ipaddress.ip_address(host)
    except ValueError:
        if not host.replace(".", "").isdigit():
            return False
        try:  # the short forms getaddrinfo accepts, e.g. "0" or "127.1"
            address = ipaddress.ip_address(socket.inet_aton(host))
        except OSError:
            return False
    return not address.is_global


def public_target(url: str) -> str:
    """`url` with a loopback/private/reserved host replaced by example.com."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return url
    if not host or not _is_private_host(host):
        return url
    netloc = "example.com" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def unique_target() -> str:
    """A public `target_url` no other request has sent (valid under the spec's pattern)."""
    return f"https://example.com/contract/{secrets.token_hex(6)}?via=suite"


class BodyRepair:
    """Repairs a positive case's body before it is sent; one per run (it remembers the run's
    subscriptions): a private target host moves to example.com, and a repeated (`event`,
    `target_url`) pair gets a `unique_target`."""

    def __init__(self) -> None:
        self.sent: set[tuple[str, str]] = set()

    def __call__(self, body: Any) -> None:
        target = body.get("target_url") if isinstance(body, dict) else None
        if not isinstance(body, dict) or not isinstance(target, str):
            return
        target = public_target(target)
        pair = (repr(body.get("event")), target)
        if pair in self.sent:
            target = unique_target()
            pair = (pair[0], target)
        self.sent.add(pair)
        body["target_url"] = target


def _pick(pool: list[Any], generated: Any) -> Any:
    return pool[zlib.crc32(repr(generated).encode()) % len(pool)]


def _fix_query(query: dict[str, Any], pool: CursorPool) -> None:
    present = [name for name in pool.params if query.get(name) is not None]
    if len(present) > 1:  # the cursors are mutually exclusive: keep the forward one
        for name in present[1:]:
            query.pop(name)
        present = present[:1]
    for name in present:
        if not pool.cursors:
            query.pop(name)
        elif query[name] not in pool.cursors:
            query[name] = _pick(pool.cursors, query[name])


@contextmanager
def semantic_inputs(pools: Mapping[str, CursorPool]) -> Iterator[None]:
    """Install the hook for the duration of one run. `pools`: list path -> its cursors."""
    repair = BodyRepair()

    def before_call(context: HookContext, case: schemathesis.Case, kwargs: dict[str, Any]) -> None:
        meta = case.meta
        if meta is None or not meta.generation.mode.is_positive:
            return
        pool = pools.get(case.operation.path)
        if case.method.upper() == "GET" and isinstance(case.query, dict) and pool is not None:
            _fix_query(case.query, pool)
        repair(case.body)

    schemathesis.hook(before_call)
    try:
        yield
    finally:
        unregister(before_call)
