"""The webhook worker: POSTs due webhooks (signed), records every attempt, retries on a schedule.

Isolation. Every POST has one total deadline (`webhook_timeout`: prepare + DNS + lease check +
connect + send + the answer's status line and headers; the body is never waited for), enforced
by `asyncio.timeout` around an async transport (pinned.py), so a slow, trickling or silent
receiver costs at most that long: the exchange is cancelled wherever it is. Deliveries run
concurrently in `webhook_concurrency` slots, shared like a work-conserving scheduler: each
account with due deliveries is owed a quarter of the slots (`per_account`, its share), taken
oldest-first per account in round-robin order; an account alone may borrow every idle slot,
and a borrowed slot never makes another account wait: a share is always honoured, even while
borrowed slots are still in flight (so up to twice `webhook_concurrency` deliveries may be in
flight for a moment). Another account's due delivery therefore starts at the next poll however
hostile the first account's receivers are.

One place at a time. Claiming is one write transaction that leases up to a batch of due rows
to one claim of this worker (`lease_owner` = worker id + claim id, `lease_until`, measured once
the write lock is held) and reads their accounts' signing secrets. Just before the POST the
lease is checked and renewed in the database (still this claim's, still live, judged under the
write lock or row locks; the checks of deliveries ready at the same moment share one
transaction); a job that lost it or stalled past it (a long transaction beside the server) is
dropped unsent and claimed again later. While the POST and the record are in flight the lease
is renewed every `renew_every` s, and the transport writes no byte once it is lost or nearly
over (pinned.py `may_send`): at most one send per claim, none without a live lease. On
PostgreSQL the chosen rows are also locked with `FOR UPDATE SKIP LOCKED`, and workers wake on
NOTIFY (db.listen); everywhere they also poll. The outcome is recorded only if the row is still
this claim's (the outcomes ready at the same moment share one transaction); a failed record is
retried on its own (never resent). A lease that lapsed while this worker's own database steps
were stalled (a long write transaction beside it, which also kept the holder from renewing or
recording) counts as live until a lease length after the stall (_horizon). After a crash the
lease expires and the delivery is sent again: delivery is at-least-once, and receivers
deduplicate on `webhook-id`.

Not steerable. The target's name is resolved once per attempt (resolver.py: a thread per lookup,
bounded per account, so one account's slow names hold no one else's; inside the deadline) and
checked (targets.py); the connection goes to exactly those addresses, with the name as Host and
TLS SNI, and redirects are not followed (pinned.py). Connections are kept alive per (host,
address) and reused only for an attempt whose check approved that address again. Each attempt
is signed per Standard Webhooks with the account's valid secrets (signing.py), with a fresh
timestamp.

A 2xx settles a webhook for good (`pending = 0, delivered = 1`); any other answer, an error or
the deadline schedules the next try (retry.py: `webhook_retry_interval` seconds later by
default, or the exponential schedule, never before a receiver's Retry-After) until
`webhook_max_attempts` tries have failed. A `410 Gone` from a resource subscription's target
removes that subscription (REST Hooks); a delivery whose subscription was removed meanwhile is
settled unsent at its lease check. A stop lets in-flight deliveries finish (each within its
deadline) and record their result.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import contextlib
import dataclasses
import functools
import itertools
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, Generic, TypeVar

from ..settings import Settings
from ..signing import signed_headers
from ..storage import render
from ..storage.database import Database, Row
from ..storage.events import API_VERSION
from ..storage.repo import delivery as store
from ..storage.repo.signing_secrets import signing_secrets
from .pinned import ConnectionPool, DeliveryError, NotSent, Reply, post_pinned
from .resolver import Resolver
from .retry import parse_schedule
from .targets import ResolvedTarget, TargetRefused, resolve_target_with

__all__ = ["DeliveryWorker", "Attempt"]

log = logging.getLogger("spaces.webhooks")
_T = TypeVar("_T")
_I = TypeVar("_I")
_R = TypeVar("_R")

UNSUBSCRIBED = store.UNSUBSCRIBED  # a lease check's answer: the resource subscription was removed
_MAX_BATCH = store.MAX_BATCH  # rows one claim, lease check or record transaction handles at most
# A worker claims ahead: it holds up to _CLAIM_AHEAD times its slots claimed (in flight or
# ready) and claims again once fewer than _REFILL_BELOW times its slots are ready, so a claim
# serves dozens of deliveries (claims are the dearest database step per delivery) while a
# ready job still starts well within its lease.
_CLAIM_AHEAD = 12
_REFILL_BELOW = 2


@dataclasses.dataclass(frozen=True)
class _Job:
    seq: int
    account_id: int
    webhook_id: str
    url: str
    rs_seq: int | None
    lease: str  # the lease_owner value of this claim
    lease_until: float  # when another worker may take the row
    event_id: str
    event_type: str
    body: bytes  # the event as JSON: what every attempt of this claim POSTs
    secrets: tuple[str, ...] = ()  # the account's signing secrets as the claim read them
    claimed: float = 0.0  # when the claim took the lease (its write lock held)


class _Batcher(Generic[_I, _R]):
    """Group commit: items submitted while a batch is being written wait for the next one, so
    under load one transaction serves many deliveries and when idle an item goes at once.
    `write` takes a batch and answers one result per item (run on the worker's database
    threads); if it raises, every item of that batch gets the exception."""

    def __init__(
        self,
        write: Callable[[list[_I]], list[_R]],
        run: Callable[..., Any],
    ) -> None:
        self._write = write
        self._run = run
        self._pending: list[tuple[_I, asyncio.Future[_R]]] = []
        self._flushing = False
        self.loop = asyncio.get_running_loop()

    async def submit(self, item: _I) -> _R:
        future: asyncio.Future[_R] = self.loop.create_future()
        self._pending.append((item, future))
        if not self._flushing:
            self._flushing = True
            self.loop.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        try:
            while self._pending:
                batch = self._pending[:_MAX_BATCH]
                self._pending = self._pending[_MAX_BATCH:]
                try:
                    results = await self._run(self._write, [item for item, _ in batch])
                except Exception as exc:
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                for (_, future), result in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(result)
        finally:
            self._flushing = False


class _Shares:
    """The work-conserving share of `slots` among accounts. Each account is owed `share` of
    them: it may take one while it holds fewer than `share` and fewer than `slots` are taken
    within the accounts' shares; beyond its share it borrows, only while fewer than `slots`
    are taken in all. A borrowed slot never holds back another account's share (so up to
    twice `slots` may be taken for a moment)."""

    def __init__(self, share: int, slots: int, busy: dict[int, int]) -> None:
        self.share, self.slots = share, slots
        self.taken = collections.Counter(busy)
        self.within = sum(min(n, share) for n in busy.values())
        self.total = sum(busy.values())

    def take(self, account: int) -> bool:
        if self.taken[account] < self.share:
            if self.within >= self.slots:
                return False
            self.within += 1
        elif self.total >= self.slots:
            return False
        self.taken[account] += 1
        self.total += 1
        return True

    def full(self) -> bool:
        """Whether no account at all may take another."""
        return self.within >= self.slots


@dataclasses.dataclass
class _Lease:
    """This claim's lease as this worker last wrote it."""

    until: float
    lost: bool = False  # another worker took the row
    keeper: asyncio.Task[None] | None = None  # the task renewing it (_keep_leased)
    timer: asyncio.TimerHandle | None = None  # starts the keeper if the job lasts that long
    kept: bool = False  # renewals were arranged (_keep)


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


