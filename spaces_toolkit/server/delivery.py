"""The webhook worker: POSTs due webhooks (signed), records every attempt, retries on a schedule.

Isolation. Every POST has one total deadline (`webhook_timeout`: prepare + DNS + lease renewal
+ connect + send +
the answer's status line and headers; the body is never read), enforced by `asyncio.timeout`
around an async transport (pinned.py), so a slow, trickling or silent receiver costs at most
that long: the exchange is cancelled wherever it is. Deliveries run concurrently
(`webhook_concurrency` slots), and one account holds at most a quarter of the slots
(`per_account`), taken oldest-first per account in round-robin order, so another account's due
delivery finds a free slot at the next poll however hostile the first account's receivers are.

One place at a time. Claiming is a write transaction that leases due rows to one claim of this
worker (`lease_owner` = worker id + claim id, `lease_until`). Just before the POST the lease is
checked and renewed in the database (still this claim's, still live, judged once the write
lock is held); a job that lost it or stalled past it (in `_prepare`, in a long transaction
beside the server) is dropped unsent and claimed again later. While the POST and the record are
in flight the lease is renewed every `renew_every` s, and the transport writes no byte once it
is lost or nearly over (pinned.py `may_send`): at most one send per claim, none without a live
lease. On PostgreSQL the chosen rows are also locked with `FOR UPDATE SKIP LOCKED`, and
workers wake on NOTIFY (db.listen); everywhere they also poll. The outcome is recorded only if
the row is still this claim's; a failed record is retried (never resent). After a crash the
lease expires and the delivery is sent again: delivery is at-least-once, and receivers
deduplicate on `webhook-id`. (Issue 22's batching hooks: `_claim`, `_attempt`, `_record`.)

Not steerable. The target's name is resolved once per attempt (resolver.py: a thread per lookup,
bounded per account, so one account's slow names hold no one else's; inside the deadline) and
checked (targets.py); the connection goes to exactly those addresses, with the
name as Host and TLS SNI, and redirects are not followed (pinned.py). Each attempt is signed
per Standard Webhooks with the account's valid secrets (signing.py), with a fresh timestamp.

A 2xx settles a webhook for good (`pending = 0, delivered = 1`); any other answer, an error or
the deadline schedules the next try (retry.py: `webhook_retry_interval` seconds later by
default, or the exponential schedule, never before a receiver's Retry-After) until
`webhook_max_attempts` tries have failed. A `410 Gone` from a resource subscription's target
removes that subscription (REST Hooks). A stop lets in-flight deliveries finish (each within its
deadline) and record their result.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import dataclasses
import functools
import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from . import render
from .db import Database, Row, Transaction
from .events import API_VERSION
from .pinned import DeliveryError, NotSent, Reply, post_pinned
from .repo.hooks import remove_resource_subscription
from .repo.signing_secrets import signing_secrets
from .resolver import Resolver
from .retry import parse_schedule
from .settings import Settings
from .signing import signed_headers
from .targets import ResolvedTarget, TargetRefused, resolve_target_with

__all__ = ["DeliveryWorker", "Attempt"]

log = logging.getLogger("spaces.webhooks")
_T = TypeVar("_T")


@dataclasses.dataclass(frozen=True)
class _Job:
    seq: int
    account_id: int
    webhook_id: str
    url: str
    rs_seq: int | None
    lease: str  # the lease_owner value of this claim
    lease_until: float  # when another worker may take the row
    event: dict[str, Any]


# Due deliveries, each with its turn within its account (1 = the account's oldest due), so a
# claim can take them round-robin across accounts.
_CANDIDATES = (
    "SELECT * FROM (SELECT w.seq, w.account_id, w.id AS w_id, w.url,"
    " w.resource_subscription_seq, v.id AS v_id, v.created AS v_created,"
    " v.type AS v_type, v.data AS v_data, w.next_attempt_at, ROW_NUMBER() OVER"
    " (PARTITION BY w.account_id ORDER BY w.next_attempt_at, w.seq) AS turn"
    " FROM webhooks w JOIN events v ON v.seq = w.event_seq"
    " WHERE w.pending = 1 AND w.next_attempt_at <= ?"
    " AND (w.lease_until IS NULL OR w.lease_until < ?)) AS due"
    " WHERE turn <= ? ORDER BY turn, next_attempt_at, seq LIMIT ?"
)
# PostgreSQL: lock the chosen rows, skipping those another worker's claim holds at this moment
# (FOR UPDATE cannot sit beside the window function above), and re-check them under the lock.
_LOCK_SKIP_LOCKED = (
    "SELECT seq FROM webhooks WHERE seq = ANY(?) AND pending = 1 AND next_attempt_at <= ?"
    " AND (lease_until IS NULL OR lease_until < ?) FOR UPDATE SKIP LOCKED"
)


@dataclasses.dataclass
class _Lease:
    """This claim's lease as this worker last wrote it."""

    until: float
    lost: bool = False  # another worker took the row
    keeper: asyncio.Task[None] | None = None  # the task renewing it (_keep_leased)


