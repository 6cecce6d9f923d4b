"""The GET fast path (routing.py) keeps every check: what it remembers between requests (valid
query strings per operation, the token hash an Authorization header names) never changes an
answer, and a GET's authentication and reads share one transaction."""

from __future__ import annotations

from spaces_toolkit.server.repo.accounts import revoke_tokens, token_prefix

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
