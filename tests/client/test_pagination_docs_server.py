"""The generated client against a server that follows the docs rather than the spec's choices
(spec/NOTES.md 14): subscriptions carry their documented `token` and no `id` and page by it;
events carry no `id` at all. The reference server runs for real (SQLite, loopback HTTP); an
ASGI layer in front of it makes it answer the docs' way."""

from __future__ import annotations

import json
import warnings
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from spaces_client import PaginationWarning, SpacesClient

from spaces_toolkit.server.run.embedded import run_embedded

ASGIApp = Any


class DocsReading:
    """Wraps the reference server: listed subscriptions lose `id` and page by `token`, listed
    events lose `id` (so their list has no usable cursor)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.token_to_id: dict[str, str] = {}
        self.cursors_seen: list[str] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        strip = scope["type"] == "http" and (
            path.endswith("/subscriptions") or path.endswith("/events")
        )
        if not strip:
            await self.app(scope, receive, send)
            return
        if path.endswith("/subscriptions"):
            scope = dict(scope, query_string=self._ids_for_tokens(scope["query_string"]))
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    body = self._rewrite(b"".join(chunks), start.get("status", 500))
                    headers = [
                        (k, v)
                        for k, v in start.get("headers", [])
                        if k.lower() != b"content-length"
                    ]
                    headers.append((b"content-length", str(len(body)).encode()))
                    await send(dict(start, headers=headers))
                    await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, capture)

    def _ids_for_tokens(self, query_string: bytes) -> bytes:
        pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
        out = []
        for name, value in pairs:
            if name in ("starting_after", "starting_before"):
                self.cursors_seen.append(value)
                value = self.token_to_id.get(value, value)
            out.append((name, value))
        return urlencode(out).encode("latin-1")

    def _rewrite(self, raw: bytes, status: int) -> bytes:
        if status != 200:
            return raw
        body = json.loads(raw)
        for item in body.get("data", []):
            ident = item.pop("id", None)
            if item.get("object") == "subscription" and ident is not None:
                assert self.token_to_id.setdefault(item["token"], ident) == ident
        return json.dumps(body).encode()


@pytest.fixture(scope="module")
def docs_server(tmp_path_factory):
    layers: list[DocsReading] = []

    def wrap(app: ASGIApp) -> ASGIApp:
        layers.append(DocsReading(app))
        return layers[0]

    db = tmp_path_factory.mktemp("docs-reading") / "spaces.db"
    with run_embedded(db, seed_customers=12, wrap=wrap) as server:
        yield server, layers[0]


@pytest.fixture()
def client(docs_server):
    server, _ = docs_server
    with SpacesClient(server.tokens[0], base_url=server.base_url, max_retries=0) as c:
        yield c


def test_subscriptions_list_pages_by_token(docs_server, client):
    _, layer = docs_server
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no PaginationWarning, no PaginationError
        walked = [s.token for s in client.subscriptions.list(limit=2)]
    assert all(s.id is None for s in client.subscriptions.list(limit=2).data)
    everything = client.subscriptions.list(limit=100)
    assert not everything.has_more
    assert walked == [s.token for s in everything.data]
    assert len(walked) > 4 and len(set(walked)) == len(walked)
    assert set(layer.cursors_seen) <= set(walked)  # the cursors sent were tokens


def test_subscriptions_walk_backwards_by_token(client):
    forward = [s.token for s in client.subscriptions.list(limit=100)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        backward = [
            s.token for s in client.subscriptions.list(limit=2, starting_before=forward[-1])
        ]
    assert sorted(backward) == sorted(forward[:-1])


def test_a_list_without_any_cursor_stops_after_the_first_page_with_a_warning(client):
    first = client.events.list(limit=2)
    assert first.has_more and all(e.id is None for e in first.data)
    with pytest.warns(PaginationWarning, match="no `id`"):
        walked = list(first)
    assert len(walked) == 2
