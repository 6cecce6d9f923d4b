"""The worker's side: every delivery signed (two signatures during a rotation), the connection
pinned to the checked address (DNS rebinding), Host kept, no redirects, bounded reads, and the
retry policy (documented default, exponential with jitter, Retry-After, 410)."""

from __future__ import annotations

import asyncio
import http.server
import ipaddress
import random
import shutil
import socket
import sqlite3
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import standardwebhooks

from spaces_toolkit.server.sandbox.trigger import trigger
from spaces_toolkit.server.settings import Settings
from spaces_toolkit.server.storage.repo.signing_secrets import rotate_secret, valid_secrets
from spaces_toolkit.server.webhook_delivery import targets
from spaces_toolkit.server.webhook_delivery.pinned import DeliveryError, post_pinned
from spaces_toolkit.server.webhook_delivery.retry import (
    MAX_RETRY_AFTER,
    parse_schedule,
    retry_after_seconds,
)
from tests.server.conftest import low_port_server
from tests.server.hostile import HostileReceiver

Reply = tuple[int, dict[str, str], bytes]


class Recorder:
    """A receiver on 127.0.0.1 whose answers come from `reply(n)`; it records each request."""

    def __init__(
        self,
        reply: Callable[[int], Reply] = lambda n: (200, {}, b""),
        bind: tuple[str, int] | None = None,
    ) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                recorder.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status, headers, payload = reply(len(recorder.requests))
                self.send_response(status)
                for k, v in {**headers, "Content-Length": str(len(payload))}.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = (
            low_port_server(Handler)
            if bind is None
            else http.server.ThreadingHTTPServer(bind, Handler)
        )
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def url(self, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}/hook"


@pytest.fixture
def recorders() -> Iterator[Callable[..., Recorder]]:
    made: list[Recorder] = []

    def make(
        reply: Callable[[int], Reply] = lambda n: (200, {}, b""),
        bind: tuple[str, int] | None = None,
    ) -> Recorder:
        made.append(Recorder(reply, bind))
        return made[-1]

    yield make
    for r in made:
        r.server.shutdown()
        r.server.server_close()


def point_account_at(box: Any, url: str) -> None:
    with box.db.write() as tx:
        tx.execute("UPDATE accounts SET webhook_url = ?", (url,))


def attempts(box: Any) -> list[dict[str, Any]]:
    with box.db.read() as tx:
        return [dict(r) for r in tx.query("SELECT * FROM webhook_attempts ORDER BY seq")]


def test_every_delivery_is_signed_and_the_reference_package_verifies_it(make_sandbox, recorders):
    rec = recorders(lambda n: (500 if n == 1 else 200, {}, b""))
    box = make_sandbox(accounts=1, webhook_retry_interval=0.01)
    point_account_at(box, rec.url())
    trigger(box.db, box.account_ids[0], "customer.created")
    while len(rec.requests) < 2:
        box.app.state.worker.run_once()
        time.sleep(0.02)
    with box.db.read() as tx:
        [secret] = valid_secrets(tx, box.account_ids[0])
    wh = standardwebhooks.Webhook(secret)
    (h1, b1), (h2, b2) = rec.requests
    assert wh.verify(b1, h1) == wh.verify(b2, h2)
    assert h1["webhook-id"] == h2["webhook-id"] == h1["spaces-webhook-id"]  # stable on retry
    assert h1["spaces-event-type"] == "customer.created"  # the existing headers stay


def test_a_rotation_signs_with_both_secrets_until_the_grace_period_ends(make_sandbox, recorders):
    rec = recorders()
    box = make_sandbox(accounts=1)
    point_account_at(box, rec.url())
    account = box.account_ids[0]
    trigger(box.db, account, "customer.created")
    box.app.state.worker.run_once()
    with box.db.read() as tx:
        [old] = valid_secrets(tx, account)
    new = rotate_secret(box.db, account, grace=1.0)
    trigger(box.db, account, "customer.created")
    box.app.state.worker.run_once()
    headers, body = rec.requests[-1]
    assert len(headers["webhook-signature"].split()) == 2
    for secret in (old, new):
        standardwebhooks.Webhook(secret).verify(body, headers)
    time.sleep(1.1)
    trigger(box.db, account, "customer.created")
    box.app.state.worker.run_once()
    headers, body = rec.requests[-1]
    assert len(headers["webhook-signature"].split()) == 1
    standardwebhooks.Webhook(new).verify(body, headers)
    with pytest.raises(standardwebhooks.webhooks.WebhookVerificationError):
        standardwebhooks.Webhook(old).verify(body, headers)


