"""The request path's own shortcuts around httpx give what httpx itself would: the query string
the client encodes, and the cookie store of an httpx client the client creates."""

from __future__ import annotations

import http.cookiejar
from typing import Any

import httpx
import pytest
from spaces_client import AsyncSpacesClient, SpacesClient
from spaces_client._base_client import owned_cookie_store
from spaces_client.models import EventType

from .conftest import TOKEN, Recorder, customer, page, sync_client

QUERIES: list[dict[str, Any]] = [
    {"limit": 100},
    {"limit": 1, "starting_after": "cus_a b&c=d+e/f?g#h%"},
    {"flag": True, "off": False, "ratio": 0.5, "name": "Zoë 東京", "empty": ""},
    {
        "types": ["invoice.paid", "customer.created"],
        "pair": ("a", 1),
        "kind": EventType.invoice_paid,
    },
]


@pytest.mark.parametrize("extra_query", QUERIES)
def test_the_url_is_the_one_httpx_builds_from_the_same_params(extra_query: dict[str, Any]) -> None:
    recorder = Recorder(lambda r: httpx.Response(200, json=page([customer(1)])))
    client = sync_client(recorder, default_query={"lang": "de", "unset": None})
    client.customers.list(limit=5, extra_query=extra_query)
    sent = recorder.requests[0].url
    plain = {k: v.value if isinstance(v, EventType) else v for k, v in extra_query.items()}
    expected = httpx.Request(
        "GET",
        "https://spaces.pe/api/v1/customers",
        params={"lang": "de", "unset": None, "limit": 5, **plain},
    ).url
    assert sent == expected
    assert sent.raw_path == expected.raw_path


def test_params_of_a_client_passed_in_are_merged_by_httpx_as_before() -> None:
    recorder = Recorder(lambda r: httpx.Response(200, json=page([customer(1)])))
    http_client = httpx.Client(
        transport=httpx.MockTransport(recorder), params={"tenant": "t1", "limit": 7}
    )
    client = SpacesClient(TOKEN, http_client=http_client)
    client.customers.list(limit=5)
    # httpx merges the client's own params first, then the request's, which win.
    assert recorder.requests[0].url.params.multi_items() == [("tenant", "t1"), ("limit", "5")]


