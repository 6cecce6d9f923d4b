"""Webhook delivery's storage: the claim of due webhooks under a lease, lease checks and renewals,
and the record of outcomes. The worker (delivery.py) holds the policy (shares of the slots,
deadlines, the retry schedule) and writes no SQL; this module writes all of delivery's, picking
statements by what the backend can do (`Transaction.capabilities`), never by which it is.

A lease is (`lease_owner`, `lease_until`) on a webhook row: one claim's, until a time. A lease
changes hands only by lapsing (`lease_until` passed), and every write here that acts for a claim
first re-checks, under the write lock or the rows' locks, that the row is still that claim's."""

from __future__ import annotations

import collections
import dataclasses
import time
from collections.abc import Callable, Sequence
from typing import Any

from ..database import Database, Row, Transaction
from .hooks import remove_resource_subscription

__all__ = [
    "MAX_BATCH",
    "UNSUBSCRIBED",
    "Leased",
    "Claim",
    "Outcome",
    "claim_due",
    "check_leases",
    "extend_lease",
    "release",
    "settle_delivered",
    "record_outcomes",
    "valid_secrets_of",
]

MAX_BATCH = 200  # rows one claim, lease check or record transaction handles at most
UNSUBSCRIBED = "unsubscribed"  # a lease check's answer: the resource subscription was removed

_VALID_SECRET = "(expires_at IS NULL OR expires_at > ?)"  # still signing at `?` (now)


@dataclasses.dataclass(frozen=True, slots=True)
class Leased:
    """A webhook row leased by a claim, with what its delivery needs."""

    seq: int
    account_id: int
    webhook_id: str
    url: str
    rs_seq: int | None  # its resource subscription, if it is one's
    event: Row  # v_id, v_created, v_type, v_data: the event's columns (render.event_json)
    secrets: tuple[str, ...]  # the account's valid signing secrets at the claim, newest first


@dataclasses.dataclass(frozen=True)
class Claim:
    leased: list[Leased]
    now: float  # when the lease was taken (the write lock, or the rows' locks, held)
    contended: bool = False  # due rows were chosen, but another claim held every one of them


@dataclasses.dataclass(frozen=True)
class Outcome:
    """One attempt's result, to record for the claim that made it."""

    seq: int
    lease: str
    rs_seq: int | None
    started: float
    finished: float
    status_code: int | None
    error: str | None
    retry_at: Callable[[int], float]  # when to try again after failed attempt number n

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _marks(values: Sequence[Any]) -> str:
    """`?, ?, …` for an IN list of `values`."""
    return ", ".join("?" * len(values))


# ---------------------------------------------------------------------------- the claim

