"""The delivery worker's database steps (`Database.run_steps`): where the backend's statements
can be awaited (PostgreSQL, asyncpg) they run on the worker's event loop, with no thread; on
SQLite on the worker's own threads, as before. A step's transactions behave as the backend's
usual ones: a write commits or rolls back whole, `execute` counts rows, `insert` answers the
new key, `lock` holds until the end, and an autocommitted statement stands alone."""

from __future__ import annotations

import asyncio
import threading

import pytest

from spaces_toolkit.server.settings import Settings
from spaces_toolkit.server.storage.database import Database, open_database
from spaces_toolkit.server.storage.repo.accounts import create_account
from spaces_toolkit.server.webhook_delivery.worker import DeliveryWorker


class _Refused(Exception):
    pass


def _names(db: Database) -> list[str]:
    with db.read() as tx:
        return [str(r["name"]) for r in tx.query("SELECT name FROM accounts ORDER BY id")]


def test_the_worker_steps_run_on_its_loop_where_statements_can_be_awaited(db_url):
    db = open_database(db_url())
    worker = DeliveryWorker(db, Settings())

    def step() -> str:
        with db.write() as tx:
            tx.execute("UPDATE accounts SET name = name WHERE id < 0")
        return threading.current_thread().name

    async def main() -> tuple[str, str]:
        try:
            return threading.current_thread().name, await worker._db(step)
        finally:
            await db.leave_loop()

    try:
        loop_thread, step_thread = asyncio.run(main())
    finally:
        worker.stop()
        db.close()
    if db.capabilities.awaited:
        assert step_thread == loop_thread  # no thread hop: awaited on the loop
    else:
        assert step_thread.startswith("spaces-delivery-db")  # the worker's own threads


def test_a_step_s_transactions_commit_roll_back_count_and_lock(db_url):
    db = open_database(db_url())
    [account, _] = create_account(db, name="first")

    def step() -> tuple[int, int, int, int]:
        with db.write() as tx:
            tx.lock("a step's lock")
            renamed = tx.execute("UPDATE accounts SET name = ? WHERE id = ?", ("renamed", account))
            secret = tx.insert(
                "INSERT INTO webhook_signing_secrets (account_id, secret, created)"
                " VALUES (?, ?, ?)",
                (account, "whsec_c3RlcA==", 1.0),
            )
        with pytest.raises(_Refused), db.write() as tx:
            tx.execute("UPDATE accounts SET name = ? WHERE id = ?", ("rolled back", account))
            raise _Refused
        with db.autocommit() as tx:
            none = tx.execute("UPDATE accounts SET name = ? WHERE id = ?", ("nobody", -1))
            alone = tx.execute("UPDATE accounts SET email = ? WHERE id = ?", ("a@b.c", account))
        return renamed, secret, none, alone

    async def main() -> tuple[int, int, int, int]:
        try:
            return await db.run_steps(step)
        finally:
            await db.leave_loop()

    try:
        renamed, secret, none, alone = asyncio.run(main())
        assert (renamed, none, alone) == (1, 0, 1)
        assert _names(db) == ["renamed"]
        with db.read() as tx:
            row = tx.one("SELECT account_id FROM webhook_signing_secrets WHERE seq = ?", (secret,))
            email = tx.one("SELECT email FROM accounts WHERE id = ?", (account,))
        assert row is not None and row["account_id"] == account
        assert email is not None and email["email"] == "a@b.c"
    finally:
        db.close()


def test_a_failed_statement_in_a_step_leaves_the_connection_usable(db_url):
    db = open_database(db_url())
    create_account(db, name="kept")

    def step() -> list[str]:
        for _ in range(3):  # more failures than one connection would survive if not rolled back
            with pytest.raises(Exception, match="no_such_table"), db.write() as tx:
                tx.query("SELECT * FROM no_such_table")
        with db.autocommit() as tx:
            return [str(r["name"]) for r in tx.query("SELECT name FROM accounts")]

    async def main() -> list[str]:
        try:
            return await db.run_steps(step)
        finally:
            await db.leave_loop()

    try:
        assert asyncio.run(main()) == ["kept"]
    finally:
        db.close()


def test_a_loop_that_left_and_reads_again_keeps_its_connections_where_close_finds_them(db_url):
    db = open_database(db_url())
    if not db.capabilities.awaited:
        db.close()
        pytest.skip("SQLite keeps nothing per event loop")
    reads = db._reads  # type: ignore[attr-defined]

    async def main() -> int:
        await db.run_steps(_names, db)
        await db.leave_loop()
        await db.run_steps(_names, db)  # the same loop again, after it left
        return sum(len(pool.idle) for pool in reads._pools.values())

    try:
        assert asyncio.run(main()) == 1  # the new connection is in a pool `close()` closes
    finally:
        db.close()
