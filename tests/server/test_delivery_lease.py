"""A delivery is in one place at a time: two server processes on one database (SQLite file or
PostgreSQL) never send the same webhook at once, even when sends take longer than the lease
margin, and attempts are numbered once each. A worker that lost its lease does not record its
outcome."""

from __future__ import annotations

import asyncio
import dataclasses
import subprocess
import sys
import time

import pytest

from spaces_toolkit.server.sandbox.trigger import trigger
from spaces_toolkit.server.storage.database import open_database
from spaces_toolkit.server.storage.repo.accounts import create_account
from spaces_toolkit.server.storage.repo.hooks import create_resource_subscription
from spaces_toolkit.server.webhook_delivery.pinned import NotSent, post_pinned
from spaces_toolkit.server.webhook_delivery.targets import resolve_target
from spaces_toolkit.server.webhook_delivery.worker import Attempt, DeliveryWorker

# A worker process: deadline 1 s, lease margin 0.3 s (lease 1.3 s), retries every 0.2 s.
WORKER = """
import sys, time
from spaces_toolkit.server.storage.database import open_database
from spaces_toolkit.server.webhook_delivery.worker import DeliveryWorker
from spaces_toolkit.server.run.db_cli import database_settings
from spaces_toolkit.server.settings import Settings
settings = Settings(**database_settings(sys.argv[1]), allow_private_targets=True,
                    webhook_timeout=1.0, webhook_retry_interval=0.2, webhook_concurrency=8)
db = open_database(settings.database)
worker = DeliveryWorker(db, settings, lease_margin=0.3)
worker.start()
time.sleep(float(sys.argv[2]))
worker.stop()
db.close()
"""


def test_two_processes_never_send_one_webhook_at_once(db_url, hostile):
    url = db_url()
    db = open_database(url)
    account_id, _ = create_account(db)
    # /trickle never completes (each try is cut at the 1 s deadline and retried); /slow/0.45
    # answers after 0.45 s, longer than the 0.3 s margin; the others answer at once.
    paths = ["/trickle", "/slow/0.45", "/ok?a", "/ok?b", "/ok?c"]
    with db.write() as tx:
        for path in paths:
            create_resource_subscription(
                tx, account_id, event="customer.created", target_url=hostile.url(path)
            )
    trigger(db, account_id, "customer.created")
    db.close()
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, url, "4"]) for _ in range(2)]
    for proc in workers:
        assert proc.wait(timeout=30) == 0

    db = open_database(url)
    with db.read() as tx:
        hooks = {r["id"]: r for r in tx.query("SELECT * FROM webhooks")}
        numbers = {
            hook_id: [
                a["attempt"]
                for a in tx.query(
                    "SELECT attempt FROM webhook_attempts WHERE webhook_seq = ? ORDER BY seq",
                    (row["seq"],),
                )
            ]
            for hook_id, row in hooks.items()
        }
    db.close()
    by_hook: dict[str, list] = {}
    for hit in hostile.hits:
        by_hook.setdefault(hit.webhook_id, []).append(hit)
    assert set(by_hook) == set(hooks)
    for hook_id, hits in by_hook.items():
        hits.sort(key=lambda h: h.arrived)
        for first, second in zip(hits, hits[1:], strict=False):
            assert first.closed is not None and second.arrived >= first.closed - 0.05, (
                f"{hook_id} was being sent twice at once"
            )
        # every POST is one recorded attempt, numbered 1, 2, 3, … once each
        assert (
            numbers[hook_id]
            == list(range(1, len(hits) + 1))
            == list(range(1, hooks[hook_id]["attempts"] + 1))
        )
    trickled = by_hook[next(h for h, r in hooks.items() if r["url"].endswith("/trickle"))]
    assert len(trickled) >= 3  # retried across both processes, never overlapping
    slow = next(h for h, r in hooks.items() if r["url"].endswith("/slow/0.45"))
    assert len(by_hook[slow]) == 1 and hooks[slow]["delivered"] == 1


def _one_due_delivery(db_url, hostile):
    """Settings and an open database holding one due delivery to the receiver's /ok."""
    settings = db_url.settings(allow_private_targets=True)
    db = open_database(settings.database)
    account_id, _ = create_account(db)
    with db.write() as tx:
        create_resource_subscription(
            tx, account_id, event="customer.created", target_url=hostile.url("/ok")
        )
    trigger(db, account_id, "customer.created")
    return settings, db


def test_a_worker_that_lost_its_lease_does_not_record(db_url, hostile):
    settings, db = _one_due_delivery(db_url, hostile)
    stalled, other = DeliveryWorker(db, settings), DeliveryWorker(db, settings)
    [job] = stalled._claim(1, {})
    # The stalled worker's lease runs out; another worker claims the delivery and sends it.
    with db.write() as tx:
        tx.execute("UPDATE webhooks SET lease_until = ?", (time.time() - 1,))
    assert other.run_once() == 1
    now = time.time()
    stalled._record(job, Attempt(500, None, now, now))  # the late loser's outcome
    with db.read() as tx:
        row = tx.one("SELECT pending, delivered, attempts FROM webhooks")
        attempts = tx.query("SELECT attempt, status_code FROM webhook_attempts")
    db.close()
    assert (row["pending"], row["delivered"], row["attempts"]) == (0, 1, 1)
    assert [(a["attempt"], a["status_code"]) for a in attempts] == [(1, 200)]


