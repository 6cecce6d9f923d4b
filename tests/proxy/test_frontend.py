"""The proxy's client-facing side, on the wire: keep-alive, pipelined requests answered in order,
HTTP/1.0 clients, `Expect: 100-continue`, and bad input answered with a JSON 400 (or 431), never
a traceback or a hang."""

from __future__ import annotations

import json
import socket

import pytest

from spaces_toolkit.proxy.frontend import MAX_HEAD
from spaces_toolkit.proxy.run import proxy_in_thread
from spaces_toolkit.server.run.embedded import serve_in_thread
from tests.proxy.test_forward import echo


@pytest.fixture(scope="module")
def proxy():
    with serve_in_thread(echo) as root, proxy_in_thread(root + "/api/v1") as running:
        yield running


def _connect(proxy) -> socket.socket:
    port = int(proxy.root.rsplit(":", 1)[1])
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    return sock


def _read_answer(sock: socket.socket, buffer: bytearray) -> tuple[bytes, dict[str, str], bytes]:
    """One answer off the socket (Content-Length, chunked, or until the end)."""
    while b"\r\n\r\n" not in buffer:
        data = sock.recv(65536)
        if not data:
            raise AssertionError(f"connection closed mid-answer: {bytes(buffer)!r}")
        buffer += data
    head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
    del buffer[:]
    buffer += rest
    status, *lines = head.split(b"\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        size = int(headers["content-length"])
        while len(buffer) < size:
            buffer += sock.recv(65536)
        body = bytes(buffer[:size])
        del buffer[:size]
    elif headers.get("transfer-encoding") == "chunked":
        body = b""
        while True:
            while b"\r\n" not in buffer:
                buffer += sock.recv(65536)
            line, _, _ = bytes(buffer).partition(b"\r\n")
            size = int(line, 16)
            while len(buffer) < len(line) + 2 + size + 2:
                buffer += sock.recv(65536)
            body += bytes(buffer[len(line) + 2 : len(line) + 2 + size])
            del buffer[: len(line) + 2 + size + 2]
            if size == 0:
                break
    else:
        while data := sock.recv(65536):
            buffer += data
        body = bytes(buffer)
        del buffer[:]
    return status, headers, body


def _closed(sock: socket.socket) -> bool:
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def test_pipelined_requests_are_answered_in_order_on_one_connection(proxy):
    with _connect(proxy) as sock:
        sock.sendall(
            b"GET /api/v1/first HTTP/1.1\r\nHost: x\r\n\r\n"
            b"POST /api/v1/second HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
            b"GET /api/v1/third?q=1 HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        buffer = bytearray()
        answers = [_read_answer(sock, buffer) for _ in range(3)]
        # and the connection goes on afterwards
        sock.sendall(b"GET /api/v1/fourth HTTP/1.1\r\nHost: x\r\n\r\n")
        answers.append(_read_answer(sock, buffer))
    seen = [json.loads(body) for _, _, body in answers]
    assert [s["raw_path"] for s in seen] == [
        "/api/v1/first",
        "/api/v1/second",
        "/api/v1/third",
        "/api/v1/fourth",
    ]
    assert seen[1]["body"] == "abc" and seen[2]["query"] == "q=1"
    assert all(status.startswith(b"HTTP/1.1 299") for status, _, _ in answers)


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"NOT HTTP AT ALL\r\n\r\n",
        b"GET /api/v1/x HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n",
        b"GET /api/v1/x HTTP/1.1\r\nBad Header Line\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(32),  # TLS to a plain port
    ],
    ids=["garbage", "bad-length", "bad-header", "tls-hello"],
)
def test_a_malformed_request_is_a_json_400_and_the_connection_closes(proxy, request_bytes):
    with _connect(proxy) as sock:
        sock.sendall(request_bytes)
        status, headers, body = _read_answer(sock, bytearray())
        assert status.startswith(b"HTTP/1.1 400")
        assert headers["content-type"] == "application/json"
        assert headers["connection"] == "close"
        assert json.loads(body)["message"].startswith("spaces proxy: malformed request")
        assert _closed(sock)