# The accounts with due webhooks, found by skipping from one account's pending rows to the
# next in webhooks_due_by_account (migration 0006: pending rows by account, oldest due first):
# two index seeks per account with pending webhooks, however many each has.
_PENDING_ACCOUNTS = (
    "RECURSIVE a (id) AS ("
    " SELECT (SELECT account_id FROM webhooks WHERE pending = 1 ORDER BY account_id LIMIT 1)"
    " UNION ALL SELECT (SELECT account_id FROM webhooks WHERE pending = 1 AND account_id > a.id"
    " ORDER BY account_id LIMIT 1) FROM a WHERE a.id IS NOT NULL)"
)
_IS_DUE = (
    "id IS NOT NULL AND (SELECT next_attempt_at FROM webhooks"
    " WHERE pending = 1 AND account_id = a.id ORDER BY next_attempt_at LIMIT 1) <= ?"
)
_ACCOUNTS_DUE = f"WITH {_PENDING_ACCOUNTS} SELECT id FROM a WHERE {_IS_DUE}"
# An account's oldest due webhooks whose lease has lapsed, at most `?` of them.
_DUE_FREE = (
    "pending = 1 AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)"
    " ORDER BY next_attempt_at, seq LIMIT ?"
)
_DUE_OF_ACCOUNT = (
    f"SELECT seq, account_id, next_attempt_at FROM webhooks WHERE account_id = ? AND {_DUE_FREE}"
)
# With lateral_joins, the same for every account in one statement.
_DUE_OF_ACCOUNTS = (
    "SELECT d.seq, d.account_id, d.next_attempt_at FROM unnest(?::bigint[]) AS a (id)"
    " CROSS JOIN LATERAL (SELECT seq, account_id, next_attempt_at FROM webhooks"
    f" WHERE account_id = a.id AND {_DUE_FREE}) AS d"
)
# With lateral_joins, the walk takes one index seek per account instead of two: the first
# entry past the previous account is the next account's oldest pending row, so its account and
# when it is due come together (the index's order: account_id, next_attempt_at).
_PENDING_ACCOUNTS_FIRST_DUE = (
    "RECURSIVE a (id, due) AS ((SELECT account_id, next_attempt_at FROM webhooks"
    " WHERE pending = 1 ORDER BY account_id, next_attempt_at LIMIT 1)"
    " UNION ALL SELECT n.account_id, n.next_attempt_at FROM a CROSS JOIN LATERAL"
    " (SELECT account_id, next_attempt_at FROM webhooks WHERE pending = 1 AND account_id > a.id"
    " ORDER BY account_id, next_attempt_at LIMIT 1) AS n)"
)
# With lateral_joins, the accounts and their rows in one statement: each of the accounts with
# due webhooks (its `?` the first parameter) gives its first k free due rows, k as _candidates
# computes it from their number (parameters: turns, limit), and every row carries k.
_DUE_OF_DUE_ACCOUNTS = (
    f"WITH {_PENDING_ACCOUNTS_FIRST_DUE}, due AS (SELECT id FROM a WHERE due <= ?),"
    " share AS (SELECT GREATEST(1, LEAST(?::integer,"
    " CEIL(?::numeric / GREATEST(COUNT(*), 1))))::integer AS k FROM due)"
    " SELECT d.seq, d.account_id, d.next_attempt_at, share.k FROM share CROSS JOIN due"
    " CROSS JOIN LATERAL (SELECT seq, account_id, next_attempt_at FROM webhooks"
    " WHERE account_id = due.id AND pending = 1 AND next_attempt_at <= ?"
    " AND (lease_until IS NULL OR lease_until < ?) ORDER BY next_attempt_at, seq"
    " LIMIT share.k) AS d"
)
_EVENT_COLUMNS = "v.id AS v_id, v.created AS v_created, v.type AS v_type, v.data AS v_data"
_CLAIMED = (
    "SELECT w.seq, w.account_id, w.id AS w_id, w.url, w.resource_subscription_seq,"
    f" {_EVENT_COLUMNS}, r.deleted AS rs_deleted FROM webhooks w"
    " JOIN events v ON v.seq = w.event_seq"
    " LEFT JOIN resource_subscriptions r ON r.seq = w.resource_subscription_seq"
    " WHERE w.seq IN ({})"
)
# With skip_locked and writable_ctes, one round trip: lock the chosen rows that are still free,
# skipping those another worker's claim holds at this moment (the worker's shares chose them
# from the candidates in between), re-checked under the lock; lease them and read what the
# delivery needs, the accounts' secrets included. The chosen rows come in the claim's order with
# alternates after them (so that a claim beside another worker's still gets its fill): the
# first `free` of them not locked right now. Each row is found by its key, one at a time in the
# claim's order (the LATERAL, locking as it goes, stops at the LIMIT), and leased by its key:
# the cost follows the claim's size, never the queue's, whatever the planner's statistics say
# (a join here was planned, on a queue filled since the last ANALYZE, as a scan of every due
# row: ~1 ms per claim at 4,000 due).
_LEASE_LOCKED = (
    "WITH chosen AS (SELECT l.seq FROM unnest(?::bigint[]) AS c (seq)"
    " CROSS JOIN LATERAL (SELECT w.seq FROM webhooks w WHERE w.seq = c.seq"
    " AND w.pending = 1 AND w.next_attempt_at <= ? AND (w.lease_until IS NULL"
    " OR w.lease_until < ?) FOR UPDATE SKIP LOCKED) AS l LIMIT ?),"
    " leased AS (UPDATE webhooks w"
    " SET lease_until = ?, lease_owner = ? WHERE w.seq = ANY(ARRAY(SELECT seq FROM chosen))"
    " RETURNING w.seq, w.account_id, w.id AS w_id, w.url, w.resource_subscription_seq,"
    " w.event_seq)"
    " SELECT l.seq, l.account_id, l.w_id, l.url, l.resource_subscription_seq,"
    f" {_EVENT_COLUMNS}, r.deleted AS rs_deleted,"
    " (SELECT string_agg(secret, ' ' ORDER BY seq DESC) FROM webhook_signing_secrets"
    f" WHERE account_id = l.account_id AND {_VALID_SECRET}) AS secrets"
    " FROM leased l JOIN events v ON v.seq = l.event_seq"
    " LEFT JOIN resource_subscriptions r ON r.seq = l.resource_subscription_seq"
)

