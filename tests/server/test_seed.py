"""`spaces seed` writes in short chunks beside a live server, and a seed that stopped part-way
is finished by running it again: the same data as one uninterrupted run, nothing twice."""

from __future__ import annotations

import threading

import pytest

from spaces_toolkit.server.sandbox import seed as seed_module
from spaces_toolkit.server.sandbox.seed import SeedError, SeedIncomplete, seed_account
from spaces_toolkit.server.sandbox.trigger import trigger
from spaces_toolkit.server.storage.database import open_database
from spaces_toolkit.server.storage.repo.accounts import create_account

from .test_cli import spaces

TABLES = ["spaces", "customers", "invoices", "subscriptions", "captured_emails", "events"]
TABLES += ["resource_subscriptions", "webhooks"]
SKIP = {"seq", "next_attempt_at"}


def _content(db) -> dict[str, list[tuple]]:
    """Every seeded row without its internal keys (a rolled-back chunk may leave gaps in
    PostgreSQL's sequences) and the wall-clock time a seeded webhook was settled at, in
    insertion order."""
    with db.read() as tx:
        return {
            table: [
                tuple(row[k] for k in row.keys() if k not in SKIP and not k.endswith("_seq"))  # noqa: SIM118 (sqlite3.Row has keys() only)
                for row in tx.query(f"SELECT * FROM {table} ORDER BY seq")
            ]
            for table in TABLES
        }


def test_an_interrupted_seed_resumes_to_the_same_data(db_url, monkeypatch):
    monkeypatch.setattr(seed_module, "PAUSE_SECONDS", 0.0)
    whole, parts = open_database(db_url("whole.db")), open_database(db_url("parts.db"))
    try:
        for db in (whole, parts):
            create_account(db)
        seed_account(whole, 1, customers=250, seed=5)

        def stop_at_200(n: int) -> None:
            if n == 200:
                raise KeyboardInterrupt

        with pytest.raises(SeedIncomplete) as stopped:  # a chunk per customer
            seed_account(parts, 1, customers=250, seed=5, progress=stop_at_200, chunk_seconds=0)
        assert (stopped.value.done, stopped.value.total) == (199, 250)
        assert "run the same command again" in str(stopped.value)
        with parts.read() as tx:
            row = tx.one("SELECT COUNT(*) AS n FROM customers")
        assert row is not None and int(row["n"]) == 199  # what a stopped seed leaves
        summary = seed_account(parts, 1, customers=250, seed=5, chunk_seconds=0.001)
        assert summary.resumed_at == 199 and summary.customers == 250
        again = seed_account(parts, 1, customers=250, seed=5)
        assert again.finished_before and again.customers == 250
        assert _content(parts) == _content(whole)
        with pytest.raises(SeedError, match="--customers 250"):
            seed_account(parts, 1, customers=300, seed=5)
    finally:
        whole.close()
        parts.close()


def test_a_write_beside_a_seed_is_not_held_until_the_seed_ends(tmp_path):
    """SQLite has one write lock: a write asked for while the seed runs gets in between two of
    its chunks, well before the seed's last customer (it used to wait for all of them)."""
    db = open_database(tmp_path / "s.db")
    try:
        seeded, other = create_account(db)[0], create_account(db)[0]
        asked = threading.Event()
        done = threading.Event()

        def write_once_asked() -> None:
            asked.wait(60)
            trigger(db, other, "customer.created")
            done.set()

        writer = threading.Thread(target=write_once_asked)
        writer.start()
        # Chunks of 50 ms: a machine that writes 3,000 customers in under the default second
        # would otherwise seed them in one chunk.
        seed_account(
            db, seeded, customers=3000, seed=1, progress=lambda n: asked.set(), chunk_seconds=0.05
        )
        writer.join()
        with db.read() as tx:
            [theirs] = tx.query("SELECT seq FROM customers WHERE account_id = ?", (other,))
            last = tx.one("SELECT MAX(seq) AS seq FROM customers WHERE account_id = ?", (seeded,))
    finally:
        db.close()
    assert done.is_set() and last is not None
    assert theirs["seq"] < last["seq"], "the write waited for the whole seed"


def test_the_cli_finishes_a_seed_and_refuses_one_it_cannot_tell_apart(tmp_path, capsys):
    db = tmp_path / "s.db"
    spaces("token", "create", "--db", db, capsys=capsys)
    code, out = spaces("seed", "--db", db, "--customers", 5, capsys=capsys)
    assert code == 0 and "5 customers" in out.out
    code, out = spaces("seed", "--db", db, "--customers", 5, capsys=capsys)
    assert code == 0 and "nothing to do" in out.out
    code, out = spaces("seed", "--db", db, "--customers", 6, capsys=capsys)
    assert code == 1 and "--customers 5" in out.err and "another --seed" in out.err
    # data of this seed written by a version that did not record its runs
    database = open_database(db)
    with database.write() as tx:
        tx.execute("DELETE FROM seed_runs")
    database.close()
    code, out = spaces("seed", "--db", db, "--customers", 5, capsys=capsys)
    assert code == 1 and "already holds the data of --seed 0" in out.err
    assert "Traceback" not in out.err
