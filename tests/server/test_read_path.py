"""The GET fast path (routing.py) keeps every check: what it remembers between requests (valid
query strings per operation, the token hash an Authorization header names) never changes an
answer, and a GET's authentication and reads are one `run_read` (one transaction on SQLite)."""

from __future__ import annotations

import asyncio

import pytest

from spaces_toolkit.server.storage.repo.accounts import revoke_tokens, token_prefix

from .conftest import basic


async def test_remembered_query_strings_answer_like_fresh_ones(sandbox):
    async with sandbox.client(sandbox.tokens[0]) as client:
        for _ in range(3):  # the first parse and the remembered ones agree
            good = await client.get("/customers?limit=3")
            assert good.status_code == 200
            assert good.json()["count"] == 3
            bad = await client.get("/customers?limit=0")
            assert bad.status_code == 400, "an invalid value is checked every time"
            twice = await client.get("/customers?limit=3&limit=3")
            assert twice.status_code == 400
            default = await client.get("/customers")
            assert default.json()["count"] == 20  # the spec's default page size
        # The same query string on another list operation is that operation's own to check.
        spaces = await client.get("/spaces?limit=3")
        assert spaces.status_code == 200 and spaces.json()["data"][0]["object"] == "space"


async def test_a_bad_token_is_a_401_before_a_bad_parameter_is_a_400(sandbox):
    async with sandbox.client() as client:
        for _ in range(2):
            response = await client.get("/customers?limit=0", headers=basic("sk_sandbox_nope"))
            assert response.status_code == 401
            response = await client.get("/customers/%00", headers=basic("sk_sandbox_nope"))
            assert response.status_code == 401


async def test_a_revoked_token_is_refused_on_its_next_get_although_its_header_was_seen(sandbox):
    token = sandbox.tokens[0]
    async with sandbox.client(token) as client:
        assert (await client.get("/customers?limit=1")).status_code == 200
        assert (await client.get("/account")).status_code == 200
        assert revoke_tokens(sandbox.db, prefix=token_prefix(token)) == 1
        for path in ("/customers?limit=1", "/account"):
            response = await client.get(path)
            assert response.status_code == 401, path
            assert "revoked" in response.json()["message"]


async def test_tenancy_holds_on_the_remembered_paths(sandbox):
    async with (
        sandbox.client(sandbox.tokens[0]) as first,
        sandbox.client(sandbox.tokens[1]) as second,
    ):
        mine = (await first.get("/customers?limit=5")).json()["data"]
        theirs = (await second.get("/customers?limit=5")).json()["data"]
        assert {c["id"] for c in mine}.isdisjoint(c["id"] for c in theirs)
        other = await second.get(f"/customers/{mine[0]['id']}")
        assert other.status_code == 404


async def test_a_get_after_its_read_connections_were_dropped_is_answered(make_sandbox, db_url):
    """PostgreSQL: a read connection that died while idle (a restart, a dropped connection)
    fails at its first statement; the read runs again on a new one instead of failing."""
    if db_url.backend != "postgresql":
        pytest.skip("SQLite has no connections to drop")
    import psycopg

    box = make_sandbox(customers=3)
    async with box.client(box.tokens[0]) as client:
        for _ in range(3):  # several idle read connections in the pool
            responses = await asyncio.gather(*(client.get("/customers?limit=2") for _ in range(4)))
            assert [r.status_code for r in responses] == [200] * 4
        with psycopg.connect(db_url(), autocommit=True) as admin:
            dropped = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'"
                " AND datname = current_database()"
            ).fetchone()
        assert dropped is not None and dropped[0] >= 1
        for path in ("/customers?limit=2", "/account", "/customers?limit=2"):
            response = await client.get(path)
            assert response.status_code == 200, (path, response.text)


async def test_ids_and_cursors_beyond_their_column_s_range_name_nothing(sandbox):
    """A Space id is an int64 in the spec and an INTEGER column on PostgreSQL: a larger one is
    no stored id (404; as a cursor, 400), on either backend, never a 500."""
    big = 2**63 - 1
    async with sandbox.client(sandbox.tokens[0]) as client:
        response = await client.get(f"/spaces/{big}")
        assert response.status_code == 404, response.text
        for cursor in ("starting_after", "starting_before"):
            response = await client.get(f"/spaces?{cursor}={big}")
            assert response.status_code == 400, response.text


