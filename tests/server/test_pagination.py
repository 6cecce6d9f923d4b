"""Cursor pagination: full walks both ways, stable order, no duplicates, keyset queries."""

from __future__ import annotations

import pytest
import yaml

from spaces_toolkit.server.problems import ApiError
from spaces_toolkit.server.sandbox.trigger import trigger
from spaces_toolkit.server.storage import pagination
from spaces_toolkit.server.storage.repo import reads


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """One account with a few hundred objects of every kind (module-scoped: built once)."""
    from spaces_toolkit.server.app import create_app
    from spaces_toolkit.server.settings import Settings
    from testing.support import seed_accounts

    from .conftest import Sandbox

    path = tmp_path_factory.mktemp("big") / "spaces.db"
    # Responses are schema-checked in test_response_schemas; here they would dominate the time.
    app = create_app(Settings(db_path=path, validate_responses=False, run_delivery_worker=False))
    (account_id, token), (other_id, other) = seed_accounts(
        app.state.db, [220, 10], spaces=[25, 2], seeds=[7, 8]
    )
    yield Sandbox(app, app.state.db, app.state.settings, [token, other], [account_id, other_id])
    app.state.db.close()


async def walk_forward(client, path, limit):
    seen, params = [], {"limit": limit}
    while True:
        body = (await client.get(path, params=params)).json()
        assert body["count"] == len(body["data"]) <= limit
        seen += body["data"]
        if not body["has_more"]:
            return seen
        assert body["count"] == limit
        params = {"limit": limit, "starting_after": body["data"][-1]["id"]}


async def walk_backward(client, path, limit, last):
    """From the oldest object back to the newest, page by page with starting_before."""
    seen, cursor = [last], last["id"]
    while True:
        body = (await client.get(path, params={"limit": limit, "starting_before": cursor})).json()
        assert body["count"] == len(body["data"]) <= limit
        seen = body["data"] + seen
        if not body["has_more"]:
            return seen
        cursor = body["data"][0]["id"]


@pytest.mark.parametrize(
    "path,limit",
    [
        ("/customers", 7),
        ("/spaces", 4),
        ("/invoices", 100),
        ("/invoices", 13),
        ("/subscriptions", 9),
        ("/captured_emails", 5),
        ("/events", 37),
        ("/webhooks", 11),
    ],
)
async def test_full_walk_both_directions(big, path, limit):
    async with big.client(big.tokens[0]) as client:
        forward = await walk_forward(client, path, limit)
        ids = [o["id"] for o in forward]
        assert len(ids) == len(set(ids)), "an object appeared twice"
        backward = await walk_backward(client, path, limit, forward[-1])
        assert [o["id"] for o in backward] == ids
        # the same order on every call, and newest first
        again = await walk_forward(client, path, limit)
        assert [o["id"] for o in again] == ids
        created = [o["created"] for o in forward]
        assert created == sorted(created, reverse=True)
    table = {"/spaces": "spaces", "/events": "events", "/webhooks": "webhooks"}.get(
        path, path.strip("/")
    )
    with big.db.read() as tx:
        n = tx.one(f"SELECT COUNT(*) AS n FROM {table} WHERE account_id = ?", (big.account_ids[0],))
    assert len(ids) == n["n"]
    if path in ("/customers", "/events", "/invoices"):
        assert len(ids) >= 200


async def test_walk_does_not_repeat_objects_created_meanwhile(big):
    async with big.client(big.tokens[0]) as client:
        first = (await client.get("/customers", params={"limit": 10})).json()
        total = [o["id"] for o in first["data"]]
        params = {"limit": 10, "starting_after": total[-1]}
        while True:
            trigger(big.db, big.account_ids[0], "customer.created")  # newer than the cursor
            body = (await client.get("/customers", params=params)).json()
            total += [o["id"] for o in body["data"]]
            if not body["has_more"]:
                break
            params["starting_after"] = body["data"][-1]["id"]
    assert len(total) == len(set(total))


