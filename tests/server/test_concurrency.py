"""Concurrent writes lose nothing; data survives restarts (real SQLite file or PostgreSQL
database, real HTTP)."""

from __future__ import annotations

import concurrent.futures
import sqlite3

import httpx

from spaces_toolkit.server.app import create_app
from spaces_toolkit.server.run.embedded import serve_in_thread
from spaces_toolkit.server.sandbox.trigger import trigger
from spaces_toolkit.server.settings import Settings
from spaces_toolkit.server.storage.database import open_database
from spaces_toolkit.server.storage.repo.accounts import create_account


def test_concurrent_creates_over_http_are_all_stored(db_url):
    settings = db_url.settings(allow_private_targets=True)
    app = create_app(settings)
    _, token = create_account(app.state.db)
    threads, per_thread = 8, 25
    with serve_in_thread(app) as root:

        def worker(n):
            with httpx.Client(base_url=f"{root}/api/v1", auth=(token, "")) as client:
                ids = []
                for i in range(per_thread):
                    body = {"event": "invoice.paid", "target_url": f"http://127.0.0.1:9/{n}/{i}"}
                    response = (
                        client.post("/resource_subscriptions", json=body)
                        if i % 2
                        else client.post("/resource_subscriptions", data=body)
                    )
                    assert response.status_code == 200, response.text
                    ids.append(response.json()["id"])
                return ids

        with concurrent.futures.ThreadPoolExecutor(threads) as pool:
            created = [i for ids in pool.map(worker, range(threads)) for i in ids]
        listed, after = [], None
        with httpx.Client(base_url=f"{root}/api/v1", auth=(token, "")) as client:
            while True:
                params = {"limit": 100} | ({"starting_after": after} if after else {})
                page = client.get("/resource_subscriptions", params=params).json()
                listed += [o["id"] for o in page["data"]]
                if not page["has_more"]:
                    break
                after = listed[-1]
    assert len(created) == len(set(created)) == threads * per_thread
    assert sorted(listed) == sorted(created)


def test_concurrent_writers_on_separate_connections_keep_numbers_sequential(db_url):
    """Like several `spaces trigger` processes at once: order and serial numbers stay gap-free
    and unique within the Space, and every event is recorded."""
    path = db_url()
    db = open_database(path)
    account_id, _ = create_account(db)
    trigger(db, account_id, "customer.created")  # one Space, one customer
    db.close()

    def writer(kind):
        own = open_database(path)  # its own connections, as a separate process would have
        try:
            return [trigger(own, account_id, kind)["event"] for _ in range(12)]
        finally:
            own.close()

    kinds = ["invoice.created", "subscription.created", "invoice.paid", "captured_email.created"]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        events = [e for batch in pool.map(writer, kinds * 2) for e in batch]
    assert len(set(events)) == 96
    db = open_database(path)
    with db.read() as tx:
        orders = [r["n"] for r in tx.query("SELECT order_number AS n FROM invoices ORDER BY n")]
        serials = [
            r["n"] for r in tx.query("SELECT serial_number AS n FROM subscriptions ORDER BY n")
        ]
        n_events = tx.query("SELECT COUNT(*) AS n FROM events")[0]["n"]
        spaces = tx.query("SELECT COUNT(*) AS n FROM spaces")[0]["n"]
    db.close()
    assert spaces == 1
    assert orders == list(range(1, 49))  # 24 invoice.created + 24 invoices made for invoice.paid
    assert serials == list(range(1, 25))
    assert n_events == 1 + 24 + 24 * 2 + 24 + 24  # customer + invoices + paid pairs + subs + emails


def test_data_survives_a_restart(db_url):
    # A loopback target (allowed here): a public name would be looked up at creation
    # (spec/NOTES.md 53), and these machines resolve none.
    settings = db_url.settings(allow_private_targets=True)
    app = create_app(settings)
    account_id, token = create_account(app.state.db)
    trigger(app.state.db, account_id, "invoice.paid")
    with serve_in_thread(app) as root:
        with httpx.Client(base_url=f"{root}/api/v1", auth=(token, "")) as client:
            created = client.post(
                "/resource_subscriptions",
                data={"event": "customer.created", "target_url": "http://127.0.0.1:9/h"},
            ).json()
            before = {p: client.get(p).json() for p in ["/invoices", "/events", "/customers"]}
    with serve_in_thread(create_app(settings)) as root:
        with httpx.Client(base_url=f"{root}/api/v1", auth=(token, "")) as client:
            after = {p: client.get(p).json() for p in before}
            listed = client.get("/resource_subscriptions").json()["data"]
    assert after == before
    assert [o["id"] for o in listed] == [created["id"]]


def test_the_database_is_in_wal_mode(tmp_path):
    create_app(Settings(db_path=tmp_path / "spaces.db")).state.db.close()
    conn = sqlite3.connect(tmp_path / "spaces.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