async def test_a_token_seen_valid_then_revoked_is_a_401_whatever_the_request_finds(sandbox):
    """Once a token has been seen valid, a GET's reads start before its row is back (on
    PostgreSQL, in the same round trip): the row still decides first, whether the reads find
    a page, nothing (an empty page, a 404) or the request is refused before reading (a 400)."""
    token = sandbox.tokens[0]
    async with sandbox.client(token) as client:
        newest = (await client.get("/customers?limit=1")).json()["data"][0]["id"]
        requests = [
            "/customers?limit=2",
            f"/customers/{newest}",
            "/customers/cus_nope",  # 404 when valid
            f"/customers?starting_after={newest}&limit=1",
            "/customers?limit=0",  # 400 when valid
            "/resource_subscriptions",  # an empty page when valid
            "/account",
        ]
        valid = [(await client.get(path)).status_code for path in requests]
        assert valid == [200, 200, 404, 200, 400, 200, 200]
        assert revoke_tokens(sandbox.db, prefix=token_prefix(token)) == 1
        for path in requests:
            response = await client.get(path)
            assert response.status_code == 401, (path, response.text)
            assert "revoked" in response.json()["message"]


async def test_a_token_that_expired_after_it_was_seen_is_a_401(make_sandbox):
    import time

    from spaces_toolkit.server.storage.repo.accounts import add_token

    box = make_sandbox(accounts=1, customers=2)
    token = add_token(box.db, box.account_ids[0], expires_at=int(time.time()) + 2)
    async with box.client(token) as client:
        assert (await client.get("/customers?limit=1")).status_code == 200
        await asyncio.sleep(2.5)
        for path in ("/customers?limit=1", "/customers/cus_nope", "/customers?limit=0"):
            response = await client.get(path)
            assert response.status_code == 401, (path, response.text)
            assert "expired" in response.json()["message"]


async def test_a_postgres_get_is_one_round_trip_once_its_token_was_seen(make_sandbox, db_url):
    """PostgreSQL: the token's row rides along with the request's first statement."""
    if db_url.backend != "postgresql":
        pytest.skip("SQLite's reads are in the process: no round trips")
    from spaces_toolkit.server.storage import postgres_reads

    box = make_sandbox(accounts=1, customers=3)
    statements = []
    original = postgres_reads._AwaitedTransaction._fetch

    def counted(self, sql, params, first_only):
        statements.append(sql)
        return original(self, sql, params, first_only)

    async with box.client(box.tokens[0]) as client:
        newest = (await client.get("/customers?limit=1")).json()["data"][0]["id"]
        postgres_reads._AwaitedTransaction._fetch = counted  # type: ignore[method-assign]
        try:
            for path in ("/customers?limit=2", f"/customers/{newest}", "/account"):
                statements.clear()
                response = await client.get(path)
                assert response.status_code == 200
                assert len(statements) == 1, (path, statements)
        finally:
            postgres_reads._AwaitedTransaction._fetch = original  # type: ignore[method-assign]


async def test_a_read_waits_for_a_free_connection_slot_until_its_timeout(db_url):
    """PostgreSQL: with every read connection busy, a read waits for one, and gives up after
    the pool's timeout (a free slot is taken without a timer)."""
    if db_url.backend != "postgresql":
        pytest.skip("SQLite's reads take no connection slot")
    from spaces_toolkit.server.storage.postgres_reads import AsyncReads

    reads = AsyncReads(db_url(), max_size=1, timeout=0.5)
    try:
        assert await reads.run(lambda tx: tx.one("SELECT 1 AS one")["one"]) == 1  # free: taken
        held = asyncio.ensure_future(reads.run(lambda tx: tx.one("SELECT pg_sleep(2)")))
        await asyncio.sleep(0.2)  # the one slot is held by the sleeping read
        with pytest.raises(TimeoutError):
            await reads.run(lambda tx: tx.one("SELECT 1 AS one"))
        await held
        assert await reads.run(lambda tx: tx.one("SELECT 2 AS two")["two"]) == 2
    finally:
        reads.close()