def test_a_failed_record_of_a_2xx_is_retried_not_resent(db_url, hostile, monkeypatch):
    """The database drops out just as a 2xx is to be recorded: the worker retries the record
    while its lease holds, so the receiver gets the delivery once and it is settled."""
    settings, db = _one_due_delivery(db_url, hostile)
    worker = DeliveryWorker(db, settings)
    real_record, failures = worker._record_batch, []

    def flaky_record(items):
        if len(failures) < 3:
            failures.extend(attempt.status_code for _, attempt in items)
            raise ConnectionError("database connection dropped")
        return real_record(items)

    monkeypatch.setattr(worker, "_record_batch", flaky_record)
    assert worker.run_once() == 1
    assert worker.run_once() == 0  # settled: nothing is due again
    with db.read() as tx:
        row = tx.one("SELECT pending, delivered, attempts FROM webhooks")
    db.close()
    assert failures == [200, 200, 200]
    assert (row["pending"], row["delivered"], row["attempts"]) == (0, 1, 1)
    assert len(hostile.by_path("/ok")) == 1


def _stalled_worker(db, settings):
    """A worker whose leases last 0.9 s (deadline 0.5 s, margin 0.4 s)."""
    settings = dataclasses.replace(settings, webhook_timeout=0.5)
    return DeliveryWorker(db, settings, lease_margin=0.4)


def test_a_job_stalled_past_its_lease_is_not_sent_by_a_second_worker_too(db_url, hostile):
    """Two workers on one database: the first claims a delivery and stalls between claim and
    POST past its lease; the second claims and sends it. When the first resumes, the lease it
    finds in the database is not its own: it drops the job. One send, one attempt."""
    settings, db = _one_due_delivery(db_url, hostile)
    stalled, other = _stalled_worker(db, settings), DeliveryWorker(db, settings)
    [job] = stalled._claim(1, {})
    time.sleep(1.0)  # the stall: the lease runs out
    assert other.run_once() == 1
    asyncio.run(stalled._deliver_and_record(job))  # the stalled worker resumes
    with db.read() as tx:
        row = tx.one("SELECT pending, delivered, attempts FROM webhooks")
    db.close()
    assert len(hostile.by_path("/ok")) == 1, "sent again by the stalled worker"
    assert (row["pending"], row["delivered"], row["attempts"]) == (0, 1, 1)


def test_a_job_whose_lease_lapsed_is_dropped_then_sent_once_by_a_later_claim(db_url, hostile):
    """No other worker took the lapsed job yet: the stalled worker still must not send without
    a live lease; the job stays due and is sent once by the next claim."""
    settings, db = _one_due_delivery(db_url, hostile)
    stalled = _stalled_worker(db, settings)
    [job] = stalled._claim(1, {})
    time.sleep(1.0)  # the stall: the lease runs out
    asyncio.run(stalled._deliver_and_record(job))
    assert hostile.by_path("/ok") == []
    assert DeliveryWorker(db, settings).run_once() == 1
    with db.read() as tx:
        row = tx.one("SELECT pending, delivered, attempts FROM webhooks")
    db.close()
    assert len(hostile.by_path("/ok")) == 1
    assert (row["pending"], row["delivered"], row["attempts"]) == (0, 1, 1)


@pytest.mark.parametrize("step", ["_prepare", "_check_leases"])
def test_a_job_stalled_before_sending_past_the_deadline_is_dropped_unsent(db_url, hostile, step):
    """Preparing (the account's first secret) and the lease check run inside the deadline: a
    job held up there (a long write transaction beside the server) is dropped without sending
    or recording, and retried later."""
    settings, db = _one_due_delivery(db_url, hostile)
    stalled = _stalled_worker(db, settings)  # deadline 0.5 s
    if step == "_prepare":  # the claim finds no secret: the job must make the first one
        with db.write() as tx:
            tx.execute("DELETE FROM webhook_signing_secrets")
    real = getattr(stalled, step)

    def slow(*args):
        time.sleep(1.0)  # twice the deadline
        return real(*args)

    setattr(stalled, step, slow)
    [job] = stalled._claim(1, {})
    if step == "_check_leases":  # a claim fresh at sending is its own lease check
        time.sleep(0.2)  # no longer fresh (0.1 s with this margin), its lease still live
        assert not stalled._fresh(job)
    asyncio.run(stalled._deliver_and_record(job))
    with db.read() as tx:
        row = tx.one("SELECT pending, attempts FROM webhooks")
    db.close()
    assert hostile.by_path("/ok") == []
    assert (row["pending"], row["attempts"]) == (1, 0)


def test_a_fresh_claim_sends_without_another_lease_check_and_a_later_one_checks(db_url, hostile):
    """The claim transaction is the lease check of a job sent right after it; a job that
    waited longer is checked (and its lease renewed) in the database first."""
    settings, db = _one_due_delivery(db_url, hostile)
    worker = _stalled_worker(db, settings)
    checked: list[int] = []
    real = worker._check_leases

    def check(jobs):
        checked.extend(job.seq for job in jobs)
        return real(jobs)

    worker._check_leases = check  # type: ignore[method-assign]
    assert worker.run_once() == 1
    assert checked == [] and len(hostile.by_path("/ok")) == 1
    with db.write() as tx:  # due again
        tx.execute("UPDATE webhooks SET pending = 1, delivered = 0")
    [job] = worker._claim(1, {})
    time.sleep(0.2)
    asyncio.run(worker._deliver_and_record(job))
    db.close()
    assert checked == [job.seq] and len(hostile.by_path("/ok")) == 2


async def test_no_byte_leaves_once_the_sender_may_no_longer_send(hostile):
    target = resolve_target(hostile.url("/ok"), allow_private=True)
    with pytest.raises(NotSent):
        await post_pinned(target, b"{}", {}, timeout=2.0, may_send=lambda: False)
    await asyncio.sleep(0.2)
    assert hostile.by_path("/") == []