def fake_resolver(monkeypatch, answers: dict[str, list[str]]) -> list[str]:
    """Make `host` resolve to answers[host][0] the first time and answers[host][1] after: a
    rebinding resolver. Returns the log of names looked up."""
    looked_up: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kw):
        if host not in answers:
            return real(host, port, *args, **kw)
        looked_up.append(host)
        address = answers[host][0 if looked_up.count(host) == 1 else 1]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return looked_up


def test_the_connection_goes_to_the_checked_address_with_the_name_as_host(
    make_sandbox, recorders, monkeypatch
):
    rec = recorders()
    # Checked: 127.0.0.1 (allowed here); a second lookup would get 127.0.0.2, where nothing
    # listens (the receiver is bound to 127.0.0.1 only).
    looked_up = fake_resolver(monkeypatch, {"hooks.test": ["127.0.0.1", "127.0.0.2"]})
    box = make_sandbox(accounts=1)
    point_account_at(box, rec.url("hooks.test"))
    trigger(box.db, box.account_ids[0], "customer.created")
    box.app.state.worker.run_once()
    assert [a["status_code"] for a in attempts(box)] == [200], attempts(box)
    assert looked_up == ["hooks.test"]  # one resolution per delivery
    assert rec.requests[0][0]["host"] == f"hooks.test:{rec.port}"


def test_dns_rebinding_cannot_steer_a_delivery_onto_loopback(make_sandbox, recorders, monkeypatch):
    loopback = recorders()
    # Nothing may leave this machine, so 127.0.0.2 plays the public address the check approves
    # (only 127.0.0.1 counts as private here); the rebinding resolver answers 127.0.0.1 next.
    public = recorders(bind=("127.0.0.2", loopback.port))
    fake_resolver(monkeypatch, {"rebind.test": ["127.0.0.2", "127.0.0.1"]})
    monkeypatch.setattr(targets, "is_public", lambda a: str(a) != "127.0.0.1")
    box = make_sandbox(accounts=1, allow_private_targets=False, webhook_timeout=2.0)
    point_account_at(box, loopback.url("rebind.test"))
    trigger(box.db, box.account_ids[0], "customer.created")
    box.app.state.worker.run_once()
    assert [a["status_code"] for a in attempts(box)] == [200]
    assert len(public.requests) == 1
    assert loopback.requests == []  # httpx alone would have resolved again and hit 127.0.0.1


def test_redirects_are_not_followed_and_answers_are_read_bounded(make_sandbox, recorders):
    other = recorders()
    redirecting = recorders(lambda n: (307, {"Location": other.url()}, b""))
    box = make_sandbox(accounts=1)
    point_account_at(box, redirecting.url())
    trigger(box.db, box.account_ids[0], "customer.created")
    box.app.state.worker.run_once()
    assert [a["status_code"] for a in attempts(box)] == [307]
    assert other.requests == []

    huge = recorders(lambda n: (200, {}, b"x" * (8 * 1024 * 1024)))
    resolved = targets.resolve_target(huge.url(), allow_private=True)
    reply = asyncio.run(
        post_pinned(resolved, b"{}", {"Content-Type": "application/json"}, timeout=5)
    )
    assert reply.status_code == 200 and len(reply.body) == 64 * 1024


