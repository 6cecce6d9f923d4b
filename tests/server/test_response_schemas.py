"""Every JSON response the server sends validates against the spec's schema for that operation
and status: successes, and each declared error (400, 401, 404, 413, 415, 500)."""

from __future__ import annotations

import pytest

from spaces_toolkit.server.http import handlers
from spaces_toolkit.spec import load_spec, validator_at

from .test_routes import DECLARED, fill

SPEC = load_spec()


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def check(method: str, path: str, response) -> None:
    """Assert the response is declared for the operation and its body matches the schema."""
    status = str(response.status_code)
    op = SPEC["paths"][path][method.lower()]
    assert status in op["responses"], f"{method} {path}: undeclared status {status}"
    declared = op["responses"][status]
    pointer = f"/paths/{_escape(path)}/{method.lower()}/responses/{status}"
    if "$ref" in declared:
        pointer = declared["$ref"][1:]
    errors = list(
        validator_at(f"{pointer}/content/application~1json/schema").iter_errors(response.json())
    )
    assert not errors, f"{method} {path} {status}: {errors[0].message}"
    if status == "401":
        assert response.headers["www-authenticate"].startswith("Basic")


@pytest.fixture
def box(make_sandbox):
    # The app's own response check is off: this test is the independent check.
    return make_sandbox(accounts=2, customers=12, validate_responses=False)


@pytest.mark.parametrize("method,path", sorted(DECLARED))
async def test_responses_match_the_spec(box, method, path):
    create = {"event": "invoice.created", "target_url": "https://example.com/hook"}
    async with box.client(box.tokens[0]) as client, box.client() as anonymous:
        url = await fill(client, path)

        async def call(target=url, via=client, **kw):
            if method == "POST":
                kw.setdefault("data", create)
            response = await via.request(method, target, **kw)
            check(method, path, response)
            return response

        assert (await call()).status_code == 200
        if "{" not in path and method == "GET" and path != "/account":
            for params in [{"limit": 3}, {"limit": 100}]:
                page = (await call(params=params)).json()
                if page["data"]:
                    await call(params={"limit": 2, "starting_before": page["data"][-1]["id"]})
            assert (await call(params={"limit": "x"})).status_code == 400
            assert (await call(params={"starting_after": "nope"})).status_code == 400
        assert (await call(auth=("sk_wrong", ""))).status_code == 401
        assert (await call(via=anonymous)).status_code == 401
        response = await call(via=anonymous, headers={"Authorization": "Basic ???"})
        assert response.status_code == 401
        if "{" in path:
            missing = path.replace("{id}", "9999" if "spaces" in path else "nope")
            missing = missing.replace("{customer_id}", "nope").replace("{token}", "nope")
            assert (await call(target=missing)).status_code == 404
        if path == "/spaces/{id}":
            assert (await call(target="/spaces/x")).status_code == 400
        if method == "POST":
            assert (await call(data={"event": "nope"})).status_code == 400
            assert (await call(content=b"x" * 70000)).status_code == 413
            response = await call(content=b"x", headers={"Content-Type": "text/csv"})
            assert response.status_code == 415


@pytest.mark.parametrize("method,path", sorted(DECLARED))
async def test_https_rejection_and_server_errors_match_the_spec(
    make_sandbox, monkeypatch, method, path
):
    https_only = make_sandbox(accounts=1, require_https=True, name="https.db")
    async with https_only.client(https_only.tokens[0]) as client:
        response = await client.request(method, path.format(id=1, customer_id="c", token="t"))
    assert response.status_code == 400
    check(method, path, response)

    box = make_sandbox(accounts=1, customers=3, validate_responses=False)
    async with box.client(box.tokens[0]) as client:
        url = await fill(client, path)
        op_id = SPEC["paths"][path][method.lower()]["operationId"]

        def broken(ctx):
            raise RuntimeError("boom: secret internals")

        monkeypatch.setitem(handlers.HANDLERS, op_id, broken)
        response = await client.request(
            method, url, data={"event": "invoice.paid", "target_url": "https://e.com"}
        )
    assert response.status_code == 500
    assert "boom" not in response.text  # no internals leak
    check(method, path, response)
