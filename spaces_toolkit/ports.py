"""A free loopback port, for code that starts a server of its own on one (`python -m
spaces_toolkit.server.run.with_server`; the tests and benchmarks take it from here through
`testing.support`)."""

from __future__ import annotations

import socket

__all__ = ["free_port"]


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on at this moment (the OS's choice). Another process may take
    it before the caller binds it: use it for a server started right away."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])
