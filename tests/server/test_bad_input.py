"""Bad input never yields a 500: each gets the right 4xx and a message naming the problem."""

from __future__ import annotations

import json

import pytest

FORM = "application/x-www-form-urlencoded"
GOOD = {"event": "customer.created", "target_url": "https://example.com/hook"}

QUERY_CASES = [
    # (path, params, words the message must contain)
    ("/customers", "limit=0", ["limit", "between 1 and 100"]),
    ("/customers", "limit=101", ["limit", "between 1 and 100"]),
    ("/customers", "limit=-5", ["limit"]),
    ("/customers", "limit=abc", ["limit", "'abc'"]),
    ("/customers", "limit=1.5", ["limit"]),
    ("/customers", "limit=", ["limit"]),
    ("/customers", "limit=1e3", ["limit"]),
    ("/customers", "limit=99999999999999999999999999999", ["limit"]),
    ("/customers", "limit=1&limit=2", ["limit", "more than once"]),
    ("/customers", "starting_after=", ["starting_after"]),
    ("/customers", "starting_after=cus_nope", ["starting_after", "cus_nope"]),
    ("/customers", "starting_before=cus_nope", ["starting_before", "cus_nope"]),
    ("/customers", "starting_after=%00", ["starting_after"]),
    ("/customers", "starting_after=a&starting_before=b", ["starting_after", "starting_before"]),
    ("/events", "starting_after=evt_%F0%9F%92%A9", ["starting_after"]),
    ("/webhooks", "starting_before=' OR 1=1 --", ["starting_before"]),
    ("/spaces", "starting_after=abc", ["starting_after", "integer"]),
    ("/spaces", "starting_after=0", ["starting_after"]),
    ("/spaces", "starting_before=999", ["starting_before", "999"]),
    ("/resource_subscriptions", "limit=%ZZ", ["limit"]),
]


@pytest.mark.parametrize("path,query,words", QUERY_CASES)
async def test_bad_query_values_are_400(sandbox, path, query, words):
    async with sandbox.client(sandbox.tokens[0]) as client:
        response = await client.get(f"{path}?{query}")
    assert response.status_code == 400, response.text
    message = response.json()["message"]
    for word in words:
        assert word in message, message


async def test_a_cursor_from_another_list_is_400(sandbox):
    async with sandbox.client(sandbox.tokens[0]) as client:
        invoice = (await client.get("/invoices")).json()["data"][0]["id"]
        response = await client.get("/customers", params={"starting_after": invoice})
        assert response.status_code == 400 and invoice in response.json()["message"]


async def test_unknown_query_parameters_are_ignored(sandbox):
    async with sandbox.client(sandbox.tokens[0]) as client:
        response = await client.get("/customers", params={"limit": 2, "expand[]": "x", "foo": ""})
    assert response.status_code == 200 and response.json()["count"] == 2


@pytest.mark.parametrize(
    "path,status,words",
    [
        ("/spaces/abc", 400, ["id", "integer"]),
        ("/spaces/0", 400, ["id"]),
        ("/spaces/-1", 400, ["id"]),
        ("/spaces/1.0", 400, ["id"]),
        ("/spaces/99999999999999999999999999999999999", 400, ["id"]),
        ("/spaces/4242", 404, ["4242"]),
        ("/customers/cus_unknown", 404, ["customer", "cus_unknown"]),
        ("/invoices/in_unknown", 404, ["invoice", "in_unknown"]),
        ("/customers/cus_unknown/subscriptions/tok", 404, ["customer", "cus_unknown"]),
        ("/customers/%00/subscriptions/tok", 400, ["customer_id"]),
        ("/customers/%ED%A0%80", 404, ["customer"]),
    ],
)
async def test_bad_or_unknown_path_values(sandbox, path, status, words):
    async with sandbox.client(sandbox.tokens[0]) as client:
        response = await client.get(path)
    assert response.status_code == status, response.text
    for word in words:
        assert word in response.json()["message"]


async def test_unknown_subscription_of_a_known_customer_is_404(sandbox):
    async with sandbox.client(sandbox.tokens[0]) as client:
        customer = (await client.get("/customers")).json()["data"][0]["id"]
        response = await client.get(f"/customers/{customer}/subscriptions/nope")
    assert response.status_code == 404
    assert "nope" in response.json()["message"]


