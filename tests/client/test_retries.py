"""Retries: backoff with jitter, Retry-After, which statuses and methods, max_retries."""

from __future__ import annotations

import email.utils
import time

import httpx
import pytest
from spaces_client import (
    APIConnectionError,
    APITimeoutError,
    InternalServerError,
    RateLimitError,
)

from .conftest import Recorder, async_client, customer, page, sync_client


def ok() -> httpx.Response:
    return httpx.Response(200, json=customer(1))


SUBSCRIPTION = {
    "object": "resource_subscription",
    "event": "customer.created",
    "target_url": "https://example.com/hook",
    "api_version": "04-09-2014",
    "created": 1,
}


def test_5xx_is_retried_with_exponential_backoff(sleeps: list[float]) -> None:
    recorder = Recorder([httpx.Response(503), httpx.Response(500), ok()])
    assert sync_client(recorder).customers.retrieve("cus_1").id == "cus_1"
    assert len(recorder.requests) == 3
    # 0.5 s then 1 s, each with up to 25 % jitter taken off
    assert 0.375 <= sleeps[0] <= 0.5 and 0.75 <= sleeps[1] <= 1.0


def test_retry_after_seconds_is_honoured(sleeps: list[float]) -> None:
    recorder = Recorder([httpx.Response(429, headers={"Retry-After": "7"}), ok()])
    sync_client(recorder).customers.retrieve("cus_1")
    assert sleeps == [7.0]


def test_retry_after_http_date_is_honoured(sleeps: list[float]) -> None:
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    recorder = Recorder([httpx.Response(503, headers={"Retry-After": when}), ok()])
    sync_client(recorder).customers.retrieve("cus_1")
    assert 25 <= sleeps[0] <= 31


def test_an_unreasonable_retry_after_falls_back_to_backoff(sleeps: list[float]) -> None:
    recorder = Recorder([httpx.Response(503, headers={"Retry-After": "86400"}), ok()])
    sync_client(recorder).customers.retrieve("cus_1")
    assert sleeps[0] <= 0.5


def test_rate_limit_raises_after_max_retries(sleeps: list[float]) -> None:
    recorder = Recorder(lambda r: httpx.Response(429, json={"message": "slow down"}))
    with pytest.raises(RateLimitError) as caught:
        sync_client(recorder, max_retries=3).customers.retrieve("cus_1")
    assert caught.value.message == "slow down"
    assert len(recorder.requests) == 4 and len(sleeps) == 3


def test_max_retries_zero_turns_retries_off(sleeps: list[float]) -> None:
    recorder = Recorder([httpx.Response(500, json={"message": "boom"}), ok()])
    with pytest.raises(InternalServerError):
        sync_client(recorder, max_retries=0).customers.retrieve("cus_1")
    assert len(recorder.requests) == 1 and sleeps == []


def test_per_request_max_retries(sleeps: list[float]) -> None:
    recorder = Recorder([httpx.Response(500), httpx.Response(500), ok()])
    client = sync_client(recorder, max_retries=0)
    assert client.customers.retrieve("cus_1", max_retries=2).id == "cus_1"
    assert len(recorder.requests) == 3


def test_client_errors_are_not_retried(sleeps: list[float]) -> None:
    recorder = Recorder(lambda r: httpx.Response(404, json={"message": "No such customer"}))
    with pytest.raises(Exception):  # noqa: B017 - the class is tested elsewhere
        sync_client(recorder).customers.retrieve("nope")
    assert len(recorder.requests) == 1 and sleeps == []


def test_a_create_is_not_retried_by_default(sleeps: list[float]) -> None:
    recorder = Recorder([httpx.Response(503), httpx.Response(200, json=SUBSCRIPTION)])
    with pytest.raises(InternalServerError):
        sync_client(recorder).resource_subscriptions.create(
            event="customer.created", target_url="https://example.com/hook"
        )
    assert len(recorder.requests) == 1


def test_a_create_is_retried_when_asked(sleeps: list[float]) -> None:
    recorder = Recorder([httpx.Response(503), httpx.Response(200, json=SUBSCRIPTION)])
    created = sync_client(recorder).resource_subscriptions.create(
        event="customer.created", target_url="https://example.com/hook", max_retries=1
    )
    assert created.target_url == "https://example.com/hook"
    assert len(recorder.requests) == 2


def test_connection_errors_are_retried_then_raised(sleeps: list[float]) -> None:
    recorder = Recorder(lambda r: (_ for _ in ()).throw(httpx.ConnectError("refused")))
    with pytest.raises(APIConnectionError) as caught:
        sync_client(recorder).customers.retrieve("cus_1")
    assert not isinstance(caught.value, APITimeoutError)
    assert len(recorder.requests) == 3 and len(sleeps) == 2


def test_a_timeout_is_retried_then_raised_as_api_timeout(sleeps: list[float]) -> None:
    recorder = Recorder([httpx.ReadTimeout("slow"), ok()])
    assert sync_client(recorder).customers.retrieve("cus_1").id == "cus_1"
    recorder = Recorder(lambda r: (_ for _ in ()).throw(httpx.ReadTimeout("slow")))
    with pytest.raises(APITimeoutError):
        sync_client(recorder, max_retries=1).customers.retrieve("cus_1")
    assert len(recorder.requests) == 2


async def test_async_retries_honour_retry_after(sleeps: list[float]) -> None:
    recorder = Recorder([httpx.Response(503, headers={"Retry-After": "2"}), ok()])
    customer_ = await async_client(recorder).customers.retrieve("cus_1")
    assert customer_.id == "cus_1" and sleeps == [2.0]


async def test_async_create_is_not_retried_by_default(sleeps: list[float]) -> None:
    recorder = Recorder([httpx.Response(502), httpx.Response(200, json=SUBSCRIPTION)])
    with pytest.raises(InternalServerError):
        await async_client(recorder).resource_subscriptions.create(
            event="customer.created", target_url="https://example.com/hook"
        )
    assert len(recorder.requests) == 1


def test_pages_report_the_retries_their_request_took(sleeps: list[float]) -> None:
    answers = [
        httpx.Response(429, headers={"Retry-After": "0"}),
        httpx.Response(200, json=page([customer(1)], has_more=True)),
        httpx.Response(502),
        httpx.Response(500),
        httpx.Response(200, json=page([customer(2)])),
    ]
    pages = list(sync_client(Recorder(answers)).customers.list().iter_pages())
    assert [p.retries_taken for p in pages] == [1, 2]
