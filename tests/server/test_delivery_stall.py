"""A 2xx waiting to be recorded behind a long write transaction is never sent again.

The worker that got the 2xx cannot write while another transaction holds the lock (SQLite's
one write lock, or on PostgreSQL a lock on the webhooks table such as a migration's), so it
cannot renew its lease either, and the lease lapses. Another worker whose own claims were
stalled behind the same transaction treats a lease that lapsed meanwhile as live until a lease
length after its stall (DeliveryWorker._horizon), so the first worker records its 2xx and the
receiver gets the webhook once. A `spaces seed` beside live workers holds the lock in short
chunks, so it never stalls them that long in the first place."""

from __future__ import annotations

import contextlib
import dataclasses
import http.server
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

from spaces_toolkit.server.sandbox.seed import seed_account
from spaces_toolkit.server.sandbox.trigger import trigger
from spaces_toolkit.server.settings import Settings
from spaces_toolkit.server.storage.database import Database, Transaction, open_database
from spaces_toolkit.server.storage.repo.accounts import create_account
from spaces_toolkit.server.storage.repo.hooks import create_resource_subscription
from spaces_toolkit.server.webhook_delivery.worker import DeliveryWorker

from .conftest import low_port_server


class _GatedReceiver:
    """Answers 200 to every POST, each once `answer` is set (and `delay` seconds after it
    came); counts them by webhook-id."""

    def __init__(self, delay: float = 0.0) -> None:
        self.hits: Counter[str] = Counter()
        self.arrived = threading.Event()
        self.answer = threading.Event()
        self.answer.set()
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    receiver.hits[self.headers["webhook-id"]] += 1
                receiver.arrived.set()
                receiver.answer.wait(30)
                time.sleep(delay)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = low_port_server(Handler)
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextlib.contextmanager
def _gated_receiver(delay: float = 0.0) -> Iterator[_GatedReceiver]:
    receiver = _GatedReceiver(delay)
    try:
        yield receiver
    finally:
        receiver.answer.set()
        receiver.close()