def _new_loop() -> asyncio.AbstractEventLoop:
    """uvloop's event loop where it is installed (the server's dependency on CPython/POSIX): its
    sockets, streams and timers cost the worker a fraction of the standard loop's CPU."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def _run(main: Coroutine[Any, Any, _T]) -> _T:
    with asyncio.Runner(loop_factory=_new_loop) as runner:
        return runner.run(main)


class DeliveryWorker:
    def __init__(
        self, db: Database, settings: Settings, *, lease_margin: float | None = None
    ) -> None:
        self.db = db
        self.settings = settings
        self.deadline = settings.webhook_timeout
        self.concurrency = max(1, settings.webhook_concurrency)
        self.per_account = max(1, self.concurrency // 4)  # an account's share of the slots
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
        self._woken = False  # wake() was called since the scheduler last looked
        self._contended = False  # the last claim found due rows, all locked by another claim
        # Stalls of this worker's database steps (_db, _claim): a lease that lapsed while this
        # worker itself could not write (a long write transaction beside it: SQLite's one
        # write lock, a full pool) may be held by a live worker that could not renew it either,
        # so a claim treats it as live until a lease length after the stall (_horizon).
        self._steps: dict[int, float] = {}  # steps in flight → when their stall began
        self._stalled_since: float | None = None  # the last stall's start
        self._stall_counts_until = 0.0  # … and until when it counts
        self._stall_lock = threading.Lock()
        self._step_ids = itertools.count()
        # Per event loop (the worker's own, or one run_once round): kept connections and the
        # group commits of lease checks and records.
        self._connections: ConnectionPool | None = None
        self._lease_checks: _Batcher[_Job, float | str | None] | None = None
        self._records: _Batcher[tuple[_Job, Attempt], bool] | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(
            target=_run, args=(self._serve(),), name="spaces-delivery", daemon=True
        )
        self._thread.start()

    def wake(self) -> None:
        """Look for due deliveries now instead of at the next poll."""
        loop, nudge = self._loop, self._nudge
        if loop is not None and nudge is not None:
            self._woken = True
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
            return pool.submit(_run, self._round()).result()

    # ------------------------------------------------------------------ scheduling

    async def _round(self) -> int:
        self._connections = ConnectionPool()
        try:
            jobs = await self._db(self._claim, self.concurrency, {})
            await asyncio.gather(*(self._deliver_and_record(job) for job in jobs))
        finally:
            await self._connections.aclose()
            self._connections = None
            await self.db.leave_loop()
        return len(jobs)

    async def _serve(self) -> None:
        """Claim ahead (up to _CLAIM_AHEAD × `concurrency` jobs in flight or ready, a claim at
        a time, in the background) and start ready jobs as the shares allow (_Shares), so a freed
        slot never waits for a claim transaction. A claim is also made at every poll and
        wake-up however many are ready, so an account below its share is never held up by
        another's ready jobs."""
        self._loop = loop = asyncio.get_running_loop()
        self._nudge = nudge = asyncio.Event()
        self._connections = ConnectionPool()
        slots = self.concurrency
        sending: dict[asyncio.Task[None], int] = {}  # the tasks holding a slot → account id
        tasks: set[asyncio.Task[None]] = set()  # all, recording ones included
        ready: collections.deque[_Job] = collections.deque()  # claimed, not started
        claim: asyncio.Future[list[_Job]] | None = None
        idle = False  # the last claim found nothing: wait for a poll or a wake-up
        polled = True  # a poll or wake() since the last claim began: claim whatever is ready
        while not self._stop.is_set():
            if claim is not None and claim.done():
                try:
                    jobs = claim.result()
                except Exception:  # keep the worker alive; the database may be busy
                    log.error(
                        "webhook worker could not claim deliveries", exc_info=claim.exception()
                    )
                    jobs = []
                claim = None
                ready.extend(jobs)
                idle = not jobs and not self._contended
            self._start(ready, sending, tasks, nudge)
            if (
                claim is None
                and len(tasks) < 4 * slots  # outcomes still being recorded are bounded
                and (polled or (not idle and len(ready) < _REFILL_BELOW * slots))
            ):
                busy = collections.Counter(sending.values())
                busy.update(job.account_id for job in ready)
                ahead = _CLAIM_AHEAD * slots
                free = max(self.per_account, ahead - len(sending) - len(ready))
                polled = self._woken = False
                claim = loop.create_task(self._db(self._claim, free, dict(busy), ahead))
                claim.add_done_callback(lambda _: nudge.set())
            nudge.clear()
            try:
                await asyncio.wait_for(nudge.wait(), self.settings.delivery_poll_interval)
            except TimeoutError:
                polled = True
                self._connections.prune()
            polled = polled or self._woken
        if claim is not None:
            with contextlib.suppress(Exception):
                ready.extend(await claim)
        if ready:  # claimed but not started: let another worker have them at once
            with contextlib.suppress(Exception):
                await self._db(self._release, list(ready))
        if tasks:
            await asyncio.wait(list(tasks))
        await self._connections.aclose()
        await self.db.leave_loop()

    def _start(
        self,
        ready: collections.deque[_Job],
        sending: dict[asyncio.Task[None], int],
        tasks: set[asyncio.Task[None]],
        nudge: asyncio.Event,
    ) -> None:
        """Start the ready jobs the shares allow, oldest claim first."""
        if not ready:
            return
        shares = _Shares(self.per_account, self.concurrency, collections.Counter(sending.values()))
        waiting: list[_Job] = []
        while ready:
            job = ready.popleft()
            if not shares.take(job.account_id):
                waiting.append(job)
                if shares.full():
                    break
                continue
            task = asyncio.create_task(
                self._deliver_and_record(job, self._slot_freer(sending, nudge))
            )
            sending[task] = job.account_id
            tasks.add(task)
            task.add_done_callback(self._finished(sending, tasks, nudge))
        ready.extendleft(reversed(waiting))

    def _release(self, jobs: list[_Job]) -> None:
        """Give up the leases of claimed jobs that were not started (at a stop)."""
        store.release(self.db, [(job.seq, job.lease) for job in jobs])

    @staticmethod
    def _slot_freer(
        sending: dict[asyncio.Task[None], int], nudge: asyncio.Event
    ) -> Callable[[], None]:
        """Called by a job once its POST is over (or it will not send): its slot is free
        while its outcome is recorded."""

        def free() -> None:
            task = asyncio.current_task()
            if task is not None and sending.pop(task, None) is not None:
                nudge.set()

        return free

    @staticmethod
    def _finished(
        sending: dict[asyncio.Task[None], int],
        tasks: set[asyncio.Task[None]],
        nudge: asyncio.Event,
    ) -> Callable[[asyncio.Task[None]], None]:
        """A done-callback freeing the task's slot (if it still holds it) and waking the
        scheduler."""

        def done(task: asyncio.Task[None]) -> None:
            sending.pop(task, None)
            tasks.discard(task)
            nudge.set()

        return done

    def _horizon(self, now: float, asked: float) -> float:
        """Leases that lapsed before this moment are surely abandoned: the start of this
        claim's wait for the write lock (`asked`), of a stall of this worker's database steps
        still in flight, or of one that ended less than a lease length ago (_step_ended)."""
        with self._stall_lock:
            starts = [now, asked, *self._steps.values()]
            if self._stalled_since is not None and now < self._stall_counts_until:
                starts.append(self._stalled_since)
        return min(starts)

    def _step_began(self, key: int, began: float) -> None:
        with self._stall_lock:  # a step begun while a stall counts continues that stall
            since = self._stalled_since
            counting = since is not None and began < self._stall_counts_until
            self._steps[key] = min(began, since) if counting and since is not None else began

    def _step_ended(self, key: int, began: float, ended: float) -> None:
        """A step that took longer than a quarter of the margin (a claim or record behind a
        long write transaction) is a stall: it counts until a lease length after its end."""
        with self._stall_lock:
            since = self._steps.pop(key, began)
            if ended - began <= self.margin / 4:
                return
            if self._stalled_since is not None and ended < self._stall_counts_until:
                since = min(since, self._stalled_since)  # the stall goes on
            self._stalled_since = since
            self._stall_counts_until = ended + self.lease_seconds

    def _claim(self, free: int, busy: dict[int, int], slots: int | None = None) -> list[_Job]:
        """Lease up to `free` due deliveries, oldest first within an account and round-robin
        across accounts, with their accounts' signing secrets, as the shares allow (_Shares,
        over `slots`, by default `concurrency`; `busy`: this worker's jobs in flight or ready,
        by account). A lease counts as lapsed only if it lapsed before this worker's database
        steps last stalled (_horizon)."""
        lease = f"{self.owner}/{uuid.uuid4().hex[:8]}"
        shares = _Shares(self.per_account, slots or self.concurrency, busy)
        asked = time.time()

        def choose(candidates: list[Row], wanted: int) -> list[int]:
            chosen: list[int] = []
            for row in candidates:
                if len(chosen) == wanted or shares.full():
                    break
                if shares.take(int(row["account_id"])):
                    chosen.append(int(row["seq"]))
            return chosen

        claim = store.claim_due(
            self.db,
            lease=lease,
            lease_seconds=self.lease_seconds,
            turns=shares.slots,
            limit=min(_MAX_BATCH, free + shares.slots + shares.total),
            free=free,
            choose=choose,
            lapsed=lambda now: self._horizon(now, asked),
        )
        self._contended = claim.contended
        bodies: dict[str, bytes] = {}  # by event id: one body per event, whatever its targets
        jobs = []
        for leased in claim.leased:
            event_id = str(leased.event["v_id"])
            body = bodies.get(event_id)
            if body is None:
                body = bodies[event_id] = render.event_json(leased.event).encode("utf-8")
            jobs.append(
                _Job(
                    seq=leased.seq,
                    account_id=leased.account_id,
                    webhook_id=leased.webhook_id,
                    url=leased.url,
                    rs_seq=leased.rs_seq,
                    lease=lease,
                    lease_until=claim.now + self.lease_seconds,
                    event_id=event_id,
                    event_type=str(leased.event["v_type"]),
                    body=body,
                    secrets=leased.secrets,
                    claimed=claim.now,
                )
            )
        return jobs

    # ------------------------------------------------------------------ one delivery

    def _headers(self, job: _Job, body: bytes, secrets: Sequence[str]) -> dict[str, str]:
        return {
            "Content-Type": "application/json",
            "User-Agent": f"Spaces-Webhooks/{API_VERSION} (reference server)",
            "Spaces-Webhook-Id": job.webhook_id,
            "Spaces-Event-Id": job.event_id,
            "Spaces-Event-Type": job.event_type,
            # Standard Webhooks 1.0 (spec/NOTES.md 50); webhook-id is the webhook's id, the
            # timestamp this attempt's, so the body is signed once per attempt.
            **signed_headers(secrets, job.webhook_id, body),
        }

    async def _db(self, fn: Callable[..., _T], *args: Any) -> _T:
        """Run a database step: where the backend's statements can be awaited (PostgreSQL), on
        this event loop, each statement awaited (no thread, no interpreter-lock hand-off);
        elsewhere on the worker's own threads (never shared with name lookups or the API's
        threads, so neither can make a claim or a record wait)."""
        key, began = next(self._step_ids), time.time()
        self._step_began(key, began)
        try:
            if self.db.capabilities.awaited:
                return await self.db.run_steps(fn, *args)
            if self._db_pool is None:
                self._db_pool = concurrent.futures.ThreadPoolExecutor(
                    self.concurrency + 2, thread_name_prefix="spaces-delivery-db"
                )
            return await asyncio.get_running_loop().run_in_executor(self._db_pool, fn, *args)
        finally:
            self._step_ended(key, began, time.time())

    def _batchers(
        self,
    ) -> tuple[_Batcher[_Job, float | str | None], _Batcher[tuple[_Job, Attempt], bool]]:
        """This event loop's group commits of lease checks and of records."""
        loop = asyncio.get_running_loop()
        if self._lease_checks is None or self._lease_checks.loop is not loop:
            self._lease_checks = _Batcher(self._check_leases, self._db)
        if self._records is None or self._records.loop is not loop:
            self._records = _Batcher(self._record_batch, self._db)
        return self._lease_checks, self._records

    async def _deliver_and_record(self, job: _Job, sent: Callable[[], None] | None = None) -> None:
        """One claimed job: at most one POST, only while this claim's lease is live; then its
        outcome, recorded while the lease is kept. `sent` is called once the POST is over (the
        slot it held is free while the outcome is recorded)."""
        lease = _Lease(job.lease_until)
        try:
            try:
                attempt = await self._attempt(job, lease)
            finally:
                if sent is not None:
                    sent()
            if attempt is not None:
                if not lease.kept:  # refused or unresolvable: nothing was sent
                    self._keep(job, lease)
                await self._record_while_leased(job, attempt, lease)
        finally:
            if lease.timer is not None:
                lease.timer.cancel()
            if lease.keeper is not None:
                lease.keeper.cancel()

    async def _attempt(self, job: _Job, lease: _Lease) -> Attempt | None:
        """Prepare, resolve, check the lease and POST, all within the deadline; the outcome to
        record, or None if the job was settled or dropped without sending (a stall before the
        POST, a lost lease: the row is claimed again once its lease lapses)."""
        phase = "prepare"
        started = time.time()
        checks, _ = self._batchers()
        try:
            async with asyncio.timeout(self.deadline):
                secrets: Sequence[str] = job.secrets or await self._db(self._prepare, job)
                phase = "resolve"
                target = await resolve_target_with(
                    job.url,
                    allow_private=self.settings.allow_private_targets,
                    lookup=functools.partial(self.resolver.lookup, job.account_id),
                )
                phase = "lease"
                if not self._fresh(job):
                    until = await checks.submit(job)
                    if until == UNSUBSCRIBED:
                        return None
                    if not isinstance(until, float):
                        log.warning(
                            "webhook %s: lease lapsed before sending: dropped", job.webhook_id
                        )
                        return None
                    lease.until = until
                self._keep(job, lease)
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
        return await post_pinned(
            target,
            job.body,
            self._headers(job, job.body, secrets),
            timeout=self.deadline,
            max_response_bytes=0,
            may_send=lambda: not lease.lost and time.time() < lease.until - self.margin / 2,
            pool=self._connections,
        )

    def _fresh(self, job: _Job) -> bool:
        """Whether the job's claim is so recent that the claim transaction itself is its lease
        check: taken under the write lock (or the rows' locks) less than `margin / 4` ago, so
        its lease (a deadline and a margin long) has more than the deadline and half the margin
        to run. A lease changes hands only by lapsing (store.claim_due), so it is this claim's and
        live; the transport still writes nothing once it is nearly over (`may_send`). (The claim
        also settled, unsent, the deliveries of subscriptions removed by then.)"""
        return time.time() < job.claimed + self.margin / 4

    def _check_leases(self, jobs: list[_Job]) -> list[float | str | None]:
        """Just before the POSTs, in one transaction: extend each claim's lease if it is still
        that claim's, still live (judged once the write lock, or the rows' locks, are held) and
        the job still pending; per job the new end, UNSUBSCRIBED (its resource subscription was
        removed: settled unsent), or None (dropped: another worker has it, or may take it at
        any moment). See store.check_leases."""
        return store.check_leases(
            self.db, [(job.seq, job.lease, job.rs_seq) for job in jobs], self.lease_seconds
        )

    def _keep(self, job: _Job, lease: _Lease) -> None:
        """Renew the job's lease every `renew_every` seconds while it is in flight (POST and
        record): a timer starts the renewing task (_keep_leased) if the job lasts that long, so
        a delivery answered at once costs no task."""
        loop = asyncio.get_running_loop()

        def begin() -> None:
            lease.timer = None
            lease.keeper = loop.create_task(self._keep_leased(job, lease))

        lease.kept = True
        lease.timer = loop.call_later(self.renew_every, begin)

    async def _keep_leased(self, job: _Job, lease: _Lease) -> None:
        """Extend the job's lease now and every `renew_every` seconds, so only a worker that
        really stalls (or cannot reach the database) loses it; a loss is noticed
        (`lease.lost`) and stops any further sending."""
        while True:
            try:
                until = await self._db(self._extend_lease, job)
            except Exception:
                log.warning("could not extend the lease of %s", job.webhook_id, exc_info=True)
                until = lease.until
            if until is None:
                lease.lost = True
                log.warning("webhook %s: lease lost to another worker", job.webhook_id)
                return
            lease.until = until
            await asyncio.sleep(self.renew_every)

    async def _record_while_leased(self, job: _Job, attempt: Attempt, lease: _Lease) -> None:
        """Record the outcome; a failure to record is logged and retried, never answered by
        sending again. The first try shares a transaction with the outcomes ready at the same
        moment; a failed write (a dropped connection, a restart, anything in the answer the
        record could not store) is retried alone with backoff, without the receiver's optional
        headers (`Attempt.plain`), while the lease is kept (_keep_leased). It stops only when
        another worker holds the row (its outcome counts), or at a stop once the lease has
        ended."""
        _, records = self._batchers()
        delay, tries = 0.1, 0
        while True:
            try:
                if tries == 0:
                    await records.submit((job, attempt))
                else:
                    await self._db(self._record_batch, [(job, attempt.plain())])
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
        return store.extend_lease(self.db, job.seq, job.lease, self.lease_seconds)

    def _prepare(self, job: _Job) -> list[str]:
        """The account's signing secrets when the claim found none: its first one is made."""
        return signing_secrets(self.db, job.account_id)

    def _record(self, job: _Job, attempt: Attempt) -> bool:
        """Record one outcome (see _record_batch); whether it counted."""
        [counted] = self._record_batch([(job, attempt)])
        return counted

    def _record_batch(self, items: list[tuple[_Job, Attempt]]) -> list[bool]:
        """Record outcomes in one transaction; per item whether it counted. An outcome counts
        only if its row is still under its claim: the rows are locked while their leases are
        checked (PostgreSQL runs write transactions concurrently; SQLite's single writer needs
        no row lock), so a claim by another worker either committed first, and this outcome
        is discarded, or skips the row."""
        counted: dict[int, bool] = {}  # by index in items
        logged: list[tuple[_Job, Attempt, int, str]] = []
        can = self.db.capabilities
        # All 2xx: one statement (writable_ctes), which commits alone where that is cheaper
        # (autocommit), atomic for the whole group as a transaction would be.
        alone = can.writable_ctes and can.autocommit and all(a.ok for _, a in items)
        with self.db.autocommit() if alone else self.db.write() as tx:
            rest = list(range(len(items)))
            if tx.capabilities.writable_ctes:  # the 2xx ones in one statement
                oks = [i for i in rest if items[i][1].ok]
                rest = [i for i in rest if not items[i][1].ok]
                if oks:
                    numbers = store.settle_delivered(tx, [self._outcome(*items[i]) for i in oks])
                    for i, number in zip(oks, numbers, strict=True):
                        counted[i] = number is not None
                        if number is not None:
                            logged.append((*items[i], number, "delivered"))
            if rest:
                outcomes = [self._outcome(*items[i]) for i in rest]
                results = store.record_outcomes(tx, outcomes, self.settings.webhook_max_attempts)
                for i, result in zip(rest, results, strict=True):
                    counted[i] = result is not None
                    if result is not None:
                        logged.append((*items[i], *result))
        for job, attempt, number, outcome in logged:
            log.info(
                "webhook %s → %s: %s (attempt %d/%d): %s",
                job.webhook_id,
                job.url,
                attempt.status_code if attempt.status_code is not None else attempt.error,
                number,
                self.settings.webhook_max_attempts,
                outcome,
            )
        for i, (job, attempt) in enumerate(items):
            if not counted[i]:
                log.warning(
                    "webhook %s: lease lost while sending; this attempt's outcome (%s) is"
                    " discarded",
                    job.webhook_id,
                    attempt.status_code if attempt.status_code is not None else attempt.error,
                )
        return [counted[i] for i in range(len(items))]

    def _outcome(self, job: _Job, attempt: Attempt) -> store.Outcome:
        """The job's attempt as storage records it, with when to try again if it failed."""
        return store.Outcome(
            seq=job.seq,
            lease=job.lease,
            rs_seq=job.rs_seq,
            started=attempt.started,
            finished=attempt.finished,
            status_code=attempt.status_code,
            error=attempt.error,
            retry_at=functools.partial(
                self.retry_schedule.next_attempt_at,
                finished=attempt.finished,
                retry_after=attempt.retry_after,
            ),
        )