def test_the_total_deadline_cancels_a_trickling_answer_and_a_2xx_head_counts_at_once(
    make_sandbox,
):
    receiver = HostileReceiver()
    try:
        # The transport itself: a body trickled forever is cut by the caller's deadline
        # (the async exchange is cancelled where it is; a thread could not be).
        target = targets.resolve_target(receiver.url("/trickle-body"), allow_private=True)
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            asyncio.run(asyncio.wait_for(post_pinned(target, b"{}", {}, timeout=30), 0.6))
        assert time.monotonic() - started < 2.0

        # The worker: headers trickled forever fail at the deadline; a complete 2xx head
        # settles the delivery at once (the worker reads no answer body).
        box = make_sandbox(accounts=1, webhook_timeout=1.0)
        with box.db.write() as tx:
            from spaces_toolkit.server.storage.repo.hooks import create_resource_subscription

            for path in ("/trickle", "/trickle-body"):
                create_resource_subscription(
                    tx, box.account_ids[0], event="invoice.paid", target_url=receiver.url(path)
                )
        trigger(box.db, box.account_ids[0], "invoice.paid")
        box.app.state.worker.run_once()
        with box.db.read() as tx:
            rows = tx.query(
                "SELECT r.target_url, a.status_code, a.error, a.finished - a.started AS took"
                " FROM webhook_attempts a JOIN webhooks w ON w.seq = a.webhook_seq"
                " JOIN resource_subscriptions r ON r.seq = w.resource_subscription_seq"
            )
        by_path = {str(r["target_url"]).rsplit("/", 1)[1]: r for r in rows}
        assert by_path["trickle"]["status_code"] is None
        assert "deadline" in by_path["trickle"]["error"]
        # Wall-clock stamps around a monotonic deadline: allow the clocks' few microseconds.
        assert 0.95 <= by_path["trickle"]["took"] < 2.0
        assert by_path["trickle-body"]["status_code"] == 200
        assert by_path["trickle-body"]["took"] < 0.9
    finally:
        receiver.close()


def test_retry_after_is_honoured_and_410_still_unsubscribes(make_sandbox, recorders):
    rec = recorders(lambda n: (503, {"Retry-After": "120"}, b""))
    box = make_sandbox(accounts=1, webhook_retry_schedule="exponential:1s:10s")
    point_account_at(box, rec.url())
    trigger(box.db, box.account_ids[0], "customer.created")
    before = time.time()
    box.app.state.worker.run_once()
    with box.db.read() as tx:
        row = tx.one("SELECT pending, next_attempt_at FROM webhooks")
    assert row["pending"] == 1
    assert before + 119 <= row["next_attempt_at"] <= time.time() + 121

    gone = recorders(lambda n: (410, {}, b""))
    with box.db.write() as tx:
        from spaces_toolkit.server.storage.repo.hooks import create_resource_subscription

        create_resource_subscription(
            tx, box.account_ids[0], event="invoice.paid", target_url=gone.url()
        )
    trigger(box.db, box.account_ids[0], "invoice.paid")
    box.app.state.worker.run_once()
    with box.db.read() as tx:
        assert tx.one("SELECT deleted FROM resource_subscriptions")["deleted"] == 1


def test_retry_schedules() -> None:
    fixed = parse_schedule("fixed", interval=3600)
    assert [fixed.delay(n) for n in (1, 5, 24)] == [3600, 3600, 3600]  # documented default
    assert Settings().webhook_retry_schedule == "fixed"
    assert Settings().webhook_retry_interval == 3600 and Settings().webhook_max_attempts == 24
    exp = parse_schedule("exponential:30s:1h", interval=3600)
    rng = random.Random(1)
    for n in range(1, 12):
        full = min(3600, 30 * 2 ** (n - 1))
        delays = [exp.delay(n, rng) for _ in range(50)]
        assert all(full / 2 <= d <= full for d in delays)
        assert len(set(delays)) > 1  # jittered
    assert parse_schedule("exponential", interval=1).base == 30
    for bad in ("hourly", "exponential:0", "exponential:1h:1m", "exponential:1:2:3", "fixed:1"):
        with pytest.raises(ValueError):
            parse_schedule(bad, interval=3600)
    now = 1_000_000.0
    assert retry_after_seconds("120", now) == 120
    assert retry_after_seconds("Thu, 01 Jan 1970 12:00:00 GMT", 40_000) == 43_200 - 40_000
    assert retry_after_seconds("99999999", now) == MAX_RETRY_AFTER
    assert retry_after_seconds("soon", now) is None
    assert fixed.next_attempt_at(1, now, "5") == now + 3600  # a minimum, never sooner
    assert exp.next_attempt_at(1, now, "600", rng) == now + 600


