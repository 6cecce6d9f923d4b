"""`spaces listen` verifies once and forwards what it verified: an exact replay is refused, only
the signed headers and Spaces-* headers rebuilt from the verified body reach the app, and a body
is read with a cap and a deadline (a bad Content-Length is a 400, never a crash)."""

from __future__ import annotations

import io
import json
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from spaces_toolkit.server.signing import new_secret, signed_headers
from spaces_toolkit.webhooks import listen as listen_module
from spaces_toolkit.webhooks.listen import ListenConfig, ReplayMemory

from .receivers import RecordingApp

SECRET = new_secret()


class _NoRemoval:
    def unsubscribe(self, rs_id: str) -> bool:
        return False


@pytest.fixture
def app() -> Iterator[RecordingApp]:
    recording = RecordingApp()
    yield recording
    recording.close()


@pytest.fixture
def listener(app: RecordingApp, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The listen receiver in-process (the one `spaces listen` binds), forwarding to `app`;
    bodies must arrive within 1 s. Yields its URL."""
    monkeypatch.setattr(listen_module, "READ_TIMEOUT", 1.0)
    config = ListenConfig(
        base_url="http://127.0.0.1:9/api/v1",
        token="t",
        events=("customer.created",),
        forward_to=app.url,
        port=0,
        print_json=False,
        secret=SECRET,
    )
    account = listen_module._GivenSecret(SECRET, _NoRemoval())  # type: ignore[arg-type]
    core = listen_module._Listener(config, account, io.StringIO())
    server = listen_module._bind("127.0.0.1", 0, listen_module._handler(core.handle, "/l"))
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/l"
    finally:
        server.shutdown()
        server.server_close()
        core.forwarder.close()


def delivery(event_type: str = "customer.created") -> tuple[bytes, dict[str, str]]:
    body = json.dumps({"object": "event", "id": "evt_1", "type": event_type, "data": {}}).encode()
    headers = signed_headers([SECRET], "msg_" + str(time.monotonic_ns()), body)
    return body, {
        "Content-Type": "application/json",
        "Spaces-Webhook-Id": headers["webhook-id"],
        "Spaces-Event-Id": "evt_1",
        "Spaces-Event-Type": event_type,
        **headers,
    }


def test_an_exact_replay_is_refused_and_not_forwarded(listener: str, app: RecordingApp) -> None:
    body, headers = delivery()
    assert httpx.post(listener, content=body, headers=headers).status_code == 200
    assert httpx.post(listener, content=body, headers=headers).status_code == 409
    # … also under a changed unsigned Spaces-Webhook-Id
    relabelled = {**headers, "Spaces-Webhook-Id": "msg_other"}
    assert httpx.post(listener, content=body, headers=relabelled).status_code == 409
    assert len(app.received) == 1
    # A sender's retry (same id, new timestamp and signature) is forwarded.
    later = int(headers["webhook-timestamp"]) + 1
    retry = {**headers, **signed_headers([SECRET], headers["webhook-id"], body, timestamp=later)}
    assert httpx.post(listener, content=body, headers=retry).status_code == 200
    assert len(app.received) == 2


def test_only_verified_headers_reach_the_app(listener: str, app: RecordingApp) -> None:
    body, headers = delivery("customer.created")
    forged = {
        **headers,
        "Spaces-Event-Type": "invoice.paid",
        "Spaces-Event-Id": "evt_forged",
        "Spaces-Webhook-Id": "msg_forged",
        "Authorization": "Bearer stolen",
        "Cookie": "session=1",
        "X-Forwarded-For": "10.0.0.1",
    }
    assert httpx.post(listener, content=body, headers=forged).status_code == 200
    (got_body, got), *_ = app.received
    assert got_body == body
    assert got["spaces-event-type"] == "customer.created"
    assert got["spaces-event-id"] == "evt_1"
    assert got["spaces-webhook-id"] == headers["webhook-id"]
    for name in ("authorization", "cookie", "x-forwarded-for"):
        assert name not in got
    for name in ("webhook-id", "webhook-timestamp", "webhook-signature"):
        assert got[name] == headers[name]


def _raw(url: str, head: bytes, body: bytes = b"", wait: float = 5.0) -> int | None:
    """Send raw bytes; the status of the answer (None: closed without one)."""
    parsed = httpx.URL(url)
    with socket.create_connection((parsed.host, parsed.port), timeout=wait) as sock:
        sock.sendall(head + body)
        data = b""
        try:
            while b"\r\n" not in data:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                data += chunk
        except TimeoutError:
            return None
    return int(data.split()[1]) if data.startswith(b"HTTP/") else None


@pytest.mark.parametrize(
    ("length_headers", "status"),
    [
        ([b"Content-Length: -5"], 400),
        ([b"Content-Length: abc"], 400),
        (["Content-Length: \u00b2".encode()], 400),
        ([b"Content-Length: 10", b"Content-Length: 12"], 400),
        ([], 411),
        ([b"Content-Length: 99999999999"], 413),
        ([b"Transfer-Encoding: chunked"], 400),
    ],
)
def test_bad_content_length_is_a_400(
    listener: str, app: RecordingApp, length_headers: list[bytes], status: int
) -> None:
    path = httpx.URL(listener).path.encode()
    head = (
        b"POST "
        + path
        + b" HTTP/1.1\r\nHost: x\r\n"
        + b"".join(h + b"\r\n" for h in length_headers)
    )
    assert _raw(listener, head + b"\r\n", b"{}") == status
    assert app.received == []


def test_a_body_that_stops_short_is_cut_off(listener: str, app: RecordingApp) -> None:
    path = httpx.URL(listener).path.encode()
    head = b"POST " + path + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"
    assert _raw(listener, head, b"{" * 10) == 408  # after READ_TIMEOUT (1 s here)
    assert app.received == []
    body, headers = delivery()  # and the listener still works
    assert httpx.post(listener, content=body, headers=headers).status_code == 200


def test_replay_memory_forgets_after_the_tolerance() -> None:
    memory = ReplayMemory(tolerance=300)
    assert memory.first_time("msg_1", "1000", now=1000)
    assert not memory.first_time("msg_1", "1000", now=1200)
    assert memory.first_time("msg_1", "1001", now=1200)  # a retry: another timestamp
    assert memory.first_time("msg_2", "1000", now=1300.5)  # prunes msg_1@1000 only
    assert len(memory.seen) == 2
