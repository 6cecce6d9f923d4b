"""`spaces db migrate`: bring a database's schema up to this version's newest migration.

Servers and other commands migrate on opening too; this is for doing it ahead of a deploy (one
step, before N server processes and workers start) and for seeing the version."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ...errors import CLIError
from ..storage.database import is_database_url
from ..storage.migrations import SchemaTooNew

__all__ = ["register", "database_settings"]


def database_settings(db: str) -> dict[str, Any]:
    """Settings fields for a `--db` value: a PostgreSQL URL or a SQLite file."""
    # Any URL stays a URL (Path would fold its "//"): open_database accepts or refuses it.
    return {"db_url": db} if is_database_url(db) or "://" in db else {"db_path": Path(db)}


def _migrate(args: argparse.Namespace) -> int:
    from ..storage.database import open_database

    try:
        db = open_database(args.db)
    except SchemaTooNew as exc:
        raise CLIError(str(exc)) from None
    except Exception as exc:
        raise CLIError(f"cannot open database {args.db}: {exc}") from None
    try:
        applied = list(getattr(db, "applied_migrations", []))
        version = db.schema_version
    finally:
        db.close()
    done = f"applied {', '.join(applied)}" if applied else "already up to date"
    print(f"{db.dialect} database at schema version {version}: {done}")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from .cli import _db_arg

    p = subparsers.add_parser("db", help="manage the reference server's database")
    sub = p.add_subparsers(dest="db_command", metavar="COMMAND", required=True)
    m = sub.add_parser(
        "migrate",
        help="apply the schema migrations the database lacks (servers also do this on start)",
    )
    _db_arg(m)
    m.set_defaults(func=_migrate)
