"""What goes on the wire: paths, query, bodies, per-request overrides, raw responses."""

from __future__ import annotations

import json

import httpx
import pytest
from spaces_client import APIResponse, SyncPage
from spaces_client.models import Customer, EventType, ResourceSubscription, Subscription

from .conftest import Recorder, async_client, customer, page, sync_client

SUBSCRIPTION = {
    "object": "subscription",
    "token": "sub/1",
    "serial_number": 1,
    "created": 1,
    "status": "active",
    "items": {"data": [], "count": 0},
    "total": 0,
    "currency": "USD",
    "customer": customer(1),
}
RESOURCE_SUBSCRIPTION = {
    "object": "resource_subscription",
    "event": "invoice.paid",
    "target_url": "https://example.com/h",
    "api_version": "04-09-2014",
    "created": 1,
}


def test_path_parameters_are_percent_encoded() -> None:
    recorder = Recorder(lambda r: httpx.Response(200, json=SUBSCRIPTION))
    got = sync_client(recorder).subscriptions.retrieve("cus 1", "sub/1")
    assert isinstance(got, Subscription)
    assert recorder.requests[0].url.raw_path == b"/api/v1/customers/cus%201/subscriptions/sub%2F1"


def test_an_empty_path_parameter_is_refused_before_sending() -> None:
    recorder = Recorder(lambda r: httpx.Response(200, json=customer(1)))
    with pytest.raises(ValueError, match="non-empty value for `id`"):
        sync_client(recorder).customers.retrieve("")
    assert recorder.requests == []


def test_integer_path_parameter() -> None:
    recorder = Recorder(
        lambda r: httpx.Response(200, json={"object": "space", "id": 7, "created": 1, "url": None})
    )
    assert sync_client(recorder).spaces.retrieve(7).id == 7
    assert recorder.requests[0].url.path == "/api/v1/spaces/7"


def test_unset_query_parameters_are_left_out() -> None:
    recorder = Recorder(lambda r: httpx.Response(200, json=page([])))
    sync_client(recorder).invoices.list(limit=5)
    assert dict(recorder.requests[0].url.params) == {"limit": "5"}


def test_create_sends_a_json_body() -> None:
    recorder = Recorder(lambda r: httpx.Response(200, json=RESOURCE_SUBSCRIPTION))
    got = sync_client(recorder).resource_subscriptions.create(
        event="invoice.paid", target_url="https://example.com/h"
    )
    assert isinstance(got, ResourceSubscription) and got.event is EventType.invoice_paid
    request = recorder.requests[0]
    assert request.method == "POST" and request.url.path == "/api/v1/resource_subscriptions"
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {
        "event": "invoice.paid",
        "target_url": "https://example.com/h",
    }


def test_create_accepts_the_enum_member() -> None:
    recorder = Recorder(lambda r: httpx.Response(200, json=RESOURCE_SUBSCRIPTION))
    sync_client(recorder).resource_subscriptions.create(
        event=EventType.invoice_paid, target_url="https://example.com/h"
    )
    assert json.loads(recorder.requests[0].content)["event"] == "invoice.paid"


def test_per_request_timeout_headers_and_query() -> None:
    recorder = Recorder(lambda r: httpx.Response(200, json=customer(1)))
    client = sync_client(recorder)
    client.customers.retrieve(
        "cus_1", timeout=2.5, extra_headers={"X-Trace": "abc"}, extra_query={"expand": "space"}
    )
    request = recorder.requests[0]
    assert request.extensions["timeout"] == {"connect": 2.5, "read": 2.5, "write": 2.5, "pool": 2.5}
    assert request.headers["X-Trace"] == "abc"
    assert request.url.params["expand"] == "space"
    client.customers.retrieve("cus_1")
    assert recorder.requests[1].extensions["timeout"]["connect"] == 5.0  # the client's default


def test_raw_response_access() -> None:
    recorder = Recorder(
        lambda r: httpx.Response(200, json=customer(1), headers={"X-Request-Id": "req_1"})
    )
    raw = sync_client(recorder).with_raw_response.customers.retrieve("cus_1")
    assert isinstance(raw, APIResponse)
    assert raw.status_code == 200 and raw.headers["X-Request-Id"] == "req_1"
    assert raw.json()["id"] == "cus_1"
    parsed = raw.parse()
    assert isinstance(parsed, Customer) and parsed is raw.parse()
    assert "X-Raw-Response" not in recorder.requests[0].headers


def test_raw_response_of_a_list_parses_to_a_page_that_keeps_paging() -> None:
    answers = [
        httpx.Response(200, json=page([customer(1)], has_more=True)),
        httpx.Response(200, json=page([customer(2)])),
    ]
    raw = sync_client(Recorder(answers)).with_raw_response.customers.list()
    first = raw.parse()
    assert isinstance(first, SyncPage)
    assert [c.id for c in first] == ["cus_1", "cus_2"]


async def test_async_raw_response_and_per_request_options() -> None:
    recorder = Recorder(lambda r: httpx.Response(200, json=customer(1)))
    client = async_client(recorder)
    raw = await client.with_raw_response.customers.retrieve("cus_1", extra_headers={"X-A": "1"})
    assert raw.parse().id == "cus_1" and recorder.requests[0].headers["X-A"] == "1"
    raw_page = await client.with_raw_response.customers.list()
    assert raw_page.status_code == 200
