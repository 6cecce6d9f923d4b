"""`spaces worker`: a delivery worker without the HTTP server, for running M workers apart from
N `spaces serve` processes on one PostgreSQL database (or beside one server on a SQLite file).

Workers claim deliveries with a lease, so any number can run; on PostgreSQL they wake on
NOTIFY when deliveries are queued and poll as a fallback. SIGTERM or Ctrl-C lets deliveries in
flight finish and record their outcome before exiting."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from ..errors import CLIError
from .db_cli import database_settings
from .retry import parse_schedule

__all__ = ["register"]


def _worker(args: argparse.Namespace) -> int:
    from .db import open_database
    from .delivery import DeliveryWorker
    from .settings import Settings

    if args.webhook_retry_interval <= 0:
        raise CLIError("--webhook-retry-interval must be positive")
    if args.webhook_timeout <= 0:
        raise CLIError("--webhook-timeout must be positive")
    if args.concurrency < 1:
        raise CLIError("--concurrency must be at least 1")
    try:
        parse_schedule(args.webhook_retry_schedule, interval=args.webhook_retry_interval)
    except ValueError as exc:
        raise CLIError(f"--webhook-retry-schedule: {exc}") from None
    settings = Settings(
        **database_settings(args.db),
        allow_private_targets=args.allow_private_targets,
        webhook_retry_interval=args.webhook_retry_interval,
        webhook_retry_schedule=args.webhook_retry_schedule,
        webhook_concurrency=args.concurrency,
        webhook_timeout=args.webhook_timeout,
    )
    logging.basicConfig(
        level=args.log_level.upper(), format="%(levelname)s:     %(name)s: %(message)s"
    )
    try:
        db = open_database(settings.database)
    except Exception as exc:
        raise CLIError(f"cannot open database {args.db}: {exc}") from None
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    worker = DeliveryWorker(db, settings)
    try:
        worker.start()
        db.listen(worker.wake)
        print(f"Spaces delivery worker {worker.owner} on {db.dialect} database", file=sys.stderr)
        while not stop.wait(1.0):
            pass
    finally:
        worker.stop()
        db.close()
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from .cli import _db_arg

    p = subparsers.add_parser(
        "worker",
        help="deliver webhooks (without serving HTTP); run any number beside `spaces serve`",
    )
    _db_arg(p)
    p.add_argument(
        "--allow-private-targets",
        action="store_true",
        help="let webhooks go to loopback/private addresses (local receivers, tests)",
    )
    p.add_argument(
        "--webhook-retry-interval",
        type=float,
        default=3600.0,
        metavar="SECONDS",
        help="wait between delivery attempts of a failed webhook (default 3600)",
    )
    p.add_argument(
        "--webhook-retry-schedule",
        default="fixed",
        metavar="SCHEDULE",
        help="fixed (every --webhook-retry-interval) or exponential[:BASE[:CAP]] (default fixed)",
    )
    p.add_argument(
        "--webhook-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="total deadline of one delivery: connect, send, answer (default 10)",
    )
    p.add_argument(
        "--concurrency",
        type=int,
        default=16,
        metavar="N",
        help="deliveries in flight at once; one account gets a quarter (default 16)",
    )
    p.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    p.set_defaults(func=_worker)
