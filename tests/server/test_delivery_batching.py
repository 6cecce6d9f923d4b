"""What makes delivery fast without giving up a guarantee: claims in batches carrying the
signing secrets (a rotation counts from the next claim), work-conserving shares of the slots,
outcomes recorded several to a transaction (each only while its claim holds the row), and
keep-alive connections reused only for an address the target check approved again."""

from __future__ import annotations

import asyncio
import ipaddress
import time

import pytest

from spaces_toolkit.server.sandbox.trigger import trigger
from spaces_toolkit.server.storage.database import open_database
from spaces_toolkit.server.storage.repo.accounts import create_account, set_webhook_url
from spaces_toolkit.server.storage.repo.signing_secrets import rotate_secret, valid_secrets
from spaces_toolkit.server.webhook_delivery import pinned
from spaces_toolkit.server.webhook_delivery.pinned import ConnectionPool
from spaces_toolkit.server.webhook_delivery.targets import ResolvedTarget
from spaces_toolkit.server.webhook_delivery.worker import Attempt, DeliveryWorker, _Shares


def _due(db, account_id: int, url: str, count: int) -> None:
    set_webhook_url(db, account_id, url)
    for _ in range(count):
        trigger(db, account_id, "customer.created")


def test_shares_are_work_conserving():
    # An account alone takes every slot; beyond its share it only borrows idle ones.
    alone = _Shares(2, 8, {})
    assert [alone.take(1) for _ in range(9)] == [True] * 8 + [False]
    # All slots borrowed by account 1: account 2 still gets its share at once, no more.
    shares = _Shares(2, 8, {1: 8})
    assert [shares.take(2) for _ in range(3)] == [True, True, False]
    assert not shares.take(1)
    # Four accounts at their share fill the slots: a fifth waits.
    full = _Shares(2, 8, {1: 2, 2: 2, 3: 2, 4: 2})
    assert full.full() and not full.take(5)


def test_a_claim_leases_a_batch_with_the_secrets_and_honours_the_shares(db_url, hostile):
    settings = db_url.settings(allow_private_targets=True, webhook_concurrency=8)
    db = open_database(settings.database)
    alone, other = create_account(db)[0], create_account(db)[0]
    first = rotate_secret(db, alone)  # its first secret
    _due(db, alone, hostile.url("/ok"), 10)
    worker = DeliveryWorker(db, settings)
    jobs = worker._claim(8, {})
    assert len(jobs) == 8 and {j.account_id for j in jobs} == {alone}  # not just its share
    assert len({j.lease for j in jobs}) == 1
    with db.read() as tx:
        assert list(jobs[0].secrets) == valid_secrets(tx, alone) == [first]
        leased = tx.one(
            "SELECT COUNT(*) AS n FROM webhooks WHERE lease_owner = ?", (jobs[0].lease,)
        )
    assert leased is not None and leased["n"] == 8
    # Every slot is borrowed by `alone`; `other` still gets its share (2) at the next claim.
    _due(db, other, hostile.url("/ok"), 5)
    more = worker._claim(8, {alone: 8})
    assert [j.account_id for j in more] == [other, other]
    # A rotation counts from the next claim (the old secret signs too in its grace period).
    new = rotate_secret(db, alone)
    [later] = worker._claim(1, {})
    db.close()
    assert later.account_id == alone and later.secrets == (new, first)


def test_outcomes_recorded_together_count_only_under_their_claims(db_url, hostile):
    settings = db_url.settings(allow_private_targets=True, webhook_concurrency=8)
    db = open_database(settings.database)
    account = create_account(db)[0]
    _due(db, account, hostile.url("/ok"), 4)
    worker = DeliveryWorker(db, settings)
    jobs = worker._claim(4, {})
    lost = jobs[3]
    with db.write() as tx:  # another worker took this one (its lease had lapsed)
        tx.execute("UPDATE webhooks SET lease_owner = 'elsewhere' WHERE seq = ?", (lost.seq,))
    now = time.time()
    outcomes = [Attempt(204, None, now, now), Attempt(503, None, now, now, "7")]
    outcomes += [Attempt(None, "refused", now, now), Attempt(200, None, now, now)]
    assert worker._record_batch(list(zip(jobs, outcomes, strict=True))) == [True] * 3 + [False]
    with db.read() as tx:
        rows = {r["seq"]: r for r in tx.query("SELECT * FROM webhooks")}
        tried = tx.query("SELECT webhook_seq, attempt, status_code FROM webhook_attempts")
    db.close()
    assert sorted((r["webhook_seq"], r["attempt"], r["status_code"]) for r in tried) == sorted(
        [(jobs[0].seq, 1, 204), (jobs[1].seq, 1, 503), (jobs[2].seq, 1, None)]
    )
    assert (rows[jobs[0].seq]["delivered"], rows[jobs[0].seq]["pending"]) == (1, 0)
    assert rows[jobs[1].seq]["next_attempt_at"] >= now + 7  # Retry-After kept
    assert (rows[lost.seq]["attempts"], rows[lost.seq]["lease_owner"]) == (0, "elsewhere")


