"""The two dialects' migrations (spaces_toolkit/server/storage/migrations/{sqlite,postgresql}) build
the same schema: each dialect's migrations, however many there are, are applied to a fresh database
by the server's own runner, the schema is read back from the database's catalogue, and the two
must agree on tables, columns (in order, with types mapped by TYPES, nullability and defaults),
primary keys, unique constraints, foreign keys and indexes (name, columns, uniqueness, partial
predicate). Tampered copies of the SQLite migrations (a migration only that dialect has, a column
that differs) must fail the comparison, so a passing run means something.

Left out on purpose: PostgreSQL's NOTIFY trigger (a capability SQLite has no counterpart for;
its workers poll) and each runner's bookkeeping (SQLite's `PRAGMA user_version`, PostgreSQL's
`schema_version` table).
"""

from __future__ import annotations

import dataclasses
import re
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from spaces_toolkit.server.storage.database import open_database
from spaces_toolkit.server.storage.migrations import migrations, split_statements
from testing.pgcluster import PgCluster

# The one mapping of each dialect's column types onto the types they mean. A type not listed
# here fails the test: map it (to the type its twin in the other dialect maps to) or change it.
TYPES = {
    "sqlite": {"INTEGER": "integer", "TEXT": "text", "REAL": "real"},
    "postgresql": {
        "bigint": "integer",
        "integer": "integer",
        "text": "text",
        "double precision": "real",
    },
}
# Tables each runner keeps for itself, not created by a migration.
BOOKKEEPING = {"sqlite": frozenset(), "postgresql": frozenset({"schema_version"})}
_PG_ACTIONS = {
    "a": "NO ACTION",
    "r": "RESTRICT",
    "c": "CASCADE",
    "n": "SET NULL",
    "d": "SET DEFAULT",
}


@dataclasses.dataclass(frozen=True)
class Column:
    name: str
    type: str
    not_null: bool
    default: str | None


@dataclasses.dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    table: str
    references: tuple[str, ...]
    on_update: str
    on_delete: str


@dataclasses.dataclass(frozen=True)
class Index:
    columns: tuple[str, ...]
    unique: bool
    where: str | None


@dataclasses.dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    unique: frozenset[tuple[str, ...]]
    foreign_keys: frozenset[ForeignKey]
    indexes: tuple[tuple[str, Index], ...]  # by name


Schema = dict[str, Table]


def _mapped(dialect: str, table: str, column: str, declared: str) -> str:
    mapped = TYPES[dialect].get(declared)
    assert mapped is not None, f"{dialect} {table}.{column}: type {declared!r} is not in TYPES"
    return mapped


def _expression(text: str | None) -> str | None:
    """A default or predicate as both catalogues can spell it: no casts, parentheses, spaces."""
    if text is None:
        return None
    text = re.sub(r"::[a-z ]+", "", text)
    return re.sub(r"[()\s]", "", text).lower()


# ---------------------------------------------------------------- SQLite


def _sqlite_table(conn: sqlite3.Connection, name: str) -> Table:
    info = conn.execute(f"PRAGMA table_info({name})").fetchall()  # cid name type notnull dflt pk
    key = tuple(row[1] for row in sorted((r for r in info if r[5]), key=lambda r: r[5]))
    columns = tuple(
        # A primary-key column is NOT NULL in PostgreSQL; SQLite only enforces that for an
        # INTEGER PRIMARY KEY, so the key's columns count as NOT NULL here.
        Column(n, _mapped("sqlite", name, n, t.upper()), bool(nn) or n in key, _expression(d))
        for _, n, t, nn, d, _ in info
    )
    groups: dict[int, list[tuple]] = {}
    for row in conn.execute(f"PRAGMA foreign_key_list({name})"):  # id seq table from to upd del
        groups.setdefault(row[0], []).append(row)
    keys = set()
    for rows in groups.values():
        rows.sort(key=lambda r: r[1])
        target = rows[0][2]
        refs = tuple(r[4] for r in rows)
        if None in refs:  # REFERENCES t without columns: its primary key
            refs = _sqlite_table(conn, target).primary_key
        keys.add(ForeignKey(tuple(r[3] for r in rows), target, refs, rows[0][5], rows[0][6]))
    unique, indexes = set(), []
    for _, index, is_unique, origin, partial in conn.execute(f"PRAGMA index_list({name})"):
        cols = tuple(r[2] for r in conn.execute(f"PRAGMA index_info({index})"))
        if origin == "u":
            unique.add(cols)
        elif origin == "c":
            sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (index,))
            sql = sql.fetchone()[0]
            where = sql.split(" WHERE ", 1)[1] if partial else None
            indexes.append((index, Index(cols, bool(is_unique), _expression(where))))
    return Table(columns, key, frozenset(unique), frozenset(keys), tuple(sorted(indexes)))


