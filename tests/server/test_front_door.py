"""The app's outermost layer (http/front.py): API requests handed straight to their endpoint
answer exactly as through Starlette's whole stack; every answer carries a fresh request id."""

from __future__ import annotations

import os

import httpx
import pytest

from spaces_toolkit.server.http.request_id import RequestIds, request_id_header

HEADER = (request_id_header() or "").lower()


def _requests(customer_id: str) -> list[tuple[str, str]]:
    return [
        ("GET", "/customers?limit=3"),
        ("GET", f"/customers/{customer_id}"),
        ("HEAD", f"/customers/{customer_id}"),
        ("HEAD", "/customers?limit=2"),
        ("GET", "/customers/cus_nope"),  # 404 from the endpoint
        ("GET", "/customers?limit=0"),  # 400
        ("GET", "/customers/%20"),
        ("DELETE", "/customers"),  # 405 with Allow (HEAD added)
        ("GET", "/customers/a/b"),  # no such route: 404 from the router
        ("GET", "/nope"),
        ("GET", "http://testserver/healthz"),
        ("HEAD", "http://testserver/openapi.json"),
        ("POST", "/resource_subscriptions"),  # a write: 400 (no body)
    ]


async def _answers(box, token: str | None, customer_id: str) -> list[tuple[int, bytes, dict]]:
    out = []
    async with box.client(token) as client:
        for method, path in _requests(customer_id):
            response = await client.request(method, path)
            headers = dict(response.headers)
            assert headers.pop(HEADER).startswith("req_")
            if headers.get("vary") == "Origin":  # what CORS adds to every answer it passes
                del headers["vary"]
            out.append((response.status_code, response.content, headers))
    return out


@pytest.mark.parametrize("authenticated", [True, False])
async def test_direct_dispatch_answers_as_the_whole_stack(make_sandbox, authenticated):
    # CORS configured: every request goes through Starlette's stack (and with no Origin
    # header, CORS adds only `Vary: Origin`), so the two apps differ only in the dispatch.
    direct = make_sandbox(accounts=1, customers=5, name="direct.db")
    stacked = make_sandbox(
        accounts=1, customers=5, name="stacked.db", cors_origins=("https://app.example",)
    )
    assert direct.app.build_middleware_stack()._direct
    assert not stacked.app.build_middleware_stack()._direct
    answers = []
    for box in (direct, stacked):
        token = box.tokens[0] if authenticated else None
        async with box.client(box.tokens[0]) as client:
            newest = (await client.get("/customers?limit=1")).json()["data"][0]["id"]
        answers.append(await _answers(box, token, newest))
    # The two databases were seeded alike, so the same ids and bodies.
    assert answers[0] == answers[1]
    statuses = [status for status, _, _ in answers[0]]
    if authenticated:
        assert statuses == [200, 200, 200, 200, 404, 400, 404, 405, 404, 404, 200, 200, 400]
    allow = answers[0][7][2]["allow"]
    assert {m.strip() for m in allow.split(",")} == {"GET", "HEAD"}


async def test_every_answer_has_a_fresh_request_id(make_sandbox):
    box = make_sandbox(accounts=1, customers=2, cors_origins=("https://app.example",))
    seen = []
    async with box.client(box.tokens[0]) as client:
        for _ in range(3):
            for response in (
                await client.get("/customers"),
                await client.get("/customers/cus_nope"),
                await client.head("/account"),
                await client.options(
                    "/customers",
                    headers={
                        "Origin": "https://app.example",
                        "Access-Control-Request-Method": "GET",
                    },
                ),  # answered by the CORS layer itself
            ):
                seen.append(response.headers[HEADER])
    assert len(set(seen)) == len(seen) == 12
    assert all(len(value) == len("req_") + 24 for value in seen)


def test_request_ids_are_drawn_afresh_in_a_forked_child():
    ids = RequestIds()
    ids.next()  # the parent has drawn a batch
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next id, to the parent
        try:
            os.write(write, ids.next())
        finally:
            os._exit(0)
    os.close(write)
    child = os.read(read, 100)
    os.close(read)
    os.waitpid(pid, 0)
    parent = {ids.next() for _ in range(255)}  # the rest of the parent's batch
    assert child.startswith(b"req_") and child not in parent


def test_request_ids_do_not_repeat():
    ids = RequestIds()
    drawn = [ids.next() for _ in range(2000)]  # several batches
    assert len(set(drawn)) == len(drawn)


async def test_a_failure_while_answering_is_a_json_500(make_sandbox, monkeypatch):
    box = make_sandbox(accounts=1, customers=1)
    endpoint = next(
        route.app for route in box.app.routes if getattr(route, "path", "").endswith("/account")
    )

    async def broken(scope, receive, send):
        raise RuntimeError("boom")

    monkeypatch.setattr(type(endpoint), "__call__", lambda self, *a: broken(*a))
    async with box.client(box.tokens[0]) as client:
        response = await client.get("/account")
    assert response.status_code == 500
    assert response.json() == {"message": "Internal server error"}
    assert response.headers[HEADER].startswith("req_")
    assert isinstance(response, httpx.Response)


@pytest.mark.parametrize(
    ("order", "path", "expected"),
    [
        (["/things/{x}", "/things/mine"], "/things/mine", "/things/{x}"),  # first match wins
        (["/things/mine", "/things/{x}"], "/things/mine", "/things/mine"),
        (["/things/mine", "/things/{x}"], "/things/7", "/things/{x}"),
        (["/things/{x}"], "/things/7/more", None),  # not an API path: the stack's
    ],
)
async def test_direct_dispatch_picks_the_route_starlette_s_router_would(order, path, expected):
    from starlette.routing import Route, Router

    from spaces_toolkit.server.http.front import FrontDoor

    class endpoint:  # an ASGI app as an instance, like routing.PathEndpoint
        def __init__(self, name):
            self.name = name

        async def __call__(self, scope, receive, send):
            scope["picked"] = (self.name, scope["path_params"])

    routes = [Route(p, endpoint(p)) for p in order]
    router_scope = {"type": "http", "method": "GET", "path": path, "root_path": ""}
    if expected:
        await Router(routes)(router_scope, None, None)

    async def stack(scope, receive, send):
        scope["picked"] = None

    front = FrontDoor(stack, routes, direct=True)
    scope = {"type": "http", "method": "GET", "path": path, "headers": []}
    await front(scope, None, None)
    assert scope["picked"] == (router_scope["picked"] if expected else None)
    if expected:
        assert scope["picked"][0] == expected
    with_methods = [Route("/things/{x}", endpoint("m"), methods=["GET"])]
    assert not FrontDoor(stack, with_methods, direct=True)._direct
