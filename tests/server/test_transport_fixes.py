"""Proxy headers (only the trusted proxy's own, rightmost X-Forwarded-Proto counts), HSTS with
--require-https, HEAD wherever GET works, and an aborted upload logged as one info line."""

from __future__ import annotations

import base64
import logging
import socket
import time

import httpx
import pytest

from spaces_toolkit.server.app import create_app
from spaces_toolkit.server.run.embedded import serve_in_thread
from spaces_toolkit.server.settings import Settings
from spaces_toolkit.server.storage.database import open_database
from spaces_toolkit.server.storage.repo.accounts import create_account
from spaces_toolkit.spec import load_spec

GET_PATHS = [p for p, item in load_spec()["paths"].items() if "get" in item and "{" not in p]


@pytest.mark.parametrize(
    ("forwarded", "status"),
    [
        (["https"], 200),
        (["http"], 400),
        (["https, http"], 400),  # the client claimed https; the proxy saw plain http
        (["http, https"], 200),  # the proxy's own (last) entry says https
        (["https", "http"], 400),  # repeated header lines: the last one is the proxy's
        (["https,"], 400),
    ],
)
async def test_only_the_trusted_proxys_rightmost_forwarded_proto_counts(
    make_sandbox, forwarded, status
):
    box = make_sandbox(accounts=1, require_https=True, trusted_proxies=("127.0.0.1",))
    headers = [("X-Forwarded-Proto", value) for value in forwarded]
    async with box.client(box.tokens[0]) as client:
        response = await client.get("/account", headers=headers)
    assert response.status_code == status
    assert ("strict-transport-security" in response.headers) == (status == 200)


async def test_hsts_on_https_answers_with_require_https_only(make_sandbox):
    strict = make_sandbox(accounts=1, require_https=True)
    async with strict.client(strict.tokens[0], base_url="https://testserver/api/v1") as client:
        response = await client.get("/account")
        assert response.status_code == 200
        assert response.headers["strict-transport-security"] == "max-age=31536000"
        missing = await client.get("/customers/cus_nope")
        assert missing.status_code == 404 and "strict-transport-security" in missing.headers
    relaxed = make_sandbox(accounts=1, name="relaxed.db")
    async with relaxed.client(relaxed.tokens[0], base_url="https://testserver/api/v1") as client:
        assert "strict-transport-security" not in (await client.get("/account")).headers


@pytest.mark.parametrize("path", GET_PATHS)
async def test_head_wherever_get_works(sandbox, path):
    async with sandbox.client(sandbox.tokens[0]) as client:
        get = await client.get(path)
        head = await client.head(path)
    assert get.status_code == head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert int(head.headers["content-length"]) == len(get.content)


async def test_head_outside_the_api_and_allow_lists_head(sandbox):
    async with sandbox.client(sandbox.tokens[0]) as client:
        spec = await client.head("http://testserver/openapi.json")
        assert spec.status_code == 200 and spec.content == b""
        refused = await client.delete("/customers")
    assert refused.status_code == 405
    assert {m.strip() for m in refused.headers["allow"].split(",")} == {"GET", "HEAD"}


def test_an_aborted_upload_is_one_info_line(tmp_path, caplog):
    db_path = tmp_path / "spaces.db"
    db = open_database(db_path)
    _, token = create_account(db)
    db.close()
    auth = base64.b64encode(f"{token}:".encode())
    app = create_app(Settings(db_path=db_path, run_delivery_worker=False))
    with caplog.at_level(logging.INFO), serve_in_thread(app) as root:
        port = int(root.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(
                b"POST /api/v1/resource_subscriptions HTTP/1.1\r\nHost: x\r\n"
                b"Authorization: Basic " + auth + b"\r\nContent-Type: application/json\r\n"
                b'Content-Length: 500\r\n\r\n{"event": '
            )
            time.sleep(0.3)
        time.sleep(0.3)  # the server notices the hang-up
        assert httpx.get(f"{root}/api/v1/account", auth=(token, "")).status_code == 200
    mentions = [r for r in caplog.records if "disconnected" in r.getMessage()]
    assert [(r.levelno, r.exc_info) for r in mentions] == [(logging.INFO, None)]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
