"""The webhook-delivery flags that `spaces serve` and `spaces worker` share, and their checks:
one definition, so a server process and a separate worker read the same settings the same way."""

from __future__ import annotations

import argparse
from typing import Any

from ...clihelp import Duration, format_duration
from ...errors import CLIError
from ..settings import Settings
from .retry import parse_schedule

__all__ = ["add_delivery_arguments", "delivery_settings"]

_DEFAULTS = Settings()  # the defaults are Settings' own (written once, there)


def add_delivery_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--allow-private-targets",
        action="store_true",
        help="let webhooks go to loopback/private addresses (local receivers, tests)",
    )
    p.add_argument(
        "--webhook-retry-interval",
        type=Duration(),
        default=_DEFAULTS.webhook_retry_interval,
        metavar="DURATION",
        help="wait between delivery attempts of a failed webhook"
        f" (default {format_duration(_DEFAULTS.webhook_retry_interval)})",
    )
    p.add_argument(
        "--webhook-retry-schedule",
        default=_DEFAULTS.webhook_retry_schedule,
        metavar="SCHEDULE",
        help="fixed (every --webhook-retry-interval, the documented hourly x24) or"
        " exponential[:BASE[:CAP]] with jitter, e.g. exponential:30s:1h"
        f" (default {_DEFAULTS.webhook_retry_schedule})",
    )
    p.add_argument(
        "--webhook-timeout",
        type=Duration(),
        default=_DEFAULTS.webhook_timeout,
        metavar="DURATION",
        help="total deadline of one delivery: connect, send, answer"
        f" (default {format_duration(_DEFAULTS.webhook_timeout)})",
    )
    p.add_argument(
        "--webhook-concurrency",
        type=int,
        default=_DEFAULTS.webhook_concurrency,
        metavar="N",
        help=(
            "deliveries in flight at once; each account is owed a quarter, one alone may use"
            f" them all (default {_DEFAULTS.webhook_concurrency})"
        ),
    )


def delivery_settings(args: argparse.Namespace) -> dict[str, Any]:
    """Settings fields of the delivery flags, checked (CLIError names the flag)."""
    if args.webhook_retry_interval <= 0:
        raise CLIError("--webhook-retry-interval must be positive")
    if args.webhook_timeout <= 0 or args.webhook_concurrency < 1:
        raise CLIError("--webhook-timeout and --webhook-concurrency must be positive")
    try:
        parse_schedule(args.webhook_retry_schedule, interval=args.webhook_retry_interval)
    except ValueError as exc:
        raise CLIError(f"--webhook-retry-schedule: {exc}") from None
    return {
        "allow_private_targets": args.allow_private_targets,
        "webhook_retry_interval": args.webhook_retry_interval,
        "webhook_retry_schedule": args.webhook_retry_schedule,
        "webhook_timeout": args.webhook_timeout,
        "webhook_concurrency": args.webhook_concurrency,
    }
