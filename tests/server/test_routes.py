"""The server serves exactly the spec: every operation answers, nothing else does."""

from __future__ import annotations

import pytest
import yaml

from spaces_toolkit.server.settings import LLMS_FILES, api_prefix
from spaces_toolkit.spec import SPEC_PATH, load_spec

SPEC = load_spec()
METHODS = ["GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "QUERY"]
DECLARED = {
    (method.upper(), path)
    for path, item in SPEC["paths"].items()
    for method in item
    if method.upper() in METHODS
}


async def fill(client, path: str) -> str:
    """The spec path with real ids of the caller's own objects."""
    if "{customer_id}" in path:
        sub = (await client.get("/subscriptions", params={"limit": 1})).json()["data"][0]
        return path.format(customer_id=sub["customer"]["id"], token=sub["token"])
    if path == "/spaces/{id}":
        return path.format(id=1)
    if "{id}" in path:
        listing = path.split("/")[1]
        return path.format(id=(await client.get(f"/{listing}")).json()["data"][0]["id"])
    return path


@pytest.mark.parametrize("method,path", sorted(DECLARED))
async def test_every_spec_operation_is_served(sandbox, method, path):
    async with sandbox.client(sandbox.tokens[0]) as client:
        url = await fill(client, path)
        if method == "POST":
            body = {"event": "invoice.paid", "target_url": "https://example.com/hook"}
            response = await client.post(url, data=body)
        else:
            response = await client.request(method, url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"


def test_the_app_has_no_route_the_spec_does_not_declare(sandbox, make_sandbox):
    """Besides the spec's paths: the spec, docs, health, and (sandbox mode only) the helpers,
    all outside /api/v1."""
    from spaces_toolkit.server.sandbox.routes import HELPERS
    from spaces_toolkit.server.settings import SANDBOX_PREFIX

    served = {api_prefix() + p for p in SPEC["paths"]} | {
        "/openapi.json",
        "/docs",
        "/healthz",
        *(f"/{name}" for name in LLMS_FILES),
    }
    helpers = {SANDBOX_PREFIX + h.path for h in HELPERS}
    assert {route.path for route in sandbox.app.routes} == served | helpers
    production = make_sandbox(accounts=1, sandbox=False, name="production.db")
    assert {route.path for route in production.app.routes} == served


@pytest.mark.parametrize("path", sorted(SPEC["paths"]))
async def test_undeclared_methods_get_405_with_allow(sandbox, path):
    declared = {m for m, p in DECLARED if p == path}
    allowed = declared | ({"HEAD"} if "GET" in declared else set())  # HEAD wherever GET
    url = path.replace("{id}", "1").replace("{customer_id}", "c").replace("{token}", "t")
    async with sandbox.client(sandbox.tokens[0]) as client:
        for method in METHODS:
            if method in allowed:
                continue
            response = await client.request(method, url)
            assert response.status_code == 405, (method, path)
            assert {m.strip() for m in response.headers["allow"].split(",")} == allowed
            if method != "HEAD":
                assert method in response.json()["message"]


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/api/v1",
        "/api/v1/",
        "/api/v1/customers/",
        "/api/v1/customers/a/b",
        "/api/v1/subscriptions/abc",
        "/api/v2/customers",
        "/api/v1/accounts",
        "/openapi.yaml",
    ],
)
async def test_undeclared_paths_are_404_json(sandbox, url):
    async with sandbox.client(sandbox.tokens[0], base_url="http://testserver") as client:
        response = await client.get(url)
    assert response.status_code == 404
    assert "message" in response.json()


async def test_openapi_json_is_the_spec_file(sandbox):
    async with sandbox.client(base_url="http://testserver") as client:
        response = await client.get("/openapi.json")
    assert response.status_code == 200
    with open(SPEC_PATH, encoding="utf-8") as fh:
        assert response.json() == yaml.safe_load(fh)


async def test_docs_served_when_generated_else_404(make_sandbox, tmp_path):
    missing = make_sandbox(accounts=0, docs_index=tmp_path / "none.html")
    async with missing.client(base_url="http://testserver") as client:
        response = await client.get("/docs")
    assert response.status_code == 404 and "make docs" in response.json()["message"]

    page = tmp_path / "index.html"
    page.write_text("<html><body>Spaces API</body></html>", encoding="utf-8")
    present = make_sandbox(accounts=0, docs_index=page, name="other.db")
    async with present.client(base_url="http://testserver") as client:
        response = await client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "Spaces API" in response.text
