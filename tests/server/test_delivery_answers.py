"""A receiver's answer can never stop an outcome being recorded: every header it sends is parsed
defensively (ASCII digits or an HTTP date, else ignored), and a failure to record is logged and
retried without sending again."""

from __future__ import annotations

import email.utils
import time

import pytest

from spaces_toolkit.server.sandbox.trigger import trigger
from spaces_toolkit.server.storage.database import open_database
from spaces_toolkit.server.storage.repo.accounts import create_account
from spaces_toolkit.server.storage.repo.hooks import create_resource_subscription
from spaces_toolkit.server.webhook_delivery.retry import MAX_RETRY_AFTER, retry_after_seconds
from spaces_toolkit.server.webhook_delivery.worker import Attempt, DeliveryWorker

NOW = 1_700_000_000.0


@pytest.mark.parametrize(
    "junk",
    [
        "\xb2",  # '²'.isdigit() is true, float('²') raises
        "\u0661\u0662",  # Arabic-Indic digits: isdigit() true, not HTTP
        "\uff11\uff12",  # full-width digits
        "1.5",
        "-3",
        "Wed, 21 Oct 2015 07:28:00",  # no zone
        "Wed, 99 Foo 2015 07:28:00 GMT",
        "Wed, 21 Oct 99999999999 07:28:00 GMT",
        "x" * 10_000,
        "\x00",
    ],
)
def test_junk_retry_after_is_ignored_never_raised(junk: str) -> None:
    assert retry_after_seconds(junk, NOW) is None


def test_valid_retry_after_forms_still_count() -> None:
    assert retry_after_seconds(" 120 ", NOW) == 120.0
    assert retry_after_seconds("99999999", NOW) == MAX_RETRY_AFTER
    assert retry_after_seconds("9" * 5000, NOW) == MAX_RETRY_AFTER  # int() refuses > 4300 digits
    date = email.utils.formatdate(NOW + 100, usegmt=True)
    assert retry_after_seconds(date, NOW) == pytest.approx(100.0)


def test_an_attempts_error_text_is_storable() -> None:
    attempt = Attempt(None, "bad \x00 byte" + "x" * 5000, NOW, NOW)
    assert attempt.error is not None and "\x00" not in attempt.error
    assert attempt.error.startswith("bad \\x00 byte") and len(attempt.error) <= 500


def test_a_malformed_retry_after_is_one_send_per_attempt_all_recorded(db_url, hostile):
    """The receiver answers 500 with `Retry-After: \\xb2` each time: every scheduled attempt
    sends once and is recorded, until the attempts run out."""
    settings = db_url.settings(
        allow_private_targets=True,
        webhook_timeout=1.0,
        webhook_retry_interval=0.3,
        webhook_max_attempts=3,
    )
    db = open_database(settings.database)
    account_id, _ = create_account(db)
    with db.write() as tx:
        create_resource_subscription(
            tx,
            account_id,
            event="customer.created",
            target_url=hostile.url("/answer/500?Retry-After=%B2"),
        )
    trigger(db, account_id, "customer.created")
    worker = DeliveryWorker(db, settings, lease_margin=0.5)  # a lease of 1.5 s
    give_up = time.time() + 12
    while time.time() < give_up:
        worker.run_once()
        with db.read() as tx:
            row = tx.one("SELECT pending, attempts FROM webhooks")
        assert row is not None
        if not row["pending"]:
            break
        time.sleep(0.1)
    with db.read() as tx:
        statuses = [r["status_code"] for r in tx.query("SELECT status_code FROM webhook_attempts")]
    db.close()
    sends = hostile.by_path("/answer/")
    assert (row["pending"], row["attempts"]) == (0, 3)
    assert statuses == [500, 500, 500]
    assert len(sends) == 3, f"{len(sends)} sends for 3 attempts"


def test_a_record_that_keeps_failing_is_retried_plain_and_never_resent(
    db_url, hostile, monkeypatch
):
    """Recording the full answer fails (as a receiver-chosen value could make it): the worker
    retries without the receiver's optional headers, keeping its lease; nothing is sent twice."""
    settings = db_url.settings(allow_private_targets=True, webhook_retry_interval=0.2)
    db = open_database(settings.database)
    account_id, _ = create_account(db)
    with db.write() as tx:
        create_resource_subscription(
            tx,
            account_id,
            event="customer.created",
            target_url=hostile.url("/answer/503?Retry-After=5"),
        )
    trigger(db, account_id, "customer.created")
    worker = DeliveryWorker(db, settings, lease_margin=0.2)
    real_record, seen = worker._record_batch, []

    def record(items):
        seen.extend(attempt.retry_after for _, attempt in items)
        if any(attempt.retry_after is not None for _, attempt in items):
            raise ValueError("cannot store this answer")
        return real_record(items)

    monkeypatch.setattr(worker, "_record_batch", record)
    assert worker.run_once() == 1
    with db.read() as tx:
        row = tx.one("SELECT pending, attempts, lease_owner FROM webhooks")
    db.close()
    assert seen == ["5", None]
    assert row is not None and (row["pending"], row["attempts"], row["lease_owner"]) == (1, 1, None)
    assert len(hostile.by_path("/answer/")) == 1