def sqlite_schema(path: Path) -> Schema:
    conn = sqlite3.connect(path)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {n: _sqlite_table(conn, n) for n in sorted(set(names) - BOOKKEEPING["sqlite"])}
    finally:
        conn.close()


# ---------------------------------------------------------------- PostgreSQL

_PG_NAMES = (
    "ARRAY(SELECT a.attname FROM unnest({keys}) WITH ORDINALITY AS k (n, i)"
    " JOIN pg_attribute a ON a.attrelid = {rel} AND a.attnum = k.n ORDER BY k.i)"
)


def _pg_table(conn, oid: int, name: str) -> Table:  # noqa: ANN001 - a psycopg connection
    info = conn.execute(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,"
        " pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a LEFT JOIN pg_attrdef d"
        " ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
        " WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
        (oid,),
    ).fetchall()
    columns = tuple(
        Column(n, _mapped("postgresql", name, n, t), nn, _expression(d)) for n, t, nn, d in info
    )
    constraints = conn.execute(
        "SELECT c.contype, "
        + _PG_NAMES.format(keys="c.conkey", rel="c.conrelid")
        + ", (SELECT relname FROM pg_class WHERE oid = c.confrelid), "
        + _PG_NAMES.format(keys="c.confkey", rel="c.confrelid")
        + ", c.confupdtype, c.confdeltype FROM pg_constraint c WHERE c.conrelid = %s",
        (oid,),
    ).fetchall()
    key: tuple[str, ...] = ()
    unique, keys = set(), set()
    for kind, cols, target, refs, on_update, on_delete in constraints:
        if kind == "p":
            key = tuple(cols)
        elif kind == "u":
            unique.add(tuple(cols))
        elif kind == "f":
            actions = _PG_ACTIONS[on_update], _PG_ACTIONS[on_delete]
            keys.add(ForeignKey(tuple(cols), target, tuple(refs), *actions))
    indexes = conn.execute(
        "SELECT i.relname, x.indisunique, pg_get_expr(x.indpred, x.indrelid), "
        + _PG_NAMES.format(keys="x.indkey::int2[]", rel="x.indrelid")
        + " FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conrelid = x.indrelid"
        " AND c.conindid = x.indexrelid AND c.contype IN ('p', 'u'))",
        (oid,),
    ).fetchall()
    found = tuple(sorted((n, Index(tuple(c), u, _expression(w))) for n, u, w, c in indexes))
    return Table(columns, key, frozenset(unique), frozenset(keys), found)


def pg_schema(url: str) -> Schema:
    import psycopg

    with psycopg.connect(url) as conn:
        tables = conn.execute(
            "SELECT oid, relname FROM pg_class"
            " WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r'"
        ).fetchall()
        return {
            name: _pg_table(conn, oid, name)
            for oid, name in sorted(tables, key=lambda t: t[1])
            if name not in BOOKKEEPING["postgresql"]
        }


# ---------------------------------------------------------------- comparing


def differences(
    a: Schema, b: Schema, names: tuple[str, str] = ("sqlite", "postgresql")
) -> list[str]:
    """Every way the two schemas differ, one line each (empty: equal)."""
    out = [f"table {t} only in {names[0]}" for t in sorted(a.keys() - b.keys())]
    out += [f"table {t} only in {names[1]}" for t in sorted(b.keys() - a.keys())]
    for table in sorted(a.keys() & b.keys()):
        for field in dataclasses.fields(Table):
            mine, theirs = getattr(a[table], field.name), getattr(b[table], field.name)
            if mine == theirs:
                continue
            if field.name == "columns" and [c.name for c in mine] == [c.name for c in theirs]:
                pairs = [(x, y) for x, y in zip(mine, theirs, strict=True) if x != y]
                mine, theirs = tuple(x for x, _ in pairs), tuple(y for _, y in pairs)
            elif field.name == "columns":
                mine, theirs = [c.name for c in mine], [c.name for c in theirs]
            elif field.name == "indexes":
                mine, theirs = set(mine) - set(theirs), set(theirs) - set(mine)
            out.append(f"{table}.{field.name}: {names[0]} {mine!r} != {names[1]} {theirs!r}")
    return out


def _applied(path: Path, texts: list[str]) -> Schema:
    """The schema of a fresh SQLite file after `texts` (migrations), statement by statement as
    the runner splits them."""
    conn = sqlite3.connect(path)
    try:
        for text in texts:
            for statement in split_statements(text):
                conn.execute(statement)
        conn.commit()
    finally:
        conn.close()
    return sqlite_schema(path)