async def test_page_edges_and_has_more(big):
    async with big.client(big.tokens[0]) as client:
        all_spaces = (await client.get("/spaces", params={"limit": 100})).json()["data"]
        assert [s["id"] for s in all_spaces] == list(range(25, 0, -1))
        newest, oldest = all_spaces[0]["id"], all_spaces[-1]["id"]
        body = (await client.get("/spaces", params={"starting_before": newest})).json()
        assert body == {"object": "list", "data": [], "has_more": False, "count": 0}
        body = (await client.get("/spaces", params={"starting_after": oldest})).json()
        assert body["data"] == [] and body["has_more"] is False
        body = (await client.get("/spaces", params={"starting_before": 20, "limit": 3})).json()
        assert [s["id"] for s in body["data"]] == [23, 22, 21]
        assert body["has_more"] is True  # 24 and 25 are further before
        body = (await client.get("/spaces", params={"starting_before": 22, "limit": 3})).json()
        assert [s["id"] for s in body["data"]] == [25, 24, 23] and body["has_more"] is False
        default = (await client.get("/customers")).json()
        assert default["count"] == 20 and default["has_more"] is True


class Recording:
    def __init__(self, tx):
        self.tx, self.sql = tx, []

    def query(self, sql, params=()):
        self.sql.append((sql, list(params)))
        return self.tx.query(sql, params)

    def one(self, sql, params=()):
        self.sql.append((sql, list(params)))
        return self.tx.one(sql, params)


@pytest.mark.parametrize("src", [reads.CUSTOMERS, reads.INVOICES, reads.EVENTS, reads.WEBHOOKS])
def test_pages_are_keyset_range_scans(big, src):
    """Deep pages run the same indexed range scan as page 1: no OFFSET, no full scan, no sort."""
    with big.db.read() as tx:
        rows = tx.query(
            f"SELECT id FROM {src.table} WHERE account_id = ? ORDER BY seq DESC",
            (big.account_ids[0],),
        )
        deep = rows[len(rows) - 5]["id"]
        for request in [
            pagination.PageRequest(limit=10),
            pagination.PageRequest(limit=10, after=deep),
            pagination.PageRequest(limit=10, before=deep),
        ]:
            rec = Recording(tx)
            pagination.fetch_page(rec, src, big.account_ids[0], request)
            for sql, params in rec.sql:
                assert "OFFSET" not in sql.upper()
                plan = " | ".join(r[3] for r in tx.query(f"EXPLAIN QUERY PLAN {sql}", params))
                assert "TEMP B-TREE" not in plan, plan
                assert f"SCAN {src.alias} " not in plan + " ", plan
                assert f"SEARCH {src.alias} USING" in plan or f"SEARCH {src.table} USING" in plan, (
                    plan
                )


def test_page_arguments_follow_the_spec_model() -> None:
    """Cursor parameter names and the default page size come from the spec's list operation,
    so an edited spec (here: a renamed cursor, another default) is read as it says."""
    import copy

    from spaces_toolkit.spec import build_spec, default_spec, read_document

    content = copy.deepcopy(default_spec().document.content)
    params = content["components"]["parameters"]
    for param in params.values():
        if param.get("name") == "starting_before":
            param["name"] = "ending_before"
        if param.get("name") == "limit":
            param["schema"]["default"] = 7
    spec = build_spec(read_document(yaml.safe_dump(content).encode()))
    listing = spec.list_of(spec.by_label("GET /customers"))
    assert listing is not None
    req = pagination.PageRequest.from_query({"ending_before": "cus_1"}, listing)
    assert (req.limit, req.after, req.before) == (7, None, "cus_1")
    with pytest.raises(ApiError, match="starting_after and ending_before cannot be combined"):
        pagination.PageRequest.from_query({"starting_after": "a", "ending_before": "b"}, listing)
