"""`trigger`: one creator per event type the spec declares, found through one registry; an event
type it cannot make is a clear error that writes nothing; the event it reports is the one the
write recorded about the object it made."""

from __future__ import annotations

import json

import pytest

from spaces_toolkit.server.sandbox import trigger as trigger_module
from spaces_toolkit.server.sandbox.trigger import CREATORS, TriggerError, trigger
from spaces_toolkit.server.storage.repo.accounts import create_account
from spaces_toolkit.spec import default_spec

DECLARED = tuple(default_spec().schema("EventType").get("enum", ()))


def _counts(db, account_id):
    with db.read() as tx:
        return {
            table: tx.one(f"SELECT COUNT(*) AS n FROM {table} WHERE account_id = ?", (account_id,))[
                "n"
            ]
            for table in ("events", "spaces", "customers", "invoices", "captured_emails")
        }


def test_every_declared_event_type_has_a_creator():
    assert DECLARED, "the spec declares no event types"
    assert set(CREATORS) == set(DECLARED)


def test_each_creator_records_its_own_event(make_sandbox):
    box = make_sandbox(accounts=1)
    account_id = box.account_ids[0]
    for event_type in DECLARED:
        found = trigger(box.db, account_id, event_type)
        with box.db.read() as tx:
            row = tx.one(
                "SELECT type, data FROM events WHERE account_id = ? AND id = ?",
                (account_id, found["event"]),
            )
        assert row is not None, event_type
        assert row["type"] == event_type
        assert json.loads(row["data"])["object"]["id"] == found["object"]
        assert found["webhooks"] == 0  # nothing subscribed


def test_an_unknown_event_type_is_a_clear_error_and_writes_nothing(make_sandbox):
    box = make_sandbox(accounts=1)
    before = _counts(box.db, box.account_ids[0])
    with pytest.raises(TriggerError, match="unknown event type 'refund.created'; choose from"):
        trigger(box.db, box.account_ids[0], "refund.created")
    assert _counts(box.db, box.account_ids[0]) == before


def test_a_declared_type_without_a_creator_fails_loudly(make_sandbox, monkeypatch):
    # The spec grows an event type the server cannot make yet: never some other object's event.
    monkeypatch.setattr(trigger_module, "EVENT_TYPES", (*DECLARED, "refund.created"))
    box = make_sandbox(accounts=1)
    before = _counts(box.db, box.account_ids[0])
    with pytest.raises(TriggerError, match="declares event type 'refund.created'.*cannot make"):
        trigger(box.db, box.account_ids[0], "refund.created")
    assert _counts(box.db, box.account_ids[0]) == before


def test_a_creator_under_the_wrong_type_is_refused_and_rolled_back(make_sandbox, monkeypatch):
    box = make_sandbox(accounts=1)
    monkeypatch.setitem(CREATORS, "invoice.created", CREATORS["customer.created"])
    before = _counts(box.db, box.account_ids[0])
    with pytest.raises(TriggerError, match="made 'customer.created'"):
        trigger(box.db, box.account_ids[0], "invoice.created")
    assert _counts(box.db, box.account_ids[0]) == before


def test_the_event_reported_is_the_writes_own_among_many_newer(db_url):
    """trigger takes the event id from the write, not from a scan of the newest events."""
    from spaces_toolkit.server.storage.database import open_database

    db = open_database(db_url())
    try:
        account_id, _ = create_account(db)
        ids = {trigger(db, account_id, "customer.created")["event"] for _ in range(5)}
        assert len(ids) == 5
    finally:
        db.close()