def test_a_malformed_request_after_a_good_one_is_refused_after_its_answer(proxy):
    with _connect(proxy) as sock:
        sock.sendall(b"GET /api/v1/good HTTP/1.1\r\nHost: x\r\n\r\nBROKEN\r\n\r\n")
        buffer = bytearray()
        first = _read_answer(sock, buffer)
        second = _read_answer(sock, buffer)
    assert first[0].startswith(b"HTTP/1.1 299") and json.loads(first[2])["raw_path"].endswith(
        "good"
    )
    assert second[0].startswith(b"HTTP/1.1 400")


def test_a_broken_chunked_body_is_a_400_not_a_truncated_request(proxy):
    with _connect(proxy) as sock:
        sock.sendall(
            b"POST /api/v1/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"3\r\nabc\r\nZZZ\r\n"
        )
        status, _, body = _read_answer(sock, bytearray())
        assert status.startswith(b"HTTP/1.1 400"), body
        assert "malformed request" in json.loads(body)["message"]
        assert _closed(sock)


def test_a_head_too_large_is_a_431(proxy):
    with _connect(proxy) as sock:
        sock.sendall(b"GET /api/v1/x HTTP/1.1\r\nX-Big: " + b"a" * (MAX_HEAD + 10) + b"\r\n\r\n")
        status, _, body = _read_answer(sock, bytearray())
    assert status.startswith(b"HTTP/1.1 431")
    assert json.loads(body)["message"] == "spaces proxy: request head too large"


def test_an_http_1_0_client_gets_no_chunks_and_the_connection_closes(proxy):
    with _connect(proxy) as sock:
        sock.sendall(b"GET /api/v1/stream HTTP/1.0\r\n\r\n")
        status, headers, body = _read_answer(sock, bytearray())
    assert status.startswith(b"HTTP/1.1 200")
    assert "transfer-encoding" not in headers and headers["connection"] == "close"
    assert body == b"first,second,third"


def test_an_http_1_0_client_asking_for_keep_alive_keeps_its_connection(proxy):
    with _connect(proxy) as sock:
        buffer = bytearray()
        for _ in range(2):
            sock.sendall(b"GET /api/v1/gzip HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            status, headers, _ = _read_answer(sock, buffer)
            assert status.startswith(b"HTTP/1.1 200")
            assert headers["connection"] == "keep-alive"


def test_expect_100_continue_is_answered_before_the_body_is_sent(proxy):
    with _connect(proxy) as sock:
        sock.sendall(
            b"PUT /api/v1/upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
            b"Expect: 100-continue\r\n\r\n"
        )
        interim = sock.recv(65536)
        assert interim.startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
        sock.sendall(b"hello")
        buffer = bytearray(interim[len(b"HTTP/1.1 100 Continue\r\n\r\n") :])
        status, _, body = _read_answer(sock, buffer)
    assert status.startswith(b"HTTP/1.1 299") and json.loads(body)["body"] == "hello"


def test_a_client_that_leaves_mid_body_costs_nothing_else(proxy):
    with _connect(proxy) as sock:
        sock.sendall(b"POST /api/v1/x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\npartial")
    # the proxy goes on serving others
    with _connect(proxy) as sock:
        sock.sendall(b"GET /api/v1/after HTTP/1.1\r\nHost: x\r\n\r\n")
        status, _, _ = _read_answer(sock, bytearray())
    assert status.startswith(b"HTTP/1.1 299")


def test_a_fault_of_the_proxy_itself_is_a_502_and_an_error_not_a_hang(monkeypatch):
    from spaces_toolkit.proxy import forward

    async def broken(self, request, client):
        raise RuntimeError("a bug")

    with serve_in_thread(echo) as root, proxy_in_thread(root + "/api/v1") as running:
        monkeypatch.setattr(forward.Forwarder, "forward", broken)
        with _connect(running) as sock:
            sock.sendall(b"GET /api/v1/x HTTP/1.1\r\nHost: x\r\n\r\n")
            status, headers, body = _read_answer(sock, bytearray())
            assert _closed(sock)
    assert status.startswith(b"HTTP/1.1 502") and headers["connection"] == "close"
    assert json.loads(body)["message"] == "spaces proxy: internal error: RuntimeError: a bug"
    assert running.session.errors == ["GET /api/v1/x: RuntimeError: a bug"]
    assert running.session.exit_code == 2