Chooser = Callable[[list[Row], int], list[int]]


def claim_due(
    db: Database,
    *,
    lease: str,
    lease_seconds: float,
    turns: int,
    limit: int,
    free: int,
    choose: Chooser,
    lapsed: Callable[[float], float] | None = None,
) -> Claim:
    """Lease up to `free` due webhooks to the claim `lease` for `lease_seconds`, with their
    accounts' signing secrets. Candidates are the due rows whose lease has lapsed, each
    account's oldest `turns` of them, round-robin across accounts (at most `limit`);
    `choose(candidates, wanted)` (the worker's shares) picks the seqs to take, in order. Where
    rows may be locked by another claim at this moment, alternates are chosen too (`wanted` is
    twice `free`) and the first `free` not locked are taken. Deliveries of a resource
    subscription removed since they were queued are settled unsent instead. `lapsed(now)`
    (default: `now`) is the moment before which a lease counts as lapsed (the worker's
    _horizon: earlier while its own database steps stalled)."""
    skip_locked = db.capabilities.skip_locked and db.capabilities.writable_ctes
    # Where rows are locked and leased in one statement that re-checks them under the locks,
    # the candidates' read needs no transaction around it (what it read may have changed by
    # the lease either way), nor does the lease: with `autocommit`, a statement each.
    alone = skip_locked and db.capabilities.autocommit
    with db.autocommit() if alone else db.write() as tx:
        now = time.time()  # the write lock held, or before any row lock: the lease runs from here
        until = now + lease_seconds
        before = now if lapsed is None else lapsed(now)
        candidates = _candidates(tx, now, turns, limit, before=before)
        seqs = choose(candidates, 2 * free if skip_locked else free)
        if not seqs:
            return Claim([], now)
        if skip_locked:
            leased = tx.query(_LEASE_LOCKED, (seqs, now, before, free, until, lease, now))
            details = {int(r["seq"]): r for r in leased}
            if not details:  # all locked by another claim: try again soon
                return Claim([], now, contended=True)
        else:
            details = {int(r["seq"]): r for r in tx.query(_CLAIMED.format(_marks(seqs)), seqs)}
            tx.execute(
                "UPDATE webhooks SET lease_until = ?, lease_owner = ?"
                f" WHERE seq IN ({_marks(seqs)})",
                (until, lease, *seqs),
            )
        rows = [details[seq] for seq in seqs if seq in details]
        gone = [int(r["seq"]) for r in rows if r["rs_deleted"]]
        if gone:
            _settle_unsent(tx, gone, lease)
        rows = [r for r in rows if not r["rs_deleted"]]
        if not rows:
            return Claim([], now)
        if skip_locked:  # read with the rows
            secrets = {int(r["account_id"]): str(r["secrets"] or "").split() for r in rows}
        else:
            secrets = valid_secrets_of(tx, [int(r["account_id"]) for r in rows], now=now)
    return Claim(
        [
            Leased(
                seq=int(r["seq"]),
                account_id=int(r["account_id"]),
                webhook_id=str(r["w_id"]),
                url=str(r["url"]),
                rs_seq=r["resource_subscription_seq"],
                event=r,
                secrets=tuple(secrets.get(int(r["account_id"]), ())),
            )
            for r in rows
        ],
        now,
    )


