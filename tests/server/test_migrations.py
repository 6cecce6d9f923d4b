"""Numbered migrations: a fresh database gets all of them, a SQLite file written before
migrations existed upgrades in place, and a database newer than the code is refused."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import httpx
import pytest

from spaces_toolkit.server.app import create_app
from spaces_toolkit.server.sandbox.trigger import trigger
from spaces_toolkit.server.storage.database import Database, open_database
from spaces_toolkit.server.storage.migrations import SchemaTooNew, latest_version, migrations
from spaces_toolkit.server.storage.repo.accounts import (
    account_for_token,
    add_token,
    create_account,
    list_tokens,
    revoke_tokens,
    token_prefix,
)
from spaces_toolkit.server.storage.repo.signing_secrets import signing_secrets
from testing.pgcluster import PgCluster

from .conftest import DbUrls

OLD_SCHEMA = Path(__file__).parent / "data" / "schema_before_migrations.sql"


def test_both_backends_know_the_same_versions():
    sqlite_names = [m.name for m in migrations("sqlite")]
    assert sqlite_names == [m.name for m in migrations("postgresql")]
    assert [m.version for m in migrations("sqlite")] == list(range(1, len(sqlite_names) + 1))


def test_a_fresh_database_is_at_the_latest_version(db_url: DbUrls):
    db = open_database(db_url())
    try:
        assert db.schema_version == latest_version(db.dialect) >= 2
    finally:
        db.close()


def test_a_sqlite_file_from_before_migrations_upgrades_in_place(tmp_path: Path):
    """The file the server wrote before numbered migrations (schema.sql, user_version 1)."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.executescript(OLD_SCHEMA.read_text())
    conn.execute("PRAGMA user_version = 1")
    conn.execute(
        "INSERT INTO accounts (id, created, name, email, referral_code)"
        " VALUES (7, 1700000000, 'Old Account', 'old@example.com', 'abcdefg')"
    )
    conn.commit()
    conn.close()

    db = open_database(path)
    try:
        assert db.schema_version == latest_version("sqlite")
        with db.read() as tx:
            indexes = {r["name"] for r in tx.query("SELECT name FROM sqlite_master")}
            assert tx.query("SELECT name FROM accounts WHERE id = 7")[0]["name"] == "Old Account"
        assert "webhooks_due_by_account" in indexes  # migration 0006 ran
        assert "webhooks_claimable" not in indexes  # … and 0007
        trigger(db, 7, "customer.created")  # the old file is writable through the new code
        _token_states_and_signing_secrets_work(db, 7)
    finally:
        db.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == latest_version("sqlite")
    conn.close()


def _token_states_and_signing_secrets_work(db: Database, account_id: int) -> None:
    """The columns and tables of later migrations (token lifecycle, signing secrets) work."""
    token = add_token(db, account_id, expires_at=int(time.time()) + 3600)
    with db.read() as tx:
        assert account_for_token(tx, token) == account_id
        listed = [t for t in list_tokens(tx) if t["prefix"] == token_prefix(token)]
    assert listed[0]["expires_at"] is not None and listed[0]["revoked_at"] is None
    assert revoke_tokens(db, prefix=token_prefix(token)) == 1
    with db.read() as tx:
        assert account_for_token(tx, token) is None
    [secret] = signing_secrets(db, account_id)
    assert secret.startswith("whsec_")


def test_a_sqlite_file_that_grew_in_place_before_migrations_upgrades(tmp_path: Path):
    """Releases between the first one and numbered migrations grew the version-1 schema in
    place (token columns, the signing-secrets table); such a file upgrades too: the migrations
    that add what it already has skip it."""
    path = tmp_path / "grown.db"
    conn = sqlite3.connect(path)
    conn.executescript(OLD_SCHEMA.read_text())
    conn.executescript(
        "ALTER TABLE access_tokens ADD COLUMN prefix TEXT;"
        "ALTER TABLE access_tokens ADD COLUMN expires_at INTEGER;"
        "ALTER TABLE access_tokens ADD COLUMN revoked_at INTEGER;"
        "CREATE TABLE webhook_signing_secrets (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
        " account_id INTEGER NOT NULL REFERENCES accounts (id), secret TEXT NOT NULL,"
        " created REAL NOT NULL, expires_at REAL);"
        "INSERT INTO accounts (id, created, name, email, referral_code)"
        " VALUES (3, 1700000000, 'Grown', 'grown@example.com', 'abcdefg');"
        "PRAGMA user_version = 1;"
    )
    conn.close()
    db = open_database(path)
    try:
        assert db.schema_version == latest_version("sqlite")
        _token_states_and_signing_secrets_work(db, 3)
    finally:
        db.close()


def test_token_states_and_signing_secrets_on_a_fresh_database(db_url: DbUrls):
    db = open_database(db_url())
    try:
        account_id, _ = create_account(db)
        _token_states_and_signing_secrets_work(db, account_id)
    finally:
        db.close()


async def test_an_upgraded_file_is_served(tmp_path: Path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(OLD_SCHEMA.read_text())
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    from spaces_toolkit.server.settings import Settings

    app = create_app(Settings(db_path=path, run_delivery_worker=False))
    _, token = create_account(app.state.db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t/api/v1") as client:
        response = await client.get("/customers", auth=(token, ""))
    app.state.db.close()
    assert response.status_code == 200 and response.json()["data"] == []


def test_a_newer_sqlite_file_is_refused(tmp_path: Path):
    path = tmp_path / "new.db"
    open_database(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {latest_version('sqlite') + 1}")
    conn.close()
    with pytest.raises(SchemaTooNew, match="newer than this server knows"):
        open_database(path)


def test_a_newer_postgresql_database_is_refused(pg: PgCluster):
    url = pg.create_schema()
    db = open_database(url)
    with db.write() as tx:
        tx.execute(
            "INSERT INTO schema_version (version, name) VALUES (?, ?)",
            (latest_version("postgresql") + 1, "9999_from_the_future.sql"),
        )
    db.close()
    with pytest.raises(SchemaTooNew, match="newer than this server knows"):
        open_database(url)


def test_concurrent_openers_migrate_once(db_url: DbUrls):
    """Several processes starting at once on an empty database: one migrates, all open."""
    import concurrent.futures

    url = db_url()

    def opener(_: int) -> int:
        db = open_database(url)
        try:
            return db.schema_version
        finally:
            db.close()

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        versions = list(pool.map(opener, range(4)))
    assert set(versions) == {latest_version("sqlite")}


def test_spaces_db_migrate(db_url: DbUrls, capsys: pytest.CaptureFixture[str]):
    from spaces_toolkit.cli import main

    url = db_url()
    assert main(["db", "migrate", "--db", url]) == 0
    first = capsys.readouterr().out
    assert main(["db", "migrate", "--db", url]) == 0
    second = capsys.readouterr().out
    latest = latest_version("sqlite")
    assert f"schema version {latest}: applied 0001_initial.sql" in first
    assert f"schema version {latest}: already up to date" in second


def test_spaces_db_migrate_refuses_a_newer_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    from spaces_toolkit.cli import main

    path = tmp_path / "new.db"
    sqlite3.connect(path).execute(f"PRAGMA user_version = {latest_version('sqlite') + 5}")
    assert main(["db", "migrate", "--db", str(path)]) != 0
    err = capsys.readouterr().err
    assert "newer than this server knows" in err and "Traceback" not in err
