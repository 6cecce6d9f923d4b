"""Default headers and query, with_options copies, the plain-http opt-in, and request ids."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from spaces_client import AsyncSpacesClient, SpacesClient
from spaces_client._metadata import REQUEST_ID_HEADER

from .conftest import Recorder, async_client, customer, page, sync_client

ID_HEADER = REQUEST_ID_HEADER or ""


def test_the_spec_names_a_request_id_header() -> None:
    assert REQUEST_ID_HEADER is not None and REQUEST_ID_HEADER.lower().endswith("request-id")


def _customer_or_page(request: httpx.Request) -> httpx.Response:
    listing = request.url.path.endswith("/customers")
    return httpx.Response(200, json=page([customer(1)]) if listing else customer(1))


def test_default_headers_and_query_go_with_every_request() -> None:
    recorder = Recorder(_customer_or_page)
    client = sync_client(
        recorder, default_headers={"X-Team": "billing"}, default_query={"expand": "space"}
    )
    client.customers.list()
    client.customers.retrieve("cus_1")
    for request in recorder.requests:
        assert request.headers["X-Team"] == "billing"
        assert request.url.params["expand"] == "space"


def test_a_calls_own_values_beat_the_defaults() -> None:
    recorder = Recorder(lambda r: httpx.Response(200, json=page([customer(1)])))
    client = sync_client(recorder, default_headers={"X-Team": "a"}, default_query={"limit": 50})
    client.customers.list(limit=3, extra_headers={"X-Team": "b"})
    client.customers.list()  # limit not given: the default stays
    first, second = recorder.requests
    assert (first.headers["X-Team"], first.url.params["limit"]) == ("b", "3")
    assert (second.headers["X-Team"], second.url.params["limit"]) == ("a", "50")


def test_with_options_merges_defaults_and_leaves_the_original_alone() -> None:
    recorder = Recorder(lambda r: httpx.Response(200, json=customer(1)))
    client = sync_client(recorder, default_headers={"X-A": "1"}, default_query={"q": "x"})
    copy = client.with_options(default_headers={"X-B": "2"}, default_query={"r": "y"})
    assert copy.default_headers == {"X-A": "1", "X-B": "2"}
    assert client.default_headers == {"X-A": "1"} and client.default_query == {"q": "x"}
    copy.customers.retrieve("cus_1")
    client.customers.retrieve("cus_1")
    sent_copy, sent_original = recorder.requests
    assert (sent_copy.headers["X-A"], sent_copy.headers["X-B"]) == ("1", "2")
    assert dict(sent_copy.url.params) == {"q": "x", "r": "y"}
    assert "X-B" not in sent_original.headers and dict(sent_original.url.params) == {"q": "x"}


async def test_async_client_defaults_and_with_options() -> None:
    recorder = Recorder(lambda r: httpx.Response(200, json=customer(1)))
    client = async_client(recorder, default_headers={"X-A": "1"})
    await client.with_options(default_query={"q": "x"}).customers.retrieve("cus_1")
    assert recorder.requests[0].headers["X-A"] == "1"
    assert recorder.requests[0].url.params["q"] == "x"


class _Echo(BaseHTTPRequestHandler):
    """Answers every GET with a customer; records the headers and path it got."""

    seen: list[tuple[str, dict[str, str]]] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        type(self).seen.append((self.path, dict(self.headers.items())))
        body = json.dumps(customer(1)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def echo_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Echo.seen = []
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/v1"
    finally:
        server.shutdown()
        server.server_close()


def test_defaults_reach_the_wire_through_the_clients_own_connection_pool(echo_server: str) -> None:
    # No http_client passed: the standard and default headers live on the owned httpx client.
    with SpacesClient("t", base_url=echo_server, default_headers={"X-Team": "ops"}) as client:
        client.customers.retrieve("cus_1")
        client.with_options(default_headers={"X-Team": "dev"}).customers.retrieve("cus_1")
    (_, first), (_, second) = _Echo.seen
    assert first["X-Team"] == "ops" and second["X-Team"] == "dev"
    assert first["Authorization"].startswith("Basic ") and first["Accept"] == "application/json"


@pytest.mark.parametrize("url", ["http://sandbox:8000/api/v1", "http://10.0.0.1/api"])
def test_plain_http_to_another_host_needs_an_explicit_opt_in(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ValueError, match="allow_http=True"):
        SpacesClient("t", base_url=url)
    assert SpacesClient("t", base_url=url, allow_http=True).base_url == url
    assert AsyncSpacesClient("t", base_url=url, allow_http=True).base_url == url
    monkeypatch.setenv("SPACES_ALLOW_HTTP", "1")
    client = SpacesClient("t", base_url=url)
    assert client.base_url == url and client.allow_http
    assert client.with_options(timeout=1.0).allow_http  # the copy keeps the opt-in
    with pytest.raises(ValueError, match="refusing plain http"):
        SpacesClient("t", base_url=url, allow_http=False)  # the argument beats the environment


def test_the_opt_in_does_not_allow_other_schemes() -> None:
    with pytest.raises(ValueError, match="absolute https"):
        SpacesClient("t", base_url="ftp://sandbox/api", allow_http=True)


def test_request_id_on_raw_responses_and_pages() -> None:
    answers = [
        httpx.Response(200, json=customer(1), headers={ID_HEADER: "req_a"}),
        httpx.Response(200, json=page([customer(1)], has_more=True), headers={ID_HEADER: "req_b"}),
        httpx.Response(200, json=page([customer(2)]), headers={ID_HEADER: "req_c"}),
        httpx.Response(200, json=customer(1)),
    ]
    client = sync_client(Recorder(answers))
    assert client.with_raw_response.customers.retrieve("cus_1").request_id == "req_a"
    first = client.customers.list()
    assert first.request_id == "req_b" and first.get_next_page().request_id == "req_c"
    assert first.retries_taken == 0
    assert client.with_raw_response.customers.retrieve("cus_1").request_id is None


async def test_async_pages_carry_the_request_id() -> None:
    recorder = Recorder(
        lambda r: httpx.Response(200, json=page([customer(1)]), headers={ID_HEADER: "req_z"})
    )
    assert (await async_client(recorder).customers.list()).request_id == "req_z"
