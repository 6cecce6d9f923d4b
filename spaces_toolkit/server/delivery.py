"""The webhook worker: POSTs due webhooks, records every attempt, retries on a fixed interval.

Claiming is a write transaction that leases due rows to this worker (`lease_owner`,
`lease_until`), so two workers — two threads, or two server processes on one database — never
send the same delivery at once. A 2xx settles a webhook for good (`pending = 0, delivered = 1`),
so it is never sent again; any other answer or a network error schedules the next try
`webhook_retry_interval` seconds later until `webhook_max_attempts` tries have failed. A `410
Gone` from a resource subscription's target removes that subscription (REST Hooks). Everything
lives in the database, so pending deliveries survive a restart; a stop lets in-flight deliveries
finish and record their result, and a crash only leaves a lease that expires.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import json
import logging
import os
import socket
import threading
import time
import uuid
from typing import Any

import httpx

from . import render
from .db import Database, Row
from .events import API_VERSION
from .repo.hooks import remove_resource_subscription
from .settings import Settings
from .targets import TargetRefused, check_resolved

__all__ = ["DeliveryWorker", "Attempt"]

log = logging.getLogger("spaces.webhooks")


@dataclasses.dataclass(frozen=True)
class _Job:
    seq: int
    webhook_id: str
    url: str
    attempts: int
    rs_seq: int | None
    event: dict[str, Any]


def _job(r: Row) -> _Job:
    return _Job(
        seq=int(r["seq"]),
        webhook_id=str(r["w_id"]),
        url=str(r["url"]),
        attempts=int(r["attempts"]),
        rs_seq=r["resource_subscription_seq"],
        event=render.event(r),
    )


# PostgreSQL: claim with FOR UPDATE SKIP LOCKED, so workers in several processes take disjoint
# batches without waiting on each other's rows.
_CLAIM_SKIP_LOCKED = """
WITH due AS (
    SELECT seq FROM webhooks
    WHERE pending = 1 AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)
    ORDER BY next_attempt_at, seq LIMIT ?
    FOR UPDATE SKIP LOCKED
), claimed AS (
    UPDATE webhooks w SET lease_until = ?, lease_owner = ? FROM due WHERE w.seq = due.seq
    RETURNING w.seq, w.id, w.url, w.attempts, w.resource_subscription_seq, w.event_seq,
        w.next_attempt_at
)
SELECT c.seq, c.id AS w_id, c.url, c.attempts, c.resource_subscription_seq,
    v.id AS v_id, v.created AS v_created, v.type AS v_type, v.data AS v_data