def _candidates(
    tx: Transaction, now: float, turns: int, limit: int, *, before: float | None = None
) -> list[Row]:
    """Due webhooks whose lease lapsed before `before` (default `now`) (seq, account_id), at
    most `limit`: each account's oldest first, at most `turns` of each, round-robin across
    accounts (all accounts' first ones oldest first, then their second ones, …). Reads each
    account's first k rows, k enough for `limit` if every account had that many, doubled
    while that was too few and some account had more; never every due row."""
    before = now if before is None else before
    if tx.capabilities.lateral_joins:  # the accounts and their first k rows at once
        rows = tx.query(_DUE_OF_DUE_ACCOUNTS, (now, turns, limit, now, before))
        k = int(rows[0]["k"]) if rows else turns
        # Accounts without a free row here have none at any k: the rest can leave them out.
        accounts = sorted({int(r["account_id"]) for r in rows})
    else:
        accounts = [int(r["id"]) for r in tx.query(_ACCOUNTS_DUE, (now,))]
        if not accounts:
            return []
        k = max(1, min(turns, -(-limit // len(accounts))))
        rows = [r for a in accounts for r in tx.query(_DUE_OF_ACCOUNT, (a, now, before, k))]
    while True:
        counts = collections.Counter(int(r["account_id"]) for r in rows)
        if len(rows) >= limit or k >= turns or max(counts.values(), default=0) < k:
            break  # enough, or every account's due rows (up to `turns`) are in
        k = min(turns, 2 * k)
        if tx.capabilities.lateral_joins:
            rows = tx.query(_DUE_OF_ACCOUNTS, (accounts, now, before, k))
        else:
            rows = [r for a in accounts for r in tx.query(_DUE_OF_ACCOUNT, (a, now, before, k))]
    turn: collections.Counter[int] = collections.Counter()
    ranked = []
    for r in sorted(rows, key=lambda r: (int(r["account_id"]), r["next_attempt_at"], r["seq"])):
        account = int(r["account_id"])
        turn[account] += 1
        ranked.append((turn[account], r["next_attempt_at"], int(r["seq"]), r))
    ranked.sort(key=lambda t: t[:3])
    return [r for *_, r in ranked[:limit]]


def valid_secrets_of(
    tx: Transaction, account_ids: Sequence[int], *, now: float | None = None
) -> dict[int, list[str]]:
    """The valid signing secrets (newest first) of several accounts in one query (the claim
    reads them with the deliveries it leases, so a rotation counts from the next claim);
    accounts with none are missing from the answer."""
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    rows = tx.query(
        "SELECT account_id, secret FROM webhook_signing_secrets"
        f" WHERE account_id IN ({_marks(ids)}) AND {_VALID_SECRET} ORDER BY seq DESC",
        (*ids, time.time() if now is None else now),
    )
    found: dict[int, list[str]] = {}
    for row in rows:
        found.setdefault(int(row["account_id"]), []).append(str(row["secret"]))
    return found


def _settle_unsent(tx: Transaction, seqs: Sequence[int], lease: str | None = None) -> None:
    """Settle webhooks unsent (their resource subscription was removed), leases released; if
    `lease` is given, only those still under that claim."""
    mine = "" if lease is None else " AND lease_owner = ?"
    tx.execute(
        "UPDATE webhooks SET pending = 0, lease_until = NULL, lease_owner = NULL"
        f" WHERE seq IN ({_marks(seqs)}){mine}",
        (*seqs, *([] if lease is None else [lease])),
    )


def release(db: Database, leases: Sequence[tuple[int, str]]) -> None:
    """Give up the leases (seq, lease) of claimed webhooks that were not started, if they are
    still those claims'."""
    with db.write() as tx:
        for seq, lease in leases:
            tx.execute(
                "UPDATE webhooks SET lease_until = NULL, lease_owner = NULL"
                " WHERE seq = ? AND lease_owner = ?",
                (seq, lease),
            )


# ---------------------------------------------------------------------------- leases


# With writable_ctes, a lease check is one statement: the UPDATEs lock each asked row and
# re-check under the lock that it is still that claim's, live and pending; those whose
# resource subscription was removed are settled unsent, the others renewed. Parameters: the
# seqs, their leases, the new end, now, now.
_CHECK_LEASES = (
    "WITH asked (seq, lease) AS (SELECT * FROM unnest(?::bigint[], ?::text[])),"
    " gone AS (SELECT r.seq FROM resource_subscriptions r WHERE r.deleted = 1 AND r.seq IN"
    " (SELECT w.resource_subscription_seq FROM webhooks w JOIN asked ON w.seq = asked.seq)),"
    " renewed AS (UPDATE webhooks w SET lease_until = ? FROM asked"
    " WHERE w.seq = asked.seq AND w.lease_owner = asked.lease AND w.lease_until > ?"
    " AND w.pending = 1 AND (w.resource_subscription_seq IS NULL"
    " OR w.resource_subscription_seq NOT IN (SELECT seq FROM gone))"
    " RETURNING w.seq, w.lease_owner, 0 AS unsubscribed),"
    " settled AS (UPDATE webhooks w SET pending = 0, lease_until = NULL, lease_owner = NULL"
    " FROM asked WHERE w.seq = asked.seq AND w.lease_owner = asked.lease AND w.lease_until > ?"
    " AND w.pending = 1 AND w.resource_subscription_seq IN (SELECT seq FROM gone)"
    " RETURNING w.seq, asked.lease AS lease_owner, 1 AS unsubscribed)"
    " SELECT * FROM renewed UNION ALL SELECT * FROM settled"
)


def check_leases(
    db: Database, leases: Sequence[tuple[int, str, int | None]], lease_seconds: float
) -> list[float | str | None]:
    """In one transaction, for claims (seq, lease, resource subscription seq) about to send:
    extend each lease by `lease_seconds` if it is still that claim's, still live (judged under
    the write lock or the rows' locks) and the webhook still pending; per item the new end,
    UNSUBSCRIBED (its resource subscription was removed: settled unsent), or None (dropped:
    another worker has it, or may take it at any moment)."""
    if db.capabilities.writable_ctes and db.capabilities.autocommit:
        return _check_leases_at_once(db, leases, lease_seconds)
    lock = " FOR UPDATE" if db.capabilities.row_locks else ""
    seqs = sorted({seq for seq, _, _ in leases})
    with db.write() as tx:
        rows = {
            int(r["seq"]): r
            for r in tx.query(
                "SELECT seq, lease_owner, lease_until, pending FROM webhooks"
                f" WHERE seq IN ({_marks(seqs)}){lock}",
                seqs,
            )
        }
        now = time.time()
        until = now + lease_seconds

        def live(seq: int, lease: str) -> bool:
            row = rows.get(seq)
            return (
                row is not None
                and row["lease_owner"] == lease
                and row["lease_until"] is not None
                and float(row["lease_until"]) > now
                and bool(row["pending"])
            )

        ok = [live(seq, lease) for seq, lease, _ in leases]
        alive = [item for item, good in zip(leases, ok, strict=True) if good]
        rs_seqs = sorted({rs for _, _, rs in alive if rs is not None})
        removed: set[int] = set()
        if rs_seqs:
            removed = {
                int(r["seq"])
                for r in tx.query(
                    "SELECT seq FROM resource_subscriptions"
                    f" WHERE seq IN ({_marks(rs_seqs)}) AND deleted = 1",
                    rs_seqs,
                )
            }
        settled = [seq for seq, _, rs in alive if rs in removed]
        renewed = [seq for seq, _, rs in alive if rs not in removed]
        if settled:
            _settle_unsent(tx, settled)
        if renewed:
            tx.execute(
                f"UPDATE webhooks SET lease_until = ? WHERE seq IN ({_marks(renewed)})",
                (until, *renewed),
            )
    return [
        (UNSUBSCRIBED if rs in removed else until) if good else None
        for (_, _, rs), good in zip(leases, ok, strict=True)
    ]


def _check_leases_at_once(
    db: Database, leases: Sequence[tuple[int, str, int | None]], lease_seconds: float
) -> list[float | str | None]:
    """check_leases in one statement (writable_ctes), committed alone (autocommit)."""
    with db.autocommit() as tx:
        now = time.time()
        until = now + lease_seconds
        done = {
            (int(r["seq"]), str(r["lease_owner"])): bool(r["unsubscribed"])
            for r in tx.query(
                _CHECK_LEASES,
                ([seq for seq, _, _ in leases], [lease for _, lease, _ in leases], until, now, now),
            )
        }
    answers: list[float | str | None] = []
    for seq, lease, _ in leases:
        gone = done.get((seq, lease))
        answers.append(None if gone is None else UNSUBSCRIBED if gone else until)
    return answers


def extend_lease(db: Database, seq: int, lease: str, lease_seconds: float) -> float | None:
    """Extend the claim `lease`'s lease on webhook `seq` by `lease_seconds`; the new end, or
    None if the row is no longer under that claim. One statement: committed alone where
    that is cheaper (`autocommit`)."""
    with db.autocommit() if db.capabilities.autocommit else db.write() as tx:
        until = time.time() + lease_seconds
        changed = tx.execute(
            "UPDATE webhooks SET lease_until = ? WHERE seq = ? AND lease_owner = ?",
            (until, seq, lease),
        )
    return until if changed else None


# ---------------------------------------------------------------------------- outcomes

# With writable_ctes, one round trip: settle 2xx outcomes whose rows are still under their
# claims (the UPDATE locks each row and re-checks its lease_owner under the lock) and store
# their attempts; the rows settled. The outcomes come as one array per column, so the text is
# the same whatever their number: prepared once per connection, never planned again.
_SETTLE_DELIVERED = (
    "WITH done (seq, lease, started, finished, status) AS (SELECT * FROM unnest(?::bigint[],"
    " ?::text[], ?::double precision[], ?::double precision[], ?::integer[])),"
    " settled AS (UPDATE webhooks w SET pending = 0, delivered = 1, attempts = w.attempts + 1,"
    " lease_until = NULL, lease_owner = NULL FROM done"
    " WHERE w.seq = done.seq AND w.lease_owner = done.lease"
    " RETURNING w.seq, w.attempts, done.lease, done.started, done.finished, done.status),"
    " stored AS (INSERT INTO webhook_attempts"
    " (webhook_seq, attempt, started, finished, status_code)"
    " SELECT seq, attempts, started, finished, status FROM settled)"
    " SELECT seq, lease, attempts FROM settled"
)


def settle_delivered(tx: Transaction, outcomes: Sequence[Outcome]) -> list[int | None]:
    """2xx outcomes in one statement, where the backend has writable_ctes: settle those still
    under their claims and store their attempts; per outcome its attempt number, or None if it
    did not count (the row is another claim's). Elsewhere record_outcomes does it."""
    columns = (
        [o.seq for o in outcomes],
        [o.lease for o in outcomes],
        [o.started for o in outcomes],
        [o.finished for o in outcomes],
        [o.status_code for o in outcomes],
    )
    settled = {
        (int(r["seq"]), str(r["lease"])): int(r["attempts"])
        for r in tx.query(_SETTLE_DELIVERED, columns)
    }
    return [settled.get((o.seq, o.lease)) for o in outcomes]


def record_outcomes(
    tx: Transaction, outcomes: Sequence[Outcome], max_attempts: int
) -> list[tuple[int, str] | None]:
    """Record outcomes in `tx`: per outcome (its attempt number, a word on what happened), or
    None if it did not count because its row is no longer under its claim. The rows are locked
    as their leases are checked (where write transactions run side by side; a single writer
    needs no row lock), so a claim by another worker either committed first, and the outcome is
    discarded, or skips the row. A 2xx settles the webhook; a 410 from a resource
    subscription's target removes the subscription; anything else schedules the next try
    (`retry_at`) until `max_attempts` have failed or the subscription was removed."""
    lock = " FOR UPDATE" if tx.capabilities.row_locks else ""
    seqs = sorted({o.seq for o in outcomes})
    rows = {
        int(r["seq"]): r
        for r in tx.query(
            f"SELECT seq, attempts, lease_owner FROM webhooks WHERE seq IN ({_marks(seqs)}){lock}",
            seqs,
        )
    }
    results: list[tuple[int, str] | None] = []
    delivered: list[tuple[Outcome, int]] = []
    for o in outcomes:
        row = rows.get(o.seq)
        if row is None or row["lease_owner"] != o.lease:
            results.append(None)
            continue
        number = int(row["attempts"]) + 1
        rows.pop(o.seq)  # one outcome per row and transaction
        if o.ok:
            delivered.append((o, number))
            results.append((number, "delivered"))
        else:
            results.append((number, _settle_failed(tx, o, number, max_attempts)))
    if delivered:
        _store_delivered(tx, delivered)
    return results


def _store_delivered(tx: Transaction, delivered: list[tuple[Outcome, int]]) -> None:
    """Store 2xx attempts and settle their webhooks, a statement for all of them each."""
    values: list[Any] = []
    for o, number in delivered:
        values += [o.seq, number, o.started, o.finished, o.status_code]
    tx.execute(
        "INSERT INTO webhook_attempts (webhook_seq, attempt, started, finished, status_code)"
        f" VALUES {', '.join(['(?, ?, ?, ?, ?)'] * len(delivered))}",
        values,
    )
    seqs = [o.seq for o, _ in delivered]
    tx.execute(
        "UPDATE webhooks SET pending = 0, delivered = 1, attempts = attempts + 1,"
        f" lease_until = NULL, lease_owner = NULL WHERE seq IN ({_marks(seqs)})",
        seqs,
    )


def _settle_failed(tx: Transaction, o: Outcome, number: int, max_attempts: int) -> str:
    """Store attempt `number` (not a 2xx) and the webhook's new state; a word on the outcome."""
    tx.insert(
        "INSERT INTO webhook_attempts (webhook_seq, attempt, started, finished,"
        " status_code, error) VALUES (?, ?, ?, ?, ?, ?)",
        (o.seq, number, o.started, o.finished, o.status_code, o.error),
    )
    if o.status_code == 410 and o.rs_seq is not None:
        tx.execute(
            "UPDATE webhooks SET pending = 0, delivered = 0, attempts = ?,"
            " lease_until = NULL, lease_owner = NULL WHERE seq = ?",
            (number, o.seq),
        )
        remove_resource_subscription(tx, o.rs_seq)
        return "410 Gone: resource subscription removed"
    removed = o.rs_seq is not None and tx.one(
        "SELECT 1 FROM resource_subscriptions WHERE seq = ? AND deleted = 1", (o.rs_seq,)
    )
    final = number >= max_attempts or bool(removed)
    tx.execute(
        "UPDATE webhooks SET pending = ?, attempts = ?, next_attempt_at = ?,"
        " lease_until = NULL, lease_owner = NULL WHERE seq = ?",
        (0 if final else 1, number, o.retry_at(number), o.seq),
    )
    return "gave up" if final else "will retry"