def test_serve_refuses_a_bad_schedule(capsys) -> None:
    from spaces_toolkit.cli import main

    assert main(["serve", "--webhook-retry-schedule", "sometimes"]) == 2
    assert "--webhook-retry-schedule" in capsys.readouterr().err


def test_address_is_pinned_for_ipv6_and_numeric_forms() -> None:
    resolved = targets.resolve_target("http://2130706433:8080/x", allow_private=True)
    assert resolved.addresses == (ipaddress.ip_address("127.0.0.1"),)
    assert resolved.host == "2130706433"  # Host header as written


def test_an_existing_database_gains_signing_secrets_in_place(tmp_path) -> None:
    from spaces_toolkit.server.storage.database import open_database
    from spaces_toolkit.server.storage.migrations import migrations
    from spaces_toolkit.server.storage.repo.accounts import create_account
    from spaces_toolkit.server.storage.repo.signing_secrets import signing_secrets

    [signing] = [m for m in migrations("sqlite") if "signing_secrets" in m.name]
    path = tmp_path / "old.db"
    db = open_database(path)
    account, _ = create_account(db)
    with db.write() as tx:  # a database from before signing existed
        tx.execute("DROP TABLE webhook_signing_secrets")
    db.close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {signing.version - 1}")
    conn.close()
    db = open_database(path)  # the migration creates the table on open
    try:
        [secret] = signing_secrets(db, account)  # the account's first secret, made on demand
        assert secret.startswith("whsec_") and signing_secrets(db, account) == [secret]
    finally:
        db.close()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_tls_sni_and_certificate_check_use_the_name_not_the_pinned_address(
    tmp_path, monkeypatch
) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=hooks.test"]
        + ["-addext", "subjectAltName=DNS:hooks.test"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    server_names: list[str | None] = []
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    tls.sni_callback = lambda sock, name, ctx: server_names.append(name)
    rec = Recorder()
    rec.server.socket = tls.wrap_socket(rec.server.socket, server_side=True)
    fake_resolver(monkeypatch, {"hooks.test": ["127.0.0.1"] * 2, "other.test": ["127.0.0.1"] * 2})
    trust = ssl.create_default_context(cafile=str(cert))
    try:
        target = targets.resolve_target(f"https://hooks.test:{rec.port}/hook", allow_private=True)
        reply = asyncio.run(post_pinned(target, b"{}", {}, timeout=5, ssl_context=trust))
        assert reply.status_code == 200
        assert server_names == ["hooks.test"]
        assert rec.requests[0][0]["host"] == f"hooks.test:{rec.port}"
        # Same address, another name: the certificate does not match it, so no delivery.
        target = targets.resolve_target(f"https://other.test:{rec.port}/hook", allow_private=True)
        with pytest.raises(DeliveryError):
            asyncio.run(post_pinned(target, b"{}", {}, timeout=5, ssl_context=trust))
        assert len(rec.requests) == 1
    finally:
        rec.server.shutdown()
        rec.server.server_close()


def test_concurrent_first_uses_make_one_secret(make_sandbox) -> None:
    """Workers in several processes may sign an account's first delivery at once (PostgreSQL
    runs their write transactions concurrently): the account still gets one secret."""
    import threading

    from spaces_toolkit.server.storage.repo.signing_secrets import signing_secrets

    box = make_sandbox(accounts=20)
    for account in box.account_ids:
        start = threading.Barrier(6)
        seen: list[tuple[str, ...]] = []

        def first_use(
            account: int = account,
            start: threading.Barrier = start,
            seen: list[tuple[str, ...]] = seen,
        ) -> None:
            start.wait()
            seen.append(tuple(signing_secrets(box.db, account)))

        threads = [threading.Thread(target=first_use) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(set(seen)) == 1 and len(seen[0]) == 1, seen
        with box.db.read() as tx:
            assert valid_secrets(tx, account) == list(seen[0])