def _counting_jar(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = http.cookiejar.CookieJar.extract_cookies

    def counting(self: http.cookiejar.CookieJar, response: Any, request: Any) -> None:
        calls.append(1)
        real(self, response, request)

    monkeypatch.setattr(http.cookiejar.CookieJar, "extract_cookies", counting)
    return calls


def test_the_owned_store_reads_cookies_only_from_responses_that_set_some(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _counting_jar(monkeypatch)
    answers = [
        httpx.Response(200, json={}),
        httpx.Response(200, json={}, headers={"Set-Cookie": "session=abc; Path=/"}),
        httpx.Response(200, json={}),
    ]
    recorder = Recorder(answers)  # type: ignore[arg-type]
    with httpx.Client(transport=httpx.MockTransport(recorder)) as http_client:
        owned_cookie_store(http_client)
        for _ in range(3):
            http_client.get("https://spaces.pe/api/v1/account")
        assert calls == [1]  # only the response with Set-Cookie went through the cookie jar
        assert http_client.cookies.get("session") == "abc"
    # The cookie it kept is sent as before: on the request after it.
    assert "cookie" not in recorder.requests[1].headers
    assert recorder.requests[2].headers["cookie"] == "session=abc"


def test_clients_the_client_creates_get_the_store_and_clients_passed_in_keep_theirs() -> None:
    with SpacesClient(TOKEN, base_url="http://127.0.0.1:9/api/v1") as owned:
        assert type(owned._http_client.cookies).__name__ == "_CookieStore"
    async_owned = AsyncSpacesClient(TOKEN, base_url="http://127.0.0.1:9/api/v1")
    assert type(async_owned._http_client.cookies).__name__ == "_CookieStore"
    passed = httpx.Client()
    with SpacesClient(TOKEN, http_client=passed):
        assert type(passed.cookies) is httpx.Cookies
    passed.close()


# A client this client creates sends straight to its httpx client's transport (`_dispatch`). The
# tests give that path a MockTransport in place of the real one and check that what comes back
# is what httpx's own send gives.

BASE = "https://spaces.pe/api/v1"


def _owned(handler: Any, **kwargs: Any) -> SpacesClient:
    client = SpacesClient(TOKEN, base_url=BASE, max_retries=0, **kwargs)
    assert isinstance(client._direct, httpx.HTTPTransport)  # what it would use: the real one
    client._direct = httpx.MockTransport(handler)
    return client


def _aowned(handler: Any) -> AsyncSpacesClient:
    client = AsyncSpacesClient(TOKEN, base_url=BASE, max_retries=0)
    assert isinstance(client._direct, httpx.AsyncHTTPTransport)
    client._direct = httpx.MockTransport(handler)
    return client


def test_the_direct_path_answers_as_httpx_send_does(caplog: pytest.LogCaptureFixture) -> None:
    recorder = Recorder(lambda r: httpx.Response(200, json=customer(1), headers={"X-A": "1"}))
    client = _owned(recorder)
    with caplog.at_level("INFO", logger="httpx"):
        raw = client.with_raw_response.customers.retrieve("cus_1")
    response = raw.http_response
    assert response.request is recorder.requests[0]
    assert response.is_closed and response.json() == customer(1)
    assert response.headers["x-a"] == "1" and response.http_version == "HTTP/1.1"
    assert response.elapsed.total_seconds() >= 0
    assert raw.parse().id == "cus_1"
    # The request carries the client's headers, as through httpx.Client.send.
    sent = recorder.requests[0].headers
    assert sent["authorization"].startswith("Basic ") and sent["accept"] == "application/json"
    # httpx's own log line for a request it sends, word for word.
    assert [r.getMessage() for r in caplog.records if r.name == "httpx"] == [
        f'HTTP Request: GET {BASE}/customers/cus_1 "HTTP/1.1 200 OK"'
    ]


def test_the_direct_path_keeps_and_sends_cookies() -> None:
    answers = [
        httpx.Response(200, json=customer(1), headers={"Set-Cookie": "s=1; Path=/"}),
        httpx.Response(200, json=customer(1)),
    ]
    recorder = Recorder(answers)  # type: ignore[arg-type]
    client = _owned(recorder)
    client.customers.retrieve("cus_1")
    client.customers.retrieve("cus_1")
    assert "cookie" not in recorder.requests[0].headers
    assert recorder.requests[1].headers["cookie"] == "s=1"


def test_the_direct_path_reports_transport_errors_with_their_request() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    client = _owned(refuse)
    with pytest.raises(Exception) as info:
        client.customers.retrieve("cus_1")
    assert type(info.value).__name__ == "APIConnectionError"
    cause = info.value.__cause__
    assert isinstance(cause, httpx.ConnectError) and cause.request.url.path.endswith("/cus_1")


def test_a_closed_client_refuses_as_httpx_does() -> None:
    client = _owned(lambda r: httpx.Response(200, json=customer(1)))
    client.close()
    with pytest.raises(RuntimeError, match="client has been closed"):
        client.customers.retrieve("cus_1")


def test_event_hooks_send_through_httpx() -> None:
    seen: list[str] = []
    client = _owned(lambda r: httpx.Response(200, json=customer(1)))
    client._direct = httpx.MockTransport(lambda r: httpx.Response(500))  # must not be used
    client._http_client._transport = httpx.MockTransport(
        lambda r: httpx.Response(200, json=customer(1))
    )
    client._http_client.event_hooks["request"].append(lambda r: seen.append(r.url.path))
    assert client.customers.retrieve("cus_1").id == "cus_1"
    assert seen == ["/api/v1/customers/cus_1"]


def test_copies_share_the_direct_path_and_other_clients_have_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = _owned(lambda r: httpx.Response(200, json=customer(1)))
    assert client.with_options(timeout=5.0)._direct is client._direct
    with SpacesClient(TOKEN, http_client=httpx.Client()) as passed:
        assert passed._direct is None
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    with SpacesClient(TOKEN, base_url=BASE) as proxied:  # httpx mounts the proxy: its send
        assert proxied._direct is None


async def test_the_async_direct_path_answers_as_httpx_send_does() -> None:
    answers = [
        httpx.Response(200, json=page([customer(1)]), headers={"Set-Cookie": "s=2"}),
        httpx.Response(200, json=customer(1)),
    ]
    recorder = Recorder(answers)  # type: ignore[arg-type]
    client = _aowned(recorder)
    raw = await client.with_raw_response.customers.list()
    assert raw.http_response.request is recorder.requests[0]
    assert raw.http_response.elapsed.total_seconds() >= 0
    assert [c.id for c in raw.parse().data] == ["cus_1"]
    assert (await client.customers.retrieve("cus_1")).id == "cus_1"
    assert recorder.requests[1].headers["cookie"] == "s=2"
    await client.aclose()
    with pytest.raises(RuntimeError, match="client has been closed"):
        await client.customers.retrieve("cus_1")
