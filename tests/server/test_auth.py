"""HTTP Basic with the token as username; each account sees only its own objects."""

from __future__ import annotations

import base64

import pytest

from spaces_toolkit.spec import load_spec

from .conftest import basic

LISTS = [p for p, item in load_spec()["paths"].items() if "{" not in p and "get" in item]
LISTS.remove("/account")


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": ""},
        {"Authorization": "Basic"},
        {"Authorization": "Basic !!!not-base64!!!"},
        {"Authorization": "Basic " + _b64(b"\xff\xfe:")},
        {"Authorization": "Basic " + _b64(b":password-only")},
        {"Authorization": "Bearer sometoken"},
        {"Authorization": "Digest username=x"},
        basic("sk_sandbox_unknown"),
        basic("' OR 1=1 --"),
    ],
    ids=lambda h: repr(h.get("Authorization"))[:40],
)
async def test_missing_garbled_or_unknown_credentials_get_401(sandbox, headers):
    async with sandbox.client() as client:
        for path in ["/account", "/customers", "/spaces/1", "/resource_subscriptions"]:
            response = await client.get(path, headers=headers)
            assert response.status_code == 401
            assert response.headers["www-authenticate"] == 'Basic realm="Spaces API"'
            assert response.json()["message"]
        response = await client.post(
            "/resource_subscriptions",
            headers=headers,
            data={"event": "customer.created", "target_url": "https://example.com/x"},
        )
        assert response.status_code == 401


async def test_token_is_the_username_and_a_password_is_ignored(sandbox):
    async with sandbox.client() as client:
        for password in ["", "anything"]:
            response = await client.get("/account", headers=basic(sandbox.tokens[0], password))
            assert response.status_code == 200
            assert response.json()["name"] == "User 1"


def test_tokens_are_stored_hashed(sandbox):
    with sandbox.db.read() as tx:
        stored = [dict(r) for r in tx.query("SELECT * FROM access_tokens")]
        stored += [dict(r) for r in tx.query("SELECT * FROM accounts")]
    dump = repr(stored)
    assert len(stored) == 4
    for token in sandbox.tokens:
        assert token not in dump


async def _everything(client, path):
    seen, after = [], None
    while True:
        params = {"limit": 100} | ({"starting_after": after} if after else {})
        body = (await client.get(path, params=params)).json()
        seen += body["data"]
        if not body["has_more"]:
            return seen
        after = body["data"][-1]["id"]


@pytest.mark.parametrize("path", LISTS)
async def test_each_account_lists_only_its_own_objects(sandbox, path):
    a, b = sandbox.tokens
    async with sandbox.client(a) as ca, sandbox.client(b) as cb:
        await ca.post(
            "/resource_subscriptions",
            data={"event": "invoice.paid", "target_url": "https://a.example/hook"},
        )
        mine, theirs = await _everything(ca, path), await _everything(cb, path)
    assert mine and theirs
    if path != "/spaces":  # Space ids are per account: both have Space 1, 2, …
        assert not {o["id"] for o in mine} & {o["id"] for o in theirs}
    if path == "/resource_subscriptions":
        assert "https://a.example/hook" not in {o["target_url"] for o in theirs}
    if path == "/customers":
        emails = {o["email"] for o in theirs}
        assert len(mine) == len(theirs) == 30 and emails


async def test_another_accounts_objects_are_404_and_bad_cursors(sandbox):
    a, b = sandbox.tokens
    async with sandbox.client(a) as ca, sandbox.client(b) as cb:
        customer = (await ca.get("/customers")).json()["data"][0]
        invoice = (await ca.get("/invoices")).json()["data"][0]
        sub = (await ca.get("/subscriptions")).json()["data"][0]
        spaces_a = (await ca.get("/spaces")).json()["count"]
        assert (await cb.get(f"/customers/{customer['id']}")).status_code == 404
        assert (await cb.get(f"/invoices/{invoice['id']}")).status_code == 404
        response = await cb.get(f"/customers/{sub['customer']['id']}/subscriptions/{sub['token']}")
        assert response.status_code == 404
        assert (await cb.get(f"/spaces/{spaces_a + 100}")).status_code == 404
        for path, cursor in [("/customers", customer["id"]), ("/invoices", invoice["id"])]:
            response = await cb.get(path, params={"starting_after": cursor})
            assert response.status_code == 400
            assert cursor in response.json()["message"]
        # …while the owner sees them
        assert (await ca.get(f"/customers/{customer['id']}")).status_code == 200
        response = await ca.get(f"/customers/{sub['customer']['id']}/subscriptions/{sub['token']}")
        assert response.json()["token"] == sub["token"]
        # the account endpoint is per token
        assert (await ca.get("/account")).json()["name"] == "User 1"
        assert (await cb.get("/account")).json()["name"] == "User 2"


async def test_new_tokens_work_at_once_and_failures_are_not_remembered(sandbox):
    from spaces_toolkit.server.storage.repo.accounts import add_token

    async with sandbox.client() as client:
        for _ in range(2):
            assert (await client.get("/account", auth=("sk_nope", ""))).status_code == 401
        token = add_token(sandbox.db, sandbox.account_ids[1])
        for _ in range(2):
            response = await client.get("/account", auth=(token, ""))
            assert response.status_code == 200 and response.json()["name"] == "User 2"