class _KeepAliveReceiver:
    """Answers every POST with 204 on kept-alive connections; logs (listening address,
    connection number) per request."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, int]] = []
        self.connections = 0
        self.servers: list[asyncio.Server] = []

    async def listen(self, host: str, port: int = 0) -> int:
        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.connections += 1
            number = self.connections
            try:
                while head := await reader.readuntil(b"\r\n\r\n"):
                    length = next(
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    )
                    await reader.readexactly(length)
                    self.requests.append((host, number))
                    writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
                    await writer.drain()
            except (asyncio.IncompleteReadError, ConnectionError):
                pass
            finally:
                writer.close()

        server = await asyncio.start_server(serve, host, port)
        self.servers.append(server)
        return int(server.sockets[0].getsockname()[1])

    def close(self) -> None:
        for server in self.servers:
            server.close()


def test_kept_connections_are_reused_only_for_an_approved_address():
    async def scenario() -> tuple[_KeepAliveReceiver, ConnectionPool]:
        receiver, pool = _KeepAliveReceiver(), ConnectionPool()
        port = await receiver.listen("127.0.0.1")
        await receiver.listen("127.0.0.2", port)

        def target(*addresses: str) -> ResolvedTarget:
            pinned = tuple(ipaddress.ip_address(a) for a in addresses)
            return ResolvedTarget(
                f"http://hooks.test:{port}/hook", "http", "hooks.test", port, pinned
            )

        try:
            for _ in range(3):
                reply = await pool.post(target("127.0.0.1"), b"{}", {}, timeout=5)
                assert reply.status_code == 204
            # The name now resolves elsewhere: the connection kept for 127.0.0.1 is not used.
            await pool.post(target("127.0.0.2"), b"{}", {}, timeout=5)
            # Approved again (among others): reused.
            await pool.post(target("127.0.0.3", "127.0.0.1"), b"{}", {}, timeout=5)
        finally:
            await pool.aclose()
            receiver.close()
        return receiver, pool

    receiver, pool = asyncio.run(scenario())
    assert receiver.requests == [("127.0.0.1", 1)] * 3 + [("127.0.0.2", 2), ("127.0.0.1", 1)]
    assert (pool.opened, pool.reused) == (2, 3)


def test_a_claim_beside_another_claim_takes_the_rows_not_locked(db_url, hostile):
    """PostgreSQL claims run at once: rows another claim holds locked are skipped, and the
    claim still takes its fill from the rows after them."""
    if db_url.backend != "postgresql":
        pytest.skip("SQLite claims take the database's write lock in turn")
    settings = db_url.settings(allow_private_targets=True, webhook_concurrency=8)
    db = open_database(settings.database)
    account = create_account(db)[0]
    _due(db, account, hostile.url("/ok"), 8)
    worker = DeliveryWorker(db, settings)
    with db.write() as tx:  # another worker's claim, still open, holds the oldest four
        held = [
            int(r["seq"])
            for r in tx.query("SELECT seq FROM webhooks ORDER BY seq LIMIT 4 FOR UPDATE")
        ]
        jobs = worker._claim(4, {})
    db.close()
    assert len(jobs) == 4 and not {j.seq for j in jobs} & set(held)


def test_kept_connections_gone_stale_are_closed(monkeypatch):
    monkeypatch.setattr(pinned, "IDLE_SECONDS", 0.1)

    async def scenario() -> tuple[int, int]:
        receiver, pool = _KeepAliveReceiver(), ConnectionPool()
        port = await receiver.listen("127.0.0.1")
        target = ResolvedTarget(
            f"http://127.0.0.1:{port}/hook", "http", "127.0.0.1", port,
            (ipaddress.ip_address("127.0.0.1"),),
        )  # fmt: skip
        try:
            await pool.post(target, b"{}", {}, timeout=5)
            kept = pool.idle
            await asyncio.sleep(0.2)
            pool.prune()
            return kept, pool.idle
        finally:
            await pool.aclose()
            receiver.close()

    assert asyncio.run(scenario()) == (1, 0)


@pytest.mark.parametrize(
    "headers",
    [
        {"X-A": "b\r\nX-Injected: 1"},
        {"X-A": "b\nc"},
        {"X-A": "b\0"},
        {"X-A:B": "c"},
        {"X\r\n": "c"},
    ],
)
def test_a_header_that_would_split_the_request_is_never_sent(headers):
    target = ResolvedTarget(
        "http://hooks.example/h", "http", "hooks.example", 80, (ipaddress.ip_address("127.0.0.1"),)
    )
    with pytest.raises(pinned.DeliveryError, match="cannot be sent"):
        pinned._request_head(target, {"Content-Type": "application/json", **headers}, 2)
    head = pinned._request_head(target, {"Content-Type": "application/json", "X-A": "b"}, 2)
    assert head.endswith(b"\r\nX-A: b\r\nContent-Length: 2\r\n\r\n")
