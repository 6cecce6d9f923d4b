"""The HTTP connection limits (limits.py enforces them) as values and as `spaces serve` flags.

Apart from the protocol that enforces them, so that building the `spaces` command line does not
import uvicorn.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable
from typing import Any

from ...clihelp import Duration, format_duration, positive_int

__all__ = ["HttpLimits", "add_arguments", "from_args"]


@dataclasses.dataclass(frozen=True)
class HttpLimits:
    keep_alive_timeout: float = 5.0
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    max_connections: int = 1000
    max_request_line: int = 8192
    max_headers: int = 100
    max_header_bytes: int = 16384
    tls_handshake_timeout: float = 5.0


_FLAGS: list[tuple[str, Callable[[str], Any], str, str]] = [
    ("keep_alive_timeout", Duration(), "DURATION", "close a connection idle this long"),
    ("header_timeout", Duration(), "DURATION", "408 unless request line and headers arrive within"),
    ("body_timeout", Duration(), "DURATION", "408 unless the request body arrives within"),
    ("max_connections", positive_int, "N", "answer 503 to connections beyond this many open ones"),
    ("max_request_line", positive_int, "BYTES", "414 for a longer request line (URL)"),
    ("max_headers", positive_int, "N", "431 for more request headers"),
    ("max_header_bytes", positive_int, "BYTES", "431 for more bytes of request headers"),
    (
        "tls_handshake_timeout",
        Duration(),
        "DURATION",
        "with --certfile: close a connection whose TLS handshake (or closing exchange) takes"
        " longer",
    ),
]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """`spaces serve` flags for every limit (defaults: HttpLimits)."""
    group = parser.add_argument_group("connection limits")
    defaults = HttpLimits()
    for name, parse, metavar, text in _FLAGS:
        default = getattr(defaults, name)
        shown = format_duration(default) if isinstance(parse, Duration) else f"{default:g}"
        group.add_argument(
            "--" + name.replace("_", "-"),
            type=parse,
            default=default,
            metavar=metavar,
            help=f"{text} (default {shown})",
        )


def from_args(args: argparse.Namespace) -> HttpLimits:
    return HttpLimits(**{name: getattr(args, name) for name, *_ in _FLAGS})