FROM claimed c JOIN events v ON v.seq = c.event_seq ORDER BY c.next_attempt_at, c.seq
"""


@dataclasses.dataclass(frozen=True)
class Attempt:
    """The outcome of one POST: a status code, or an error if no answer came back."""

    status_code: int | None
    error: str | None
    started: float
    finished: float

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class DeliveryWorker:
    def __init__(self, db: Database, settings: Settings, *, batch_size: int = 50) -> None:
        self.db = db
        self.settings = settings
        self.batch_size = batch_size
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.lease_seconds = settings.webhook_timeout * 6 + 10
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._client = httpx.Client(
            timeout=settings.webhook_timeout, follow_redirects=False, trust_env=False
        )
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=settings.webhook_concurrency, thread_name_prefix="spaces-webhook"
        )

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, name="spaces-delivery", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Look for due deliveries now instead of at the next poll."""
        self._wake.set()

    def stop(self) -> None:
        """Stop claiming; let deliveries in flight finish and record their outcome."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=self.lease_seconds)
            self._thread = None
        self._pool.shutdown(wait=True)
        self._client.close()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.run_once() > 0
            except Exception:  # keep the worker alive; the database may be briefly unavailable
                log.exception("webhook worker iteration failed")
                busy = False
            if not busy:
                self._wake.wait(self.settings.delivery_poll_interval)
                self._wake.clear()

    # ------------------------------------------------------------------ one round

    def run_once(self) -> int:
        """Claim the due deliveries, send them (concurrently), record the outcomes."""
        jobs = self._claim()
        if jobs:
            list(self._pool.map(self._deliver_and_record, jobs))
        return len(jobs)

    def _claim(self) -> list[_Job]:
        now = time.time()
        with self.db.write() as tx:
            if self.db.dialect == "postgresql":
                # One statement: lock due rows no other worker holds, lease them, return them.
                rows = tx.query(
                    _CLAIM_SKIP_LOCKED,
                    (now, now, self.batch_size, now + self.lease_seconds, self.owner),
                )
                return [_job(r) for r in rows]
            rows = tx.query(
                "SELECT w.seq, w.id AS w_id, w.url, w.attempts, w.resource_subscription_seq,"
                " v.id AS v_id, v.created AS v_created, v.type AS v_type, v.data AS v_data"
                " FROM webhooks w JOIN events v ON v.seq = w.event_seq"
                " WHERE w.pending = 1 AND w.next_attempt_at <= ?"
                " AND (w.lease_until IS NULL OR w.lease_until < ?)"
                " ORDER BY w.next_attempt_at, w.seq LIMIT ?",
                (now, now, self.batch_size),
            )
            for row in rows:
                tx.execute(
                    "UPDATE webhooks SET lease_until = ?, lease_owner = ? WHERE seq = ?",
                    (now + self.lease_seconds, self.owner, row["seq"]),
                )
        return [_job(r) for r in rows]

    def _post(self, job: _Job) -> Attempt:
        started = time.time()
        try:
            check_resolved(job.url, allow_private=self.settings.allow_private_targets)
            response = self._client.post(
                job.url,
                content=json.dumps(job.event).encode("utf-8"),
                headers={
                    "Content-Type": "application/json",
                    "User-Agent": f"Spaces-Webhooks/{API_VERSION} (reference server)",
                    "Spaces-Webhook-Id": job.webhook_id,
                    "Spaces-Event-Id": str(job.event["id"]),
                    "Spaces-Event-Type": str(job.event["type"]),
                },
            )
            return Attempt(response.status_code, None, started, time.time())
        except TargetRefused as exc:
            return Attempt(None, f"refused target: {exc}", started, time.time())
        except httpx.HTTPError as exc:
            return Attempt(None, f"{type(exc).__name__}: {exc}", started, time.time())

    def _unsubscribed(self, job: _Job) -> bool:
        """Whether the job's resource subscription was removed (410) since it was claimed;
        if so, the job is settled without sending."""
        if job.rs_seq is None:
            return False
        with self.db.write() as tx:
            row = tx.one("SELECT deleted FROM resource_subscriptions WHERE seq = ?", (job.rs_seq,))
            if row is not None and not row["deleted"]:
                return False
            tx.execute(
                "UPDATE webhooks SET pending = 0, lease_until = NULL, lease_owner = NULL"
                " WHERE seq = ? AND lease_owner = ?",
                (job.seq, self.owner),
            )
        return True

    def _deliver_and_record(self, job: _Job) -> Attempt | None:
        if self._unsubscribed(job):
            return None
        attempt = self._post(job)
        try:
            self._record(job, attempt)
        except Exception:
            log.exception("could not record delivery of %s (lease will expire)", job.webhook_id)
        return attempt

    def _record(self, job: _Job, attempt: Attempt) -> None:
        number = job.attempts + 1
        max_attempts = self.settings.webhook_max_attempts
        with self.db.write() as tx:
            tx.insert(
                "INSERT INTO webhook_attempts (webhook_seq, attempt, started, finished,"
                " status_code, error) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    job.seq,
                    number,
                    attempt.started,
                    attempt.finished,
                    attempt.status_code,
                    attempt.error,
                ),
            )
            gone = attempt.status_code == 410 and job.rs_seq is not None
            if attempt.ok or gone:
                tx.execute(
                    "UPDATE webhooks SET pending = 0, delivered = ?, attempts = ?,"
                    " lease_until = NULL, lease_owner = NULL WHERE seq = ?",
                    (int(attempt.ok), number, job.seq),
                )
                if gone:
                    assert job.rs_seq is not None
                    remove_resource_subscription(tx, job.rs_seq)
                outcome = "delivered" if attempt.ok else "410 Gone: resource subscription removed"
            else:
                removed = job.rs_seq is not None and tx.one(
                    "SELECT 1 FROM resource_subscriptions WHERE seq = ? AND deleted = 1",
                    (job.rs_seq,),
                )
                final = number >= max_attempts or bool(removed)
                tx.execute(
                    "UPDATE webhooks SET pending = ?, attempts = ?, next_attempt_at = ?,"
                    " lease_until = NULL, lease_owner = NULL WHERE seq = ? AND lease_owner = ?",
                    (
                        0 if final else 1,
                        number,
                        attempt.finished + self.settings.webhook_retry_interval,
                        job.seq,
                        self.owner,
                    ),
                )
                outcome = "gave up" if final else "will retry"
        log.info(
            "webhook %s → %s: %s (attempt %d/%d): %s",
            job.webhook_id,
            job.url,
            attempt.status_code if attempt.status_code is not None else attempt.error,
            number,
            max_attempts,
            outcome,
        )
