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

from ...errors import CLIError
from ..webhook_delivery.flags import add_delivery_arguments, delivery_settings
from .db_cli import database_settings

__all__ = ["register"]


def _worker(args: argparse.Namespace) -> int:
    from ..settings import Settings
    from ..storage.database import open_database
    from ..webhook_delivery.worker import DeliveryWorker

    settings = Settings(
        **database_settings(args.db),
        **delivery_settings(args),
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
    add_delivery_arguments(p)
    p.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    p.set_defaults(func=_worker)
