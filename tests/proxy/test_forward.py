"""The proxy forwards every request as it came and every answer as it comes: bytes, headers,
streaming, keep-alive; an unreachable upstream is a 502 with a JSON message, not a hang."""

from __future__ import annotations

import gzip
import json
import socket
import time

import httpx
import pytest

from spaces_toolkit.proxy.run import proxy_in_thread
from spaces_toolkit.server.run.embedded import serve_in_thread

CHUNKS = [b"first,", b"second,", b"third"]


async def echo(scope, receive, send):
    """An upstream that answers with what it received (and streams or compresses on demand)."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    path = scope["path"]
    if path == "/openapi.json":  # serve_in_thread's readiness probe
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})
    elif path.endswith("/stream"):
        headers = [(b"content-type", b"text/plain"), (b"x-custom", b"Kept As Is")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        for chunk in CHUNKS:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    elif path.endswith("/gzip"):
        data = gzip.compress(b'{"compressed": true}')
        headers = [
            (b"content-type", b"application/json"),
            (b"content-encoding", b"gzip"),
            (b"content-length", str(len(data)).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": data})
    else:
        seen = {
            "method": scope["method"],
            "raw_path": scope["raw_path"].decode("latin-1"),
            "query": scope["query_string"].decode("latin-1"),
            "headers": [[k.decode("latin-1"), v.decode("latin-1")] for k, v in scope["headers"]],
            "body": body.decode("latin-1"),
            "client_port": scope["client"][1],
        }
        data = json.dumps(seen).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"set-cookie", b"a=1"),
            (b"set-cookie", b"b=2"),
        ]
        await send({"type": "http.response.start", "status": 299, "headers": headers})
        await send({"type": "http.response.body", "body": data})


@pytest.fixture(scope="module")
def proxied():
    with serve_in_thread(echo) as root, proxy_in_thread(root + "/api/v1") as proxy:
        yield root, proxy


def test_request_reaches_the_upstream_unchanged(proxied):
    root, proxy = proxied
    body = bytes(range(256)) * 4  # every byte value, not UTF-8
    target = "/api/v1/odd%20path/%C3%A9?b=2&a=1&a=%2F&empty="
    response = httpx.post(
        proxy.root + target,
        content=body,
        headers={"Content-Type": "application/octet-stream", "X-Trace": "Mixed Case Value"},
    )
    assert response.status_code == 299
    seen = response.json()
    assert seen["method"] == "POST"
    assert seen["raw_path"] + "?" + seen["query"] == target  # percent-encoding and order kept
    assert seen["body"].encode("latin-1") == body
    headers = dict(seen["headers"])
    assert headers["x-trace"] == "Mixed Case Value"
    assert headers["content-length"] == str(len(body))
    assert headers["host"] == root.removeprefix("http://")  # Host names the upstream
    assert response.headers.get_list("set-cookie") == ["a=1", "b=2"]  # repeated headers kept


def test_chunked_request_body_is_streamed(proxied):
    _, proxy = proxied

    def parts():
        yield b"one "
        yield b"two "
        yield b"three"

    response = httpx.put(proxy.url + "/chunked", content=parts())
    seen = response.json()
    assert seen["body"] == "one two three"
    assert dict(seen["headers"]).get("transfer-encoding") == "chunked"


def test_streamed_answer_arrives_in_its_chunks(proxied):
    _, proxy = proxied
    with httpx.stream("GET", proxy.url + "/stream") as response:
        assert response.headers["x-custom"] == "Kept As Is"
        assert response.headers["transfer-encoding"] == "chunked"
        assert b"".join(response.iter_raw()) == b"".join(CHUNKS)


def test_compressed_answer_is_not_decoded_on_the_way(proxied):
    _, proxy = proxied
    with httpx.stream("GET", proxy.url + "/gzip") as response:
        raw = b"".join(response.iter_raw())
    assert response.headers["content-encoding"] == "gzip"
    assert gzip.decompress(raw) == b'{"compressed": true}'


def test_upstream_connections_are_kept_alive(proxied):
    _, proxy = proxied
    with httpx.Client() as client:
        ports = {client.get(proxy.url + "/again").json()["client_port"] for _ in range(5)}
    assert len(ports) == 1  # five requests, one upstream connection


def test_hop_by_hop_headers_stay_on_their_hop(proxied):
    _, proxy = proxied
    response = httpx.get(
        proxy.url + "/hop", headers={"Connection": "keep-alive, X-Hop", "TE": "trailers"}
    )
    names = {k for k, _ in response.json()["headers"]}
    assert "te" not in names and "connection" not in names


def test_unreachable_upstream_is_a_502_with_a_message():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, not listening: connections are refused
        with proxy_in_thread(f"http://127.0.0.1:{port}/api/v1") as proxy:
            response = httpx.get(proxy.url + "/customers")
    assert response.status_code == 502
    assert "did not answer" in response.json()["message"]
    # The server's failure (as the suite counts a request never answered), not "could not run".
    (violation,) = proxy.session.violations
    assert (violation.check, violation.party, violation.grade) == ("no_answer", "server", "failure")
    assert proxy.session.exit_code == 1 and proxy.session.errors == []


def test_head_answer_has_no_body_and_the_connection_goes_on(proxied):
    _, proxy = proxied
    with httpx.Client() as client:
        head = client.head(proxy.url + "/gzip")  # Content-Length announced, no body follows
        assert head.status_code == 200 and head.content == b""
        assert int(head.headers["content-length"]) > 0
        after = client.get(proxy.url + "/gzip")  # the same upstream connection, next answer
    assert after.json() == {"compressed": True}


class RawUpstream:
    """An HTTP/1.1 server on a bare socket that answers each request with the next canned
    answer, then closes the connection if told to (what uvicorn never does: bodies framed by
    the end of the connection, keep-alive connections closed while idle)."""

    def __init__(self, answers: list[tuple[bytes, bool]]) -> None:
        import threading

        self.answers = list(answers)  # (raw answer, close after it)
        self.connections = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/api/v1"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while self.answers:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                while self.answers:
                    data = b""
                    while b"\r\n\r\n" not in data:
                        chunk = conn.recv(65536)
                        if not chunk:
                            break
                        data += chunk
                    if not data:
                        break
                    answer, close = self.answers.pop(0)
                    conn.sendall(answer)
                    if close:
                        break

    def close(self) -> None:
        self.sock.close()


def test_answer_framed_by_the_end_of_the_connection_is_forwarded_whole():
    body = b'{"until": "close"}' * 100
    upstream = RawUpstream(
        [(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n" + body, True)]
    )
    with proxy_in_thread(upstream.url) as proxy:
        response = httpx.get(proxy.url + "/x")
    upstream.close()
    assert response.status_code == 200 and response.content == body


def test_a_kept_alive_connection_the_upstream_closed_is_replaced():
    ok = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"
    # the first connection answers once, then the upstream closes it while the proxy keeps it
    upstream = RawUpstream([(ok, True), (ok, False)])
    with proxy_in_thread(upstream.url) as proxy, httpx.Client() as client:
        first = client.get(proxy.url + "/a")
        time.sleep(0.2)  # the close reaches the proxy's pool (or not: either way, no 502)
        second = client.get(proxy.url + "/b")
    upstream.close()
    assert (first.status_code, second.status_code) == (200, 200)
    assert proxy.session.errors == [] and upstream.connections == 2
