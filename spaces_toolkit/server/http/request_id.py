"""A fresh id on every answer, in the response header the spec declares for it (spec/NOTES.md
47), so that a client can name the request when something goes wrong. The header is added by
the app's outermost layer (front.py)."""

from __future__ import annotations

import functools
import os
import weakref

from ...spec import default_spec

__all__ = ["RequestIds", "request_id_header"]


@functools.cache
def request_id_header() -> str | None:
    """The response header the spec declares for request ids (a name ending in `request-id`)."""
    names = {
        header.name
        for op in default_spec().operations
        for response in op.responses
        for header in response.headers
        if header.name.lower().endswith("request-id")
    }
    return min(names, default=None)


_ID_BYTES = 12  # random bytes per id: `req_` and 24 hex digits
_BATCH = 256  # ids drawn from the system's random source at once


class RequestIds:
    """`req_` + 24 hex digits of the system's random source (os.urandom, as `secrets` draws),
    read for 256 ids at a time rather than one system call per request. A forked child draws
    afresh: it never hands out ids its parent had drawn."""

    def __init__(self) -> None:
        self._hex = b""
        self._at = 0
        _drawn.add(self)

    def next(self) -> bytes:
        at = self._at
        if at >= len(self._hex):
            self._hex = os.urandom(_ID_BYTES * _BATCH).hex().encode("ascii")
            at = 0
        self._at = at + 2 * _ID_BYTES
        return b"req_" + self._hex[at : at + 2 * _ID_BYTES]

    def forget(self) -> None:
        self._hex, self._at = b"", 0


_drawn: weakref.WeakSet[RequestIds] = weakref.WeakSet()


def _after_fork() -> None:
    for ids in list(_drawn):
        ids.forget()


if hasattr(os, "register_at_fork"):  # POSIX; elsewhere no process forks
    os.register_at_fork(after_in_child=_after_fork)