BODY_CASES = [
    # (content type, raw body, status, words)
    (FORM, "event=customer.deleted&target_url=https://example.com/x", 400, ["event"]),
    (FORM, "event=&target_url=https://example.com/x", 400, ["event"]),
    (FORM, "target_url=https://example.com/x", 400, ["event"]),
    (FORM, "event=customer.created", 400, ["target_url"]),
    (FORM, "event=customer.created&target_url=ftp://example.com/x", 400, ["target_url"]),
    (FORM, "event=customer.created&target_url=not a url", 400, ["target_url"]),
    (FORM, "event=customer.created&target_url=https://", 400, ["target_url"]),
    (FORM, "event=customer.created&target_url=javascript:alert(1)", 400, ["target_url"]),
    (FORM, "event=customer.created&target_url=https://ex.com/" + "a" * 2100, 400, ["target_url"]),
    (FORM, "event=customer.created&event=invoice.paid&target_url=https://e.com", 400, ["event"]),
    (FORM, "event=customer.created&target_url=https://e.com/%FF", 400, ["form"]),
    (FORM, "event=customer.created&target_url=https://e.com/a%25zz", 400, ["target_url"]),
    (
        "application/json",
        '{"event": "invoice.paid", "target_url": "https://y/a?%\'6"}',
        400,
        ["target_url"],
    ),
    (FORM, "event=customer.created&&&target_url", 400, ["form"]),
    (FORM, "", 400, ["event"]),
    (None, "", 400, ["body"]),
    ("application/json", "", 400, ["JSON"]),
    ("application/json", "{", 400, ["JSON"]),
    ("application/json", "[]", 400, ["object"]),
    ("application/json", "null", 400, ["object"]),
    ("application/json", '"event"', 400, ["object"]),
    ("application/json", '{"event": "customer.created", "target_url": NaN}', 400, ["JSON"]),
    ("application/json", '{"event": 5, "target_url": "https://e.com"}', 400, ["event"]),
    ("application/json", '{"event": "customer.created", "target_url": ["x"]}', 400, ["target_url"]),
    ("application/json", "[" * 5000 + "]" * 5000, 400, ["JSON"]),
    ("application/json", b'{"event": "\xff"}', 400, ["JSON"]),
    ("text/plain", "event=customer.created", 415, ["text/plain"]),
    ("application/xml", "<x/>", 415, ["application/xml"]),
    ("multipart/form-data; boundary=x", "--x--", 415, ["multipart/form-data"]),
    (None, "event=customer.created&target_url=https://e.com", 415, ["Content-Type"]),
]


@pytest.mark.parametrize("content_type,raw,status,words", BODY_CASES)
async def test_bad_create_bodies(sandbox, content_type, raw, status, words):
    headers = {"Content-Type": content_type} if content_type else {}
    content = raw if isinstance(raw, bytes) else raw.encode()
    async with sandbox.client(sandbox.tokens[0]) as client:
        response = await client.post("/resource_subscriptions", content=content, headers=headers)
        assert response.status_code == status, response.text
        message = response.json()["message"]
        for word in words:
            assert word in message, message
        listed = (await client.get("/resource_subscriptions", params={"limit": 100})).json()
    assert listed["count"] == 1  # only the seeded one: nothing was created


@pytest.mark.parametrize("send_length", [True, False])
async def test_oversized_bodies_are_413(sandbox, send_length):
    body = json.dumps({**GOOD, "padding": "x" * 70000}).encode()

    async def chunks():
        for i in range(0, len(body), 4096):
            yield body[i : i + 4096]

    async with sandbox.client(sandbox.tokens[0]) as client:
        kwargs = {"content": body} if send_length else {"content": chunks()}
        response = await client.post(
            "/resource_subscriptions", headers={"Content-Type": "application/json"}, **kwargs
        )
    assert response.status_code == 413
    assert "65536" in response.json()["message"]


async def test_bad_content_length_is_400(sandbox):
    async with sandbox.client(sandbox.tokens[0]) as client:
        response = await client.post(
            "/resource_subscriptions",
            content=b"{}",
            headers={"Content-Type": "application/json", "Content-Length": "abc"},
        )
    assert response.status_code == 400 and "Content-Length" in response.json()["message"]


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:9000/hook",
        "http://localhost/hook",
        "http://api.localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.1/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://0.0.0.0/hook",
    ],
)
async def test_private_targets_are_refused_without_the_allow_flag(make_sandbox, target):
    box = make_sandbox(accounts=1, allow_private_targets=False)
    async with box.client(box.tokens[0]) as client:
        response = await client.post(
            "/resource_subscriptions", data={"event": "customer.created", "target_url": target}
        )
    assert response.status_code == 400
    assert "target_url" in response.json()["message"]


async def test_good_creates_in_both_encodings(sandbox):
    async with sandbox.client(sandbox.tokens[0]) as client:
        form = await client.post("/resource_subscriptions", data=GOOD)
        as_json = await client.post(
            "/resource_subscriptions", json={**GOOD, "event": "invoice.paid", "extra": 1}
        )
        extras = await client.post(
            "/resource_subscriptions",
            content=b"x=1&x=2&%C2%97=&event=invoice.paid&target_url=https%3A%2F%2Fexample.com",
            headers={"Content-Type": FORM},
        )
        charset = await client.post(
            "/resource_subscriptions",
            content=b"event=subscription.created&target_url=http%3A%2F%2Fexample.com%2Fa%3Fb%3D1",
            headers={"Content-Type": f"{FORM}; charset=utf-8"},
        )
    for response in (form, as_json, extras, charset):
        assert response.status_code == 200, response.text
    assert form.json()["event"] == "customer.created"
    assert as_json.json()["event"] == "invoice.paid"
    assert charset.json()["target_url"] == "http://example.com/a?b=1"
    assert form.json()["api_version"] == "04-09-2014"
    assert form.json()["id"].startswith("rs_")