@pytest.fixture(scope="module")
def schemas(pg: PgCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Schema]]:
    """Each dialect's schema as the server's runner builds it on a fresh database."""
    found = {}
    for dialect, url in (
        ("sqlite", str(tmp_path_factory.mktemp("equal") / "spaces.db")),
        ("postgresql", pg.create_schema("equal")),
    ):
        db = open_database(url)
        try:
            assert db.dialect == dialect
            assert db.schema_version == len(migrations(dialect))
        finally:
            db.close()
        found[dialect] = sqlite_schema(Path(url)) if dialect == "sqlite" else pg_schema(url)
    yield found


def test_both_dialects_build_the_same_schema(schemas: dict[str, Schema]) -> None:
    assert len(schemas["sqlite"]) >= 10  # the catalogue was read, not an empty database
    assert "webhooks_due_by_account" in dict(schemas["postgresql"]["webhooks"].indexes)
    assert differences(schemas["sqlite"], schemas["postgresql"]) == []


def test_the_files_applied_in_order_are_what_the_runner_builds(
    schemas: dict[str, Schema], tmp_path: Path
) -> None:
    """The tampered copies below are applied this way, so they stand for real migrations."""
    texts = [m.sql for m in migrations("sqlite")]
    assert differences(_applied(tmp_path / "files.db", texts), schemas["sqlite"]) == []


def _extra(sql: str) -> list[str]:
    return [*(m.sql for m in migrations("sqlite")), sql]


def _changed(old: str, new: str) -> list[str]:
    """The SQLite migrations with `old` (found in exactly one of them) replaced by `new`."""
    texts = [m.sql for m in migrations("sqlite")]
    assert sum(text.count(old) for text in texts) == 1, old
    return [text.replace(old, new) for text in texts]


# case -> (the SQLite migrations, tampered; the field of the comparison that must tell)
TAMPERED: dict[str, tuple[Callable[[], list[str]], str]] = {
    "a migration only SQLite has (an index)": (
        lambda: _extra("CREATE INDEX IF NOT EXISTS events_by_type ON events (account_id, type);"),
        "events.indexes",
    ),
    "a migration only SQLite has (a column)": (
        lambda: _extra("ALTER TABLE webhooks ADD COLUMN last_error TEXT;"),
        "webhooks.columns",
    ),
    "a column's type": (
        lambda: _changed("    data TEXT NOT NULL,", "    data INTEGER NOT NULL,"),
        "events.columns",
    ),
    "a column's nullability": (
        lambda: _changed(
            "    name TEXT NOT NULL,\n    email TEXT NOT NULL,\n    created",
            "    name TEXT NOT NULL,\n    email TEXT,\n    created",
        ),
        "customers.columns",
    ),
    "the order of columns": (
        lambda: _changed(
            "    name TEXT NOT NULL,\n    email TEXT NOT NULL,\n    avatar",
            "    email TEXT NOT NULL,\n    name TEXT NOT NULL,\n    avatar",
        ),
        "accounts.columns",
    ),
    "a default": (
        lambda: _changed(
            "    paid INTEGER NOT NULL DEFAULT 0,", "    paid INTEGER NOT NULL DEFAULT 1,"
        ),
        "invoices.columns",
    ),
    "a primary key": (
        lambda: _changed("    token_hash TEXT PRIMARY KEY,", "    token_hash TEXT NOT NULL,"),
        "access_tokens.primary_key",
    ),
    "a unique constraint": (
        lambda: _changed(
            "    UNIQUE (space_seq, order_number)\n", "    CHECK (order_number > 0)\n"
        ),
        "invoices.unique",
    ),
    "a foreign key": (
        lambda: _changed(
            "    event_seq INTEGER NOT NULL REFERENCES events (seq),",
            "    event_seq INTEGER NOT NULL,",
        ),
        "webhooks.foreign_keys",
    ),
    "an index's columns": (
        lambda: _changed(
            "ON webhooks (pending, account_id, next_attempt_at, seq)",
            "ON webhooks (pending, next_attempt_at, account_id, seq)",
        ),
        "webhooks.indexes",
    ),
    "a partial index's condition": (
        lambda: _changed(
            "account_id, next_attempt_at, seq) WHERE pending = 1;",
            "account_id, next_attempt_at, seq);",
        ),
        "webhooks.indexes",
    ),
}


@pytest.mark.parametrize("case", TAMPERED)
def test_a_tampered_copy_is_told_apart(
    case: str, schemas: dict[str, Schema], tmp_path: Path
) -> None:
    tampered, where = TAMPERED[case]
    found = differences(_applied(tmp_path / "tampered.db", tampered()), schemas["postgresql"])
    assert [line for line in found if line.startswith(where + ":")], found
