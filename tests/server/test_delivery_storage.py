"""Delivery's storage (repo/delivery.py): the claim's candidates read each account's oldest due
webhooks, not every due row, yet choose exactly what a window over every due row would; the
webhook body is the event as the API renders it."""

from __future__ import annotations

import json
import random
import time

import pytest

from spaces_toolkit.server.storage import render
from spaces_toolkit.server.storage.database import open_database
from spaces_toolkit.server.storage.repo import delivery as store
from spaces_toolkit.server.storage.repo.accounts import create_account
from spaces_toolkit.server.storage.repo.hooks import create_resource_subscription

# The definition the claim's candidates must agree with: every due row whose lease lapsed,
# numbered within its account oldest first; turns up to `turns`, round-robin, oldest first.
_REFERENCE = (
    "SELECT seq, account_id FROM (SELECT seq, account_id, next_attempt_at, ROW_NUMBER() OVER"
    " (PARTITION BY account_id ORDER BY next_attempt_at, seq) AS turn"
    " FROM webhooks WHERE pending = 1 AND next_attempt_at <= ?"
    " AND (lease_until IS NULL OR lease_until < ?)) AS due"
    " WHERE turn <= ? ORDER BY turn, next_attempt_at, seq LIMIT ?"
)


def _webhooks(db, accounts: list[int], rng: random.Random, now: float, count: int) -> None:
    """`count` webhooks of random accounts (skewed: the first has most), some due, some not yet,
    some delivered, some leased (live or lapsed); ties in next_attempt_at included."""
    with db.write() as tx:
        for n in range(count):
            account = accounts[0] if rng.random() < 0.4 else rng.choice(accounts)
            event = tx.insert(
                "INSERT INTO events (account_id, id, type, created, data) VALUES (?, ?, ?, ?, ?)",
                (account, f"evt_{n}", "customer.created", 1, "{}"),
            )
            lease = rng.choice([None, None, now + 60, now - 60])
            tx.execute(
                "INSERT INTO webhooks (account_id, id, event_seq, url, created, pending,"
                " next_attempt_at, lease_until, lease_owner) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    account,
                    f"wh_{n}",
                    event,
                    "http://127.0.0.1:9/hook",
                    1,
                    0 if rng.random() < 0.15 else 1,
                    now + rng.choice([-30, -20, -20, -10, 10, 20]),
                    lease,
                    None if lease is None else "someone",
                ),
            )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_candidates_agree_with_a_window_over_every_due_row(db_url, seed):
    db = open_database(db_url())
    rng = random.Random(seed)
    accounts = [create_account(db)[0] for _ in range(rng.randint(2, 9))]
    now = time.time()
    _webhooks(db, accounts, rng, now, 300)
    cases = [(1, 1), (1, 50), (3, 5), (4, 40), (48, 200), (2, 300), (48, 7), (100, 1000)]
    with db.read() as tx:
        for turns, limit in cases:
            expected = [
                (int(r["seq"]), int(r["account_id"]))
                for r in tx.query(_REFERENCE, (now, now, turns, limit))
            ]
            got = [
                (int(r["seq"]), int(r["account_id"]))
                for r in store._candidates(tx, now, turns, limit)
            ]
            assert got == expected, (turns, limit)
        assert store._candidates(tx, now - 3600, 48, 200) == []  # nothing due an hour ago
    db.close()


def test_a_webhook_body_is_the_event_as_rendered(db_url):
    row = {
        "v_id": 'evt_"quoted"\u00e9',
        "v_created": 1410196557,
        "v_type": "customer.created",
        "v_data": json.dumps({"object": {"name": "Zo\u00eb \u2603", "n": [1, 2.5, None]}}),
    }
    text = render.event_json(row)
    assert json.loads(text) == render.event(row)
    assert text == json.dumps(render.event(row))  # byte for byte what json.dumps would send


def test_a_lease_check_renews_only_live_leases_of_their_claims(db_url):
    """check_leases answers per item, on each backend's path (PostgreSQL: one statement on its
    own): a live lease of the claim is renewed, another claim's, a lapsed one or a settled row's
    is not, and a removed subscription's delivery is settled unsent."""
    db = open_database(db_url())
    account, _ = create_account(db)
    now = time.time()
    with db.write() as tx:
        rs = create_resource_subscription(
            tx, account, event="customer.created", target_url="http://127.0.0.1:9/rs"
        )
        found = tx.one("SELECT seq FROM resource_subscriptions WHERE id = ?", (rs["id"],))
        assert found is not None
        removed = int(found["seq"])
        tx.execute("UPDATE resource_subscriptions SET deleted = 1 WHERE seq = ?", (removed,))
        event = tx.insert(
            "INSERT INTO events (account_id, id, type, created, data) VALUES (?, ?, ?, ?, ?)",
            (account, "evt_1", "customer.created", 1, "{}"),
        )
        rows = {  # name: (lease_owner, lease_until, pending, resource subscription)
            "live": ("mine", now + 60, 1, None),
            "theirs": ("other", now + 60, 1, None),
            "lapsed": ("mine", now - 1, 1, None),
            "settled": ("mine", now + 60, 0, None),
            "unsubscribed": ("mine", now + 60, 1, removed),
        }
        seqs = {
            name: tx.insert(
                "INSERT INTO webhooks (account_id, id, event_seq, url, created, pending,"
                " next_attempt_at, lease_until, lease_owner, resource_subscription_seq)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    account,
                    f"wh_{name}",
                    event,
                    "http://127.0.0.1:9/",
                    1,
                    pending,
                    now - 5,
                    until,
                    owner,
                    rs,
                ),
            )  # fmt: skip
            for name, (owner, until, pending, rs) in rows.items()
        }
    answers = store.check_leases(
        db, [(seqs[name], "mine", rows[name][3]) for name in rows], lease_seconds=120
    )
    got = dict(zip(rows, answers, strict=True))
    assert isinstance(got["live"], float) and got["live"] >= now + 119
    assert got["unsubscribed"] == store.UNSUBSCRIBED
    assert got["theirs"] is None and got["lapsed"] is None and got["settled"] is None
    with db.read() as tx:
        state = {
            int(r["seq"]): r
            for r in tx.query("SELECT seq, lease_until, lease_owner, pending FROM webhooks")
        }
    assert float(state[seqs["live"]]["lease_until"]) == pytest.approx(got["live"], abs=0.01)
    assert float(state[seqs["theirs"]]["lease_until"]) == pytest.approx(now + 60, abs=0.01)
    assert float(state[seqs["lapsed"]]["lease_until"]) == pytest.approx(now - 1, abs=0.01)
    gone = state[seqs["unsubscribed"]]
    assert (gone["pending"], gone["lease_owner"], gone["lease_until"]) == (0, None, None)
    db.close()


def test_statements_outside_a_transaction_commit_one_by_one(db_url):
    """`Database.autocommit()`: each statement is committed when it returns (another
    connection sees it while the scope is open), and a failure after it undoes nothing."""
    url = db_url()
    db, other = open_database(url), open_database(url)
    create_account(db)
    with pytest.raises(RuntimeError), db.autocommit() as tx:
        tx.execute("UPDATE accounts SET name = ?", ("first",))
        with other.read() as seen:
            assert [r["name"] for r in seen.query("SELECT name FROM accounts")] == ["first"]
        raise RuntimeError("a failure after the first statement")
    with other.read() as seen:
        assert [r["name"] for r in seen.query("SELECT name FROM accounts")] == ["first"]
    db.close()
    other.close()
