"""Events fan out to webhooks; the worker delivers them to real local receivers, retries,
survives restarts, and never sends a delivered webhook again."""

from __future__ import annotations

import socket
import threading
import time

import httpx

from spaces_toolkit.server.app import create_app
from spaces_toolkit.server.run.embedded import serve_in_thread
from spaces_toolkit.server.sandbox.trigger import trigger
from spaces_toolkit.server.storage.database import open_database
from spaces_toolkit.server.storage.events import EVENT_TYPES
from spaces_toolkit.server.storage.repo.accounts import create_account
from spaces_toolkit.server.webhook_delivery.worker import DeliveryWorker
from spaces_toolkit.spec import validator_at

from .conftest import low_port_server


def wait_until(predicate, timeout=30.0, what="condition"):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def webhook_rows(db_path):
    db = open_database(db_path)
    try:
        with db.read() as tx:
            return [dict(r) for r in tx.query("SELECT * FROM webhooks ORDER BY seq")]
    finally:
        db.close()


def subscribe(root, token, url, event="customer.created"):
    response = httpx.post(
        f"{root}/api/v1/resource_subscriptions",
        data={"event": event, "target_url": url},
        auth=(token, ""),
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_failing_receiver_restart_in_the_middle_delivered_exactly_once(db_url, receiver):
    k = 4
    rec = receiver(script=[500, 503, 502, 500])
    db_path = db_url()
    settings = db_url.settings(allow_private_targets=True, webhook_retry_interval=0.25)
    db = open_database(db_path)
    account_id, token = create_account(db)
    db.close()

    with serve_in_thread(create_app(settings)) as root:
        subscribe(root, token, rec.url)
        cli_db = open_database(db_path)  # a second connection, as `spaces trigger` would use
        event_id = trigger(cli_db, account_id, "customer.created")["event"]
        cli_db.close()
        wait_until(lambda: len(rec.requests) >= 1, what="the first attempt")
    # The server is down in the middle of the retries: the delivery is still pending.
    [row] = webhook_rows(db_path)
    assert row["pending"] == 1 and row["delivered"] == 0
    assert row["attempts"] == len(rec.requests) < k + 1
    assert row["lease_owner"] is None  # a clean stop leaves nothing claimed

    with serve_in_thread(create_app(settings)) as root:
        wait_until(lambda: webhook_rows(db_path)[0]["pending"] == 0, what="delivery")
        listed = httpx.get(f"{root}/api/v1/webhooks", auth=(token, "")).json()["data"]
    assert rec.statuses() == [500, 503, 502, 500, 200]
    [row] = webhook_rows(db_path)
    assert row["delivered"] == 1 and row["attempts"] == k + 1
    assert listed[0]["pending"] is False and listed[0]["event"]["id"] == event_id

    # Another restart after success sends nothing again.
    with serve_in_thread(create_app(settings)):
        time.sleep(settings.delivery_poll_interval * 4)
    assert len(rec.requests) == k + 1
    ids = {r["headers"]["Spaces-Webhook-Id"] for r in rec.requests}
    assert ids == {row["id"]}
    bodies = rec.bodies()
    assert all(b == bodies[0] for b in bodies) and bodies[0]["id"] == event_id
    errors = list(validator_at("/components/schemas/CustomerCreatedEvent").iter_errors(bodies[0]))
    assert not errors


def test_a_stop_waits_for_the_delivery_in_flight(db_url, receiver):
    arrived, release = threading.Event(), threading.Event()
    rec = receiver()
    db_path = db_url()
    settings = db_url.settings(allow_private_targets=True, webhook_retry_interval=0.1)
    app = create_app(settings)
    account_id, token = create_account(app.state.db)

    import http.server

    class Slow(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            arrived.set()
            release.wait(10)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    slow = low_port_server(Slow)
    threading.Thread(target=slow.serve_forever, args=(0.05,), daemon=True).start()
    try:
        with serve_in_thread(app) as root:
            subscribe(root, token, f"http://127.0.0.1:{slow.server_address[1]}/slow")
            trigger(app.state.db, account_id, "customer.created")
            assert arrived.wait(10)
            threading.Timer(0.3, release.set).start()  # answer while the server is stopping
        [row] = webhook_rows(db_path)
        assert row["pending"] == 0 and row["delivered"] == 1 and row["attempts"] == 1
    finally:
        slow.shutdown()
        slow.server_close()
    assert rec.requests == []


def test_410_gone_removes_the_resource_subscription(make_sandbox, receiver):
    rec = receiver(script=[410, 410])
    box = make_sandbox(accounts=1, webhook_retry_interval=0.01)
    with box.db.write() as tx:
        from spaces_toolkit.server.storage.repo.hooks import create_resource_subscription

        rs = create_resource_subscription(
            tx, box.account_ids[0], event="invoice.paid", target_url=rec.url
        )
    trigger(box.db, box.account_ids[0], "invoice.paid")
    trigger(box.db, box.account_ids[0], "invoice.paid")  # two deliveries queued
    worker = box.app.state.worker
    worker.run_once()
    with box.db.read() as tx:
        rows = tx.query("SELECT pending, delivered, attempts FROM webhooks ORDER BY seq")
        live = tx.query("SELECT id FROM resource_subscriptions WHERE deleted = 0")
    assert rs["id"] not in {r["id"] for r in live}
    assert all(r["pending"] == 0 and r["delivered"] == 0 for r in rows)
    worker.run_once()
    assert 1 <= len(rec.requests) <= 2  # the pair may have gone out together; never again
    trigger(box.db, box.account_ids[0], "invoice.paid")
    worker.run_once()
    assert len(rec.requests) <= 2


async def test_gone_subscription_leaves_the_list(make_sandbox, receiver):
    rec = receiver(script=[410])
    box = make_sandbox(accounts=1)
    async with box.client(box.tokens[0]) as client:
        created = await client.post(
            "/resource_subscriptions", data={"event": "customer.created", "target_url": rec.url}
        )
        trigger(box.db, box.account_ids[0], "customer.created")
        box.app.state.worker.run_once()
        listed = (await client.get("/resource_subscriptions")).json()["data"]
        assert created.json()["id"] not in {o["id"] for o in listed}
        # its id still works as a cursor of the list it was in
        response = await client.get(
            "/resource_subscriptions", params={"starting_after": created.json()["id"]}
        )
        assert response.status_code == 200
        [hook] = (await client.get("/webhooks")).json()["data"]
        assert hook["pending"] is False


def test_gives_up_after_24_tries(make_sandbox, receiver):
    rec = receiver(script=[500] * 30)
    box = make_sandbox(accounts=1, webhook_retry_interval=0.001)
    with box.db.write() as tx:
        tx.execute("UPDATE accounts SET webhook_url = ?", (rec.url,))
    trigger(box.db, box.account_ids[0], "captured_email.created")
    for _ in range(200):
        box.app.state.worker.run_once()
        with box.db.read() as tx:
            row = tx.one("SELECT pending, attempts FROM webhooks")
        if not row["pending"]:
            break
        time.sleep(0.002)
    assert row["pending"] == 0 and row["attempts"] == 24
    assert len(rec.requests) == 24
    with box.db.read() as tx:
        attempts = tx.query("SELECT attempt, status_code FROM webhook_attempts ORDER BY seq")
    assert [a["attempt"] for a in attempts] == list(range(1, 25))
    assert {a["status_code"] for a in attempts} == {500}


def test_two_workers_never_send_the_same_webhook(make_sandbox, receiver):
    rec = receiver()
    box = make_sandbox(accounts=1, webhook_concurrency=4)
    with box.db.write() as tx:
        tx.execute("UPDATE accounts SET webhook_url = ?", (rec.url,))
    for _ in range(60):
        trigger(box.db, box.account_ids[0], "customer.created")
    workers = [DeliveryWorker(box.db, box.settings) for _ in range(2)]

    def drain(worker):
        while worker.run_once():
            pass

    threads = [threading.Thread(target=drain, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for w in workers:
        w.stop()
    hook_ids = [r["headers"]["Spaces-Webhook-Id"] for r in rec.requests]
    assert len(hook_ids) == 60 == len(set(hook_ids))
    with box.db.read() as tx:
        assert tx.one("SELECT COUNT(*) AS n FROM webhooks WHERE delivered = 1")["n"] == 60


async def test_every_event_type_is_recorded_and_delivered(make_sandbox, receiver):
    rec = receiver()
    box = make_sandbox(accounts=2)
    with box.db.write() as tx:
        tx.execute(
            "UPDATE accounts SET webhook_url = ? WHERE id = ?", (rec.url, box.account_ids[0])
        )
    async with box.client(box.tokens[0]) as client:
        for event_type in EVENT_TYPES:
            await client.post(
                "/resource_subscriptions", data={"event": event_type, "target_url": rec.url}
            )
        triggered = {t: trigger(box.db, box.account_ids[0], t) for t in EVENT_TYPES}
        trigger(box.db, box.account_ids[1], "customer.created")  # other tenant: not delivered
        while box.app.state.worker.run_once():
            pass
        events = (await client.get("/events", params={"limit": 100})).json()["data"]
        hooks = (await client.get("/webhooks", params={"limit": 100})).json()["data"]
    by_id = {e["id"]: e for e in events}
    for event_type, result in triggered.items():
        assert by_id[result["event"]]["type"] == event_type
        # one webhook from the resource subscription, one from the account URL
        assert result["webhooks"] == 2
    # invoice.paid also created its invoice (invoice.created), subscription its customer, …
    assert {e["type"] for e in events} == set(EVENT_TYPES)
    assert all(h["pending"] is False for h in hooks)
    delivered = [b for b in rec.bodies()]
    assert {b["id"] for b in delivered} == {h["event"]["id"] for h in hooks}
    bodies = {
        "customer.created": "CustomerCreatedDelivery",
        "invoice.created": "InvoiceCreatedDelivery",
        "invoice.paid": "InvoicePaidDelivery",
        "subscription.created": "SubscriptionCreatedDelivery",
        "captured_email.created": "CapturedEmailCreatedDelivery",
    }
    for body in delivered:
        pointer = (
            f"/components/requestBodies/{bodies[body['type']]}/content/application~1json/schema"
        )
        assert not list(validator_at(pointer).iter_errors(body)), body
    customer = next(b for b in delivered if b["type"] == "customer.created")["data"]["object"]
    assert customer["id"] == customer["token"] and customer["space"]["object"] == "space"
    paid = next(b for b in delivered if b["type"] == "invoice.paid")["data"]["object"]
    assert paid["paid"] is True


def test_delivery_time_check_refuses_names_resolving_to_private_addresses(
    make_sandbox, receiver, monkeypatch
):
    rec = receiver()
    box = make_sandbox(accounts=1, allow_private_targets=False, webhook_retry_interval=3600)
    port = rec.url.split(":")[2].split("/")[0]
    with box.db.write() as tx:
        tx.execute("UPDATE accounts SET webhook_url = ?", (f"http://rebind.example:{port}/hook",))
    real = socket.getaddrinfo

    def fake(host, *args, **kwargs):
        if host == "rebind.example":
            return real("127.0.0.1", *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    trigger(box.db, box.account_ids[0], "customer.created")
    box.app.state.worker.run_once()
    with box.db.read() as tx:
        attempt = tx.one("SELECT status_code, error FROM webhook_attempts")
        row = tx.one("SELECT pending, attempts FROM webhooks")
    assert attempt["status_code"] is None and "127.0.0.1" in attempt["error"]
    assert row["pending"] == 1 and row["attempts"] == 1  # retried later, like any failure
    assert rec.requests == []
