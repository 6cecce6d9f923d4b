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