class _LosesTheLockRace:
    """A database whose write transactions wait while `open` is clear: the worker using it
    is the one that, once a long transaction ends, gets the write lock after the others
    (SQLite's lock is not handed over in order; its waiters poll)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.open = threading.Event()
        self.open.set()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.db, name)

    @contextlib.contextmanager
    def write(self) -> Iterator[Transaction]:
        self.open.wait(60)
        with self.db.write() as tx:
            yield tx

    @contextlib.contextmanager
    def autocommit(self) -> Iterator[Transaction]:
        self.open.wait(60)
        with self.db.autocommit() as tx:
            yield tx


def _hold_the_lock(db: Database, held: threading.Event, release: threading.Event) -> None:
    """A long write transaction that is not the toolkit's: on SQLite any (BEGIN IMMEDIATE
    takes the one write lock), on PostgreSQL one holding the lock a migration takes."""
    with db.write() as tx:
        if db.dialect == "postgresql":
            tx.execute("LOCK TABLE webhooks IN ACCESS EXCLUSIVE MODE")
        else:
            tx.execute("UPDATE accounts SET name = name")
        held.set()
        release.wait(60)


def test_a_2xx_waiting_behind_a_long_write_transaction_is_not_sent_again(db_url):
    settings = db_url.settings(allow_private_targets=True, webhook_timeout=2.0)
    opened = [open_database(settings.database) for _ in range(3)]
    db, other_db, foreign_db = opened
    try:
        with _gated_receiver() as receiver:
            account_id, _ = create_account(db)
            with db.write() as tx:
                create_resource_subscription(
                    tx, account_id, event="customer.created", target_url=receiver.url
                )
            trigger(db, account_id, "customer.created")
            first_db = _LosesTheLockRace(db)
            # leases of 2.4 s (deadline 2 s, margin 0.4 s), renewed every 0.13 s
            first = DeliveryWorker(first_db, settings, lease_margin=0.4)
            second = DeliveryWorker(other_db, settings, lease_margin=0.4)

            receiver.answer.clear()
            sending = threading.Thread(target=first.run_once)
            sending.start()
            assert receiver.arrived.wait(10)
            claimed_before = time.time()  # the first worker's claim was before this
            # The receiver is about to answer 200; from now on the first worker cannot write
            # (its record, its lease renewals) while a long transaction holds the lock …
            first_db.open.clear()
            held, release = threading.Event(), threading.Event()
            holder = threading.Thread(target=_hold_the_lock, args=(foreign_db, held, release))
            holder.start()
            assert held.wait(10)
            # … and the second worker's claim (its poll) waits behind that transaction.
            rounds: list[int] = []
            polling = threading.Thread(target=lambda: rounds.append(second.run_once()))
            polling.start()
            receiver.answer.set()
            # The transaction lasts until the first worker's lease has lapsed.
            time.sleep(max(0.0, claimed_before + first.lease_seconds + 0.3 - time.time()))
            release.set()
            holder.join()
            polling.join()
            # The second worker got the lock first, then polls again before the first one
            # gets it: neither claim takes the lease that lapsed during the stall.
            rounds.append(second.run_once())
            first_db.open.set()
            sending.join()
            assert second.run_once() == 0
            with db.read() as tx:
                row = tx.one("SELECT pending, delivered, attempts FROM webhooks")
            hits = dict(receiver.hits)
    finally:
        for each in opened:
            each.close()
    assert rounds == [0, 0], "the second worker claimed the delivery whose 2xx was waiting"
    assert list(hits.values()) == [1], f"sent {hits} times"
    assert row is not None
    assert (row["pending"], row["delivered"], row["attempts"]) == (0, 1, 1)


@dataclasses.dataclass
class _Workers:
    workers: list[DeliveryWorker]
    dbs: list[Database]

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()
        for db in self.dbs:
            db.close()


def test_a_seed_beside_live_workers_sends_every_webhook_once(tmp_path):
    """Two workers (each with its own connections, as two processes) on one SQLite file
    deliver webhooks queued before and while two `spaces seed` runs write thousands of
    customers, each answered 200 after 0.2 s, so some are always waiting to be recorded; every
    webhook reaches the receiver exactly once and is settled. (Before, each seed was one
    transaction several leases long, and a claim that got the lock before a waiting record
    sent that webhook again: 4 runs of 4 failed. Either the chunks or the claims' stall rule
    alone pass it; PostgreSQL runs writers side by side.)"""
    settings = Settings(
        db_path=tmp_path / "spaces.db",
        allow_private_targets=True,
        webhook_timeout=1.0,
        webhook_retry_interval=0.2,
    )
    db = open_database(settings.database)
    with _gated_receiver(delay=0.2) as receiver:
        account_id, _ = create_account(db)
        seeded_id, _ = create_account(db)
        with db.write() as tx:
            create_resource_subscription(
                tx, account_id, event="customer.created", target_url=receiver.url
            )
        dbs = [open_database(settings.database) for _ in range(2)]
        # leases of 1.5 s: the seed takes several times that
        running = _Workers([DeliveryWorker(d, settings, lease_margin=0.5) for d in dbs], dbs)
        for worker in running.workers:
            worker.start()
        lease = running.workers[0].lease_seconds
        in_flight = threading.Event()

        def queue_webhooks() -> None:  # one every 50 ms, before and during the seed
            for n in range(60):
                trigger(db, account_id, "customer.created")
                if n == 10:
                    in_flight.set()
                time.sleep(0.05)

        queuer = threading.Thread(target=queue_webhooks)
        queuer.start()
        try:
            assert in_flight.wait(30)
            for seed in (1, 2):  # chunks a twentieth of the lease long, as by default
                seed_account(db, seeded_id, customers=5000, seed=seed, chunk_seconds=lease / 20)
            queuer.join()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                with db.read() as tx:
                    row = tx.one("SELECT COUNT(*) AS n FROM webhooks WHERE pending = 1")
                if row is not None and int(row["n"]) == 0:
                    break
                time.sleep(0.1)
            time.sleep(2 * lease)  # any re-send would come by now
        finally:
            queuer.join()
            running.stop()
        with db.read() as tx:
            hooks = tx.query(
                "SELECT id, pending, delivered, attempts FROM webhooks WHERE account_id = ?",
                (account_id,),
            )
        hits = dict(receiver.hits)
    db.close()
    assert len(hooks) == 60
    assert {h["id"]: 1 for h in hooks} == hits, "a webhook was sent more than once (or never)"
    assert all((h["pending"], h["delivered"], h["attempts"]) == (0, 1, 1) for h in hooks)
