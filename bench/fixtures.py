"""Databases for the benchmarks.

`seeded_database` uses the server's own seeding (`spaces seed`'s code) for a realistic account;
`bulk_database` writes N customers of one account straight into the server's tables (seeding a
million customers with their invoices and events would take hours), and is built once into
build/bench/ and reused by later runs."""

from __future__ import annotations

import dataclasses
import json
import random
import time
from pathlib import Path

from spaces_toolkit.server.sandbox.seed import seed_account
from spaces_toolkit.server.storage.database import open_database
from spaces_toolkit.server.storage.ids import ALPHABET
from spaces_toolkit.server.storage.repo.accounts import create_account

__all__ = ["Fixture", "seeded_database", "bulk_database", "BUILD_DIR", "basic_header"]

BUILD_DIR = Path(__file__).resolve().parent.parent / "build" / "bench"
BULK_FORMAT = 1  # bump when bulk_database writes different rows


@dataclasses.dataclass(frozen=True)
class Fixture:
    db_path: Path
    token: str
    customers: int
    newest_id: str  # first customer of the first page
    deep_cursor: str  # starting_after this id gives the last page of 20


def basic_header(token: str) -> dict[str, str]:
    import base64

    return {"Authorization": "Basic " + base64.b64encode(f"{token}:".encode()).decode()}


def _ids(db_path: Path, account_id: int) -> tuple[str, str]:
    db = open_database(db_path)
    try:
        with db.read() as tx:
            where = "FROM customers WHERE account_id = ? ORDER BY seq"
            newest = tx.one(f"SELECT id {where} DESC LIMIT 1", (account_id,))
            deep = tx.one(f"SELECT id {where} ASC LIMIT 1 OFFSET 20", (account_id,))
    finally:
        db.close()
    assert newest is not None and deep is not None, "fixture needs more than 20 customers"
    return str(newest["id"]), str(deep["id"])


def seeded_database(db_path: Path, customers: int) -> Fixture:
    """A fresh database with one account seeded like `spaces seed --customers N`."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    db = open_database(db_path)
    try:
        account_id, token = create_account(db, name="Bench", email="bench@example.com")
        seed_account(db, account_id, spaces=3, customers=customers, seed=7)
    finally:
        db.close()
    newest, deep = _ids(db_path, account_id)
    return Fixture(db_path, token, customers, newest, deep)


def bulk_database(customers: int, *, build_dir: Path = BUILD_DIR, log=print) -> Fixture:
    """A database with one account owning `customers` customers (and one other account with a
    few, so tenancy conditions are not trivially true). Cached in build_dir."""
    build_dir.mkdir(parents=True, exist_ok=True)
    db_path = build_dir / f"scale-{customers}.db"
    meta_path = build_dir / f"scale-{customers}.json"
    if db_path.is_file() and meta_path.is_file():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("format") == BULK_FORMAT and meta.get("customers") == customers:
            return Fixture(db_path, meta["token"], customers, meta["newest"], meta["deep"])
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    started = time.monotonic()
    log(f"  building {db_path.name} ({customers:,} customers, once; reused by later runs)")
    db = open_database(db_path)
    try:
        other, _ = create_account(db, name="Other", email="other@example.com")
        seed_account(db, other, spaces=1, customers=25, seed=1)
        account_id, token = create_account(db, name="Bench", email="bench@example.com")
        rng = random.Random(f"bench-bulk:{customers}")
        with db.write() as tx:
            space_seq = tx.insert(
                "INSERT INTO spaces (account_id, id, created, url) VALUES (?, 1, ?, ?)",
                (account_id, 1410196557, "https://spaces.pe/s/bench"),
            )
        batch = 50_000
        for start in range(0, customers, batch):
            rows = [
                (
                    account_id,
                    "cus_" + "".join(rng.choices(ALPHABET, k=24)),
                    space_seq,
                    f"Customer {n}",
                    f"customer.{n}@example.com",
                    1410196557 + n,
                )
                for n in range(start, min(start + batch, customers))
            ]
            with db.write() as tx:
                for row in rows:
                    tx.execute(
                        "INSERT INTO customers (account_id, id, space_seq, name, email, created)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        row,
                    )
        with db.write() as tx:
            tx.execute("ANALYZE")
    finally:
        db.close()
    newest, deep = _ids(db_path, account_id)
    meta = {"format": BULK_FORMAT, "customers": customers, "token": token}
    meta |= {"newest": newest, "deep": deep}
    meta_path.write_text(json.dumps(meta) + "\n", encoding="utf-8")
    log(f"  built in {time.monotonic() - started:.0f} s")
    return Fixture(db_path, token, customers, newest, deep)