@dataclasses.dataclass(frozen=True)
class Attempt:
    """The outcome of one POST: a status code, or an error if no answer came back."""

    status_code: int | None
    error: str | None
    started: float
    finished: float
    retry_after: str | None = None  # the receiver's Retry-After header, if any

    def __post_init__(self) -> None:
        if self.error is not None:
            object.__setattr__(self, "error", _clean(self.error))

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    def plain(self) -> Attempt:
        """This outcome without what the receiver chose beyond its status (Retry-After): what
        is recorded if recording the whole of it failed."""
        return dataclasses.replace(self, retry_after=None)


_MAX_ERROR = 500  # characters of an error message stored with an attempt


def _clean(text: str) -> str:
    """An error message fit for any database column: printable, no NUL, bounded."""
    printable = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return printable[:_MAX_ERROR]


class DeliveryWorker:
    def __init__(
        self, db: Database, settings: Settings, *, lease_margin: float | None = None
    ) -> None:
        self.db = db
        self.settings = settings
        self.deadline = settings.webhook_timeout
        self.concurrency = max(1, settings.webhook_concurrency)
        self.per_account = max(1, self.concurrency // 4)
        margin = max(10.0, self.deadline) if lease_margin is None else lease_margin
        self.margin = margin
        self.lease_seconds = self.deadline + margin
        self.renew_every = max(0.05, margin / 3)  # lease renewals while a job is in flight
        # Name lookups: one account holds at most its share of delivery slots in lookups too,
        # abandoned ones included (resolver.py).
        self.resolver = Resolver(per_key=self.per_account, total=4 * self.concurrency)
        self._db_pool: concurrent.futures.ThreadPoolExecutor | None = None
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.retry_schedule = parse_schedule(
            settings.webhook_retry_schedule, interval=settings.webhook_retry_interval
        )
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._nudge: asyncio.Event | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(
            target=asyncio.run, args=(self._serve(),), name="spaces-delivery", daemon=True
        )
        self._thread.start()

    def wake(self) -> None:
        """Look for due deliveries now instead of at the next poll."""
        loop, nudge = self._loop, self._nudge
        if loop is not None and nudge is not None:
            loop.call_soon_threadsafe(nudge.set)

    def stop(self) -> None:
        """Stop claiming; let deliveries in flight finish (within their deadline) and record."""
        self._stop.set()
        self.wake()
        if self._thread is not None:
            self._thread.join(timeout=self.lease_seconds)
            self._thread = None
        if self._db_pool is not None:  # let database steps end before the caller closes it
            self._db_pool.shutdown(wait=True)
            self._db_pool = None

    def run_once(self) -> int:
        """One round, for tests and tools: claim what is due (within the slot limits), send it
        concurrently, record the outcomes; the number of deliveries handled. Runs on a thread
        of its own, so callers inside an event loop (async tests) may call it too."""
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, self._round()).result()

    # ------------------------------------------------------------------ scheduling

    async def _round(self) -> int:
        jobs = await self._db(self._claim, self.concurrency, {})
        await asyncio.gather(*(self._deliver_and_record(job) for job in jobs))
        return len(jobs)

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._nudge = nudge = asyncio.Event()
        running: dict[asyncio.Task[None], int] = {}  # task → account id
        while not self._stop.is_set():
            free = self.concurrency - len(running)
            if free > 0:
                busy = collections.Counter(running.values())
                try:
                    jobs = await self._db(self._claim, free, dict(busy))
                except Exception:  # keep the worker alive; the database may be busy
                    log.exception("webhook worker could not claim deliveries")
                    jobs = []
                for job in jobs:
                    task = asyncio.create_task(self._deliver_and_record(job))
                    running[task] = job.account_id
                    task.add_done_callback(self._finished(running, nudge))
                if jobs and len(running) < self.concurrency:
                    continue  # more may be due for accounts that still have room
            nudge.clear()
            try:
                await asyncio.wait_for(nudge.wait(), self.settings.delivery_poll_interval)
            except TimeoutError:
                pass
        if running:
            await asyncio.wait(list(running))

    @staticmethod
    def _finished(
        running: dict[asyncio.Task[None], int], nudge: asyncio.Event
    ) -> Callable[[asyncio.Task[None]], None]:
        """A done-callback freeing the task's slot and waking the scheduler."""

        def done(task: asyncio.Task[None]) -> None:
            running.pop(task, None)
            nudge.set()

        return done

    def _claim(self, free: int, busy: dict[int, int]) -> list[_Job]:
        """Lease up to `free` due deliveries, at most `per_account` in flight per account
        (`busy`: this worker's deliveries in flight), oldest first within an account and
        round-robin across accounts."""
        now = time.time()
        lease = f"{self.owner}/{uuid.uuid4().hex[:8]}"
        with self.db.write() as tx:
            candidates = tx.query(
                _CANDIDATES, (now, now, self.per_account, free + self.per_account * len(busy))
            )
            taken = collections.Counter(busy)
            rows: list[Row] = []
            for row in candidates:
                if len(rows) == free:
                    break
                if taken[row["account_id"]] < self.per_account:
                    taken[row["account_id"]] += 1
                    rows.append(row)
            if rows and self.db.dialect == "postgresql":
                locked = tx.query(_LOCK_SKIP_LOCKED, ([int(r["seq"]) for r in rows], now, now))
                free_seqs = {int(r["seq"]) for r in locked}
                rows = [r for r in rows if int(r["seq"]) in free_seqs]
            for row in rows:
                tx.execute(
                    "UPDATE webhooks SET lease_until = ?, lease_owner = ? WHERE seq = ?",
                    (now + self.lease_seconds, lease, row["seq"]),
                )
        return [
            _Job(
                seq=int(r["seq"]),
                account_id=int(r["account_id"]),
                webhook_id=str(r["w_id"]),
                url=str(r["url"]),
                rs_seq=r["resource_subscription_seq"],
                lease=lease,
                lease_until=now + self.lease_seconds,
                event=render.event(r),
            )
            for r in rows
        ]

    # ------------------------------------------------------------------ one delivery

    def _headers(self, job: _Job, body: bytes, secrets: Sequence[str]) -> dict[str, str]:
        return {
            "Content-Type": "application/json",
            "User-Agent": f"Spaces-Webhooks/{API_VERSION} (reference server)",
            "Spaces-Webhook-Id": job.webhook_id,
            "Spaces-Event-Id": str(job.event["id"]),
            "Spaces-Event-Type": str(job.event["type"]),
            # Standard Webhooks 1.0 (spec/NOTES.md 50); webhook-id is the webhook's id, the
            # timestamp this attempt's, so the body is signed once per attempt.
            **signed_headers(secrets, job.webhook_id, body),
        }

    async def _db(self, fn: Callable[..., _T], *args: Any) -> _T:
        """Run a database step on the worker's own threads (never shared with name lookups or
        the API's threads, so neither can make a claim or a record wait)."""
        if self._db_pool is None:
            self._db_pool = concurrent.futures.ThreadPoolExecutor(
                self.concurrency + 2, thread_name_prefix="spaces-delivery-db"
            )
        return await asyncio.get_running_loop().run_in_executor(self._db_pool, fn, *args)

    async def _deliver_and_record(self, job: _Job) -> None:
        """One claimed job: at most one POST, only while this claim's lease is live; then its
        outcome, recorded while the lease is kept."""
        lease = _Lease(job.lease_until)
        try:
            attempt = await self._attempt(job, lease)
            if attempt is not None:
                if lease.keeper is None:  # refused or unresolvable: nothing was sent
                    lease.keeper = asyncio.create_task(self._keep_leased(job, lease))
                await self._record_while_leased(job, attempt, lease)
        finally:
            if lease.keeper is not None:
                lease.keeper.cancel()

    async def _attempt(self, job: _Job, lease: _Lease) -> Attempt | None:
        """Prepare, resolve, renew the lease and POST, all within the deadline; the outcome to
        record, or None if the job was settled or dropped without sending (a stall before the
        POST, a lost lease: the row is claimed again once its lease lapses)."""
        phase = "prepare"
        started = time.time()
        try:
            async with asyncio.timeout(self.deadline):
                secrets = await self._db(self._prepare, job)
                if secrets is None:
                    return None
                phase = "resolve"
                target = await resolve_target_with(
                    job.url,
                    allow_private=self.settings.allow_private_targets,
                    lookup=functools.partial(self.resolver.lookup, job.account_id),
                )
                phase = "lease"
                until = await self._db(self._renew_live_lease, job)
                if until is None:
                    log.warning("webhook %s: lease lapsed before sending: dropped", job.webhook_id)
                    return None
                lease.until = until
                lease.keeper = asyncio.create_task(self._keep_leased(job, lease))
                phase = "send"
                reply = await self._post(job, target, secrets, lease)
            return Attempt(
                reply.status_code, None, started, time.time(), reply.headers.get("retry-after")
            )
        except TimeoutError:
            if phase in ("prepare", "lease"):  # nothing sent: dropped, retried after the lease
                log.warning("webhook %s: stalled before sending: dropped", job.webhook_id)
                return None
            what = "no answer" if phase == "send" else "the name did not resolve"
            error = f"{what} within the {self.deadline:g} s delivery deadline"
        except NotSent as exc:
            log.warning("webhook %s: not sent: %s", job.webhook_id, exc)
            return None
        except TargetRefused as exc:
            error = f"refused target: {exc}"
        except DeliveryError as exc:
            error = str(exc)
        except Exception:
            log.exception("could not deliver %s (lease will expire)", job.webhook_id)
            return None
        return Attempt(None, error, started, time.time())

    async def _post(
        self, job: _Job, target: ResolvedTarget, secrets: Sequence[str], lease: _Lease
    ) -> Reply:
        """POST the event to the checked addresses; the answer's status and headers (its body
        is not read). No byte leaves once this claim's lease is lost or nearly over."""
        body = json.dumps(job.event).encode("utf-8")
        return await post_pinned(
            target,
            body,
            self._headers(job, body, secrets),
            timeout=self.deadline,
            max_response_bytes=0,
            may_send=lambda: not lease.lost and time.time() < lease.until - self.margin / 2,
        )

    def _renew_live_lease(self, job: _Job) -> float | None:
        """Just before the POST: extend this claim's lease, if it is still this claim's, still
        live (judged after the write lock is held) and the job still pending; the new end, or
        None (the job is dropped: another worker has it, or may take it at any moment)."""
        with self.db.write() as tx:
            now = time.time()
            until = now + self.lease_seconds
            changed = tx.execute(
                "UPDATE webhooks SET lease_until = ? WHERE seq = ? AND lease_owner = ?"
                " AND lease_until > ? AND pending = 1",
                (until, job.seq, job.lease, now),
            )
        return until if changed else None

    async def _keep_leased(self, job: _Job, lease: _Lease) -> None:
        """While the job is in flight (POST and record), extend its lease every `renew_every`
        seconds, so only a worker that really stalls (or cannot reach the database) loses it;
        a loss is noticed (`lease.lost`) and stops any further sending."""
        while True:
            await asyncio.sleep(self.renew_every)
            try:
                until = await self._db(self._extend_lease, job)
            except Exception:
                log.warning("could not extend the lease of %s", job.webhook_id, exc_info=True)
                continue
            if until is None:
                lease.lost = True
                log.warning("webhook %s: lease lost to another worker", job.webhook_id)
                return
            lease.until = until

    async def _record_while_leased(self, job: _Job, attempt: Attempt, lease: _Lease) -> None:
        """Record the outcome; a failure to record is logged and retried, never answered by
        sending again. A failed write (a dropped connection, a restart, anything in the answer
        the record could not store) is retried with backoff, from the second try without the
        receiver's optional headers (`Attempt.plain`), while the lease is kept (_keep_leased).
        It stops only when another worker holds the row (its outcome counts), or at a stop
        once the lease has ended."""
        delay, tries = 0.1, 0
        while True:
            try:
                await self._db(self._record, job, attempt if tries == 0 else attempt.plain())
                return
            except Exception:
                tries += 1
                log.exception("could not record %s (try %d); retrying", job.webhook_id, tries)
            if lease.lost:
                return
            if self._stop.is_set() and time.time() >= lease.until:
                log.error("stopping: %s not recorded (it will be sent again)", job.webhook_id)
                return
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    def _extend_lease(self, job: _Job) -> float | None:
        """Extend this claim's lease on the job's row by a lease length; the new end, or None
        if the row is no longer under this claim."""
        with self.db.write() as tx:
            until = time.time() + self.lease_seconds
            changed = tx.execute(
                "UPDATE webhooks SET lease_until = ? WHERE seq = ? AND lease_owner = ?",
                (until, job.seq, job.lease),
            )
        return until if changed else None

    def _prepare(self, job: _Job) -> list[str] | None:
        """The account's signing secrets, or None if the job was settled without sending."""
        if self._unsubscribed(job):
            return None
        return signing_secrets(self.db, job.account_id)

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
                (job.seq, job.lease),
            )
        return True

    def _record(self, job: _Job, attempt: Attempt) -> None:
        # The row is locked while its lease is checked (PostgreSQL runs write transactions
        # concurrently; SQLite's single writer needs no row lock): a claim by another worker
        # either committed first, and this outcome is discarded, or skips the row.
        lock = " FOR UPDATE" if self.db.dialect == "postgresql" else ""
        with self.db.write() as tx:
            row = tx.one(
                f"SELECT attempts, lease_owner FROM webhooks WHERE seq = ?{lock}", (job.seq,)
            )
            if row is None or row["lease_owner"] != job.lease:
                log.warning(
                    "webhook %s: lease lost while sending (held by %s); this attempt's outcome"
                    " (%s) is discarded",
                    job.webhook_id,
                    None if row is None else row["lease_owner"],
                    attempt.status_code if attempt.status_code is not None else attempt.error,
                )
                return
            number = int(row["attempts"]) + 1
            outcome = self._settle(tx, job, attempt, number)
        log.info(
            "webhook %s → %s: %s (attempt %d/%d): %s",
            job.webhook_id,
            job.url,
            attempt.status_code if attempt.status_code is not None else attempt.error,
            number,
            self.settings.webhook_max_attempts,
            outcome,
        )

    def _settle(self, tx: Transaction, job: _Job, attempt: Attempt, number: int) -> str:
        """Store attempt `number` and the webhook's new state; a word on the outcome."""
        tx.insert(
            "INSERT INTO webhook_attempts (webhook_seq, attempt, started, finished,"
            " status_code, error) VALUES (?, ?, ?, ?, ?, ?)",
            (job.seq, number, attempt.started, attempt.finished)
            + (attempt.status_code, attempt.error),
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
            return "delivered" if attempt.ok else "410 Gone: resource subscription removed"
        removed = job.rs_seq is not None and tx.one(
            "SELECT 1 FROM resource_subscriptions WHERE seq = ? AND deleted = 1", (job.rs_seq,)
        )
        final = number >= self.settings.webhook_max_attempts or bool(removed)
        tx.execute(
            "UPDATE webhooks SET pending = ?, attempts = ?, next_attempt_at = ?,"
            " lease_until = NULL, lease_owner = NULL WHERE seq = ?",
            (
                0 if final else 1,
                number,
                self.retry_schedule.next_attempt_at(number, attempt.finished, attempt.retry_after),
                job.seq,
            ),
        )
        return "gave up" if final else "will retry"
