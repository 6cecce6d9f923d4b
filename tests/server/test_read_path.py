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
