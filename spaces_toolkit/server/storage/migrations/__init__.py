"""Numbered schema migrations, one directory per SQL dialect (`sqlite/`, `postgresql/`).

A migration is a file `NNNN_what_it_does.sql` (NNNN = its version, from 0001, no gaps). A
database records the version it is at (SQLite: `PRAGMA user_version`; PostgreSQL: the
`schema_version` table); opening it applies every newer file in order, each in the same
transaction as the version bump, and refuses a database whose version is newer than the newest
file here (a newer server wrote it). Adding a schema change is adding `0002_….sql` to both
directories; nothing else changes.

0001 is the schema of the single-file server before migrations existed, whose SQLite files carry
`user_version = 1`, so those files upgrade in place. Some releases of that time grew the
version-1 schema in place (token lifecycle columns, the signing-secrets table), so later
migrations that add those are idempotent: `CREATE … IF NOT EXISTS`, and on SQLite (which has no
`ADD COLUMN IF NOT EXISTS`) the runner skips an `ALTER TABLE … ADD COLUMN` of a column that
exists.
"""

from __future__ import annotations

import dataclasses
import re
from importlib import resources

__all__ = [
    "Migration",
    "migrations",
    "latest_version",
    "pending",
    "split_statements",
    "SchemaTooNew",
]

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class SchemaTooNew(RuntimeError):
    """The database was migrated by a newer version of the server than this one."""


@dataclasses.dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations(dialect: str) -> list[Migration]:
    """The migrations of `dialect` in order; ValueError if their numbering has a gap."""
    folder = resources.files(__package__).joinpath(dialect)
    found = []
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), entry.name, entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise ValueError(
                f"{dialect} migrations: expected version {expected}, found {migration.name}"
            )
    return found


def latest_version(dialect: str) -> int:
    found = migrations(dialect)
    return found[-1].version if found else 0


def pending(dialect: str, current: int, where: str) -> list[Migration]:
    """The migrations a database at `current` needs; SchemaTooNew if it is ahead of this code."""
    latest = latest_version(dialect)
    if current > latest:
        raise SchemaTooNew(
            f"{where}: database schema version {current} is newer than this server knows"
            f" ({latest}); upgrade spaces-toolkit"
        )
    return [m for m in migrations(dialect) if m.version > current]


def split_statements(sql: str) -> list[str]:
    """Split a migration into statements at `;` line ends (comment lines dropped). Migrations
    keep one statement per `;`-terminated line group; `$$` bodies are kept whole."""
    statements, buf, in_dollar = [], [], False
    for line in sql.splitlines():
        if not in_dollar and line.lstrip().startswith("--"):
            continue
        buf.append(line)
        if line.count("$$") % 2:
            in_dollar = not in_dollar
        if not in_dollar and line.rstrip().endswith(";"):
            statement = "\n".join(buf).strip()
            if statement.rstrip(";").strip():
                statements.append(statement)
            buf = []
    if "\n".join(buf).strip():
        raise ValueError("migration ends with an incomplete statement (no closing ';')")
    return statements
