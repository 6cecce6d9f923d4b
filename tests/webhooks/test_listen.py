"""`spaces listen --forward-to` + `spaces trigger` against a running sandbox: the event reaches a
local app with its signed (verifiable) headers, listen shows the app's status, and its
subscriptions are gone after Ctrl-C or SIGTERM."""

from __future__ import annotations

import http.server
import json
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import standardwebhooks

from spaces_toolkit.server.run.embedded import EmbeddedServer, run_embedded
from spaces_toolkit.server.storage.database import open_database
from spaces_toolkit.server.storage.repo.signing_secrets import valid_secrets

from .receivers import Flaws, NaiveReceiver

SPACES = [sys.executable, "-m", "spaces_toolkit.cli"]


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[EmbeddedServer]:
    with run_embedded(tmp_path / "spaces.db", accounts=1, seed_customers=0) as server:
        yield server


class Listen:
    """`spaces listen …` as a process, its output lines collected as they come."""

    def __init__(self, sandbox: EmbeddedServer | None, *args: str, **popen: Any) -> None:
        argv = [*args]
        if sandbox is not None:
            argv = ["listen", "--base-url", sandbox.base_url, "--token", sandbox.tokens[0], *args]
        self.proc = subprocess.Popen(
            [*SPACES, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.all: list[str] = []
        for stream in (self.proc.stdout, self.proc.stderr):
            threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    @classmethod
    def command(cls, argv: list[str], **popen: Any) -> Listen:
        """`spaces ARGV…` as given (no sandbox's flags added)."""
        return cls(None, *argv, **popen)

    def _pump(self, stream) -> None:
        for line in stream:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                if self.proc.poll() is not None and self.lines.empty():
                    break
                continue
            self.all.append(line)
            if text in line:
                return line
        raise AssertionError(f"no line with {text!r}; got: {self.all}")

    def stop(self, sig: int) -> int:
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=30)
        return code


def trigger(sandbox: EmbeddedServer, event_type: str) -> None:
    subprocess.run(
        [*SPACES, "trigger", event_type, "--db", str(sandbox.db_path)]
        + ["--token", sandbox.tokens[0]],
        check=True,
        capture_output=True,
        timeout=60,
    )


def listen_targets(sandbox: EmbeddedServer) -> list[str]:
    page = httpx.get(
        f"{sandbox.base_url}/resource_subscriptions",
        params={"limit": 100},
        auth=(sandbox.tokens[0], ""),
    ).json()
    return [s["target_url"] for s in page["data"] if "/spaces-listen/" in s["target_url"]]


def secrets_of(sandbox: EmbeddedServer) -> list[str]:
    db = open_database(sandbox.db_path)
    try:
        with db.read() as tx:
            return valid_secrets(tx, 1)
    finally:
        db.close()


def test_listen_forwards_a_triggered_event_to_the_local_app_and_cleans_up_on_ctrl_c(
    sandbox: EmbeddedServer,
) -> None:
    app = NaiveReceiver("whsec_dW51c2Vk", Flaws(no_verification=True))  # the user's app
    # The local route: secrets and removal through the sandbox's database file.
    listen = Listen(
        sandbox,
        "--db",
        str(sandbox.db_path),
        "--forward-to",
        app.url,
        "--events",
        "customer.created",
    )
    try:
        listen.wait_for("Ready: listening for customer.created")
        assert len(listen_targets(sandbox)) == 1
        trigger(sandbox, "customer.created")
        line = listen.wait_for("customer.created")
        assert "verified" in line and f"→ [200] POST {app.url}" in line, line
        assert len(app.processed) == 1
        code = listen.stop(signal.SIGINT)
        listen.wait_for("Removed 1 resource subscription(s)")
    finally:
        app.close()
        if listen.proc.poll() is None:
            listen.proc.kill()
    assert code in (0, 130)
    assert listen_targets(sandbox) == []


def test_forwarded_headers_verify(sandbox: EmbeddedServer) -> None:
    seen: list[tuple[bytes, dict[str, str]]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen.append((body, dict(self.headers)))
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/app"
    listen = Listen(sandbox, "--forward-to", url, "--events", "invoice.paid", "--json")
    try:
        listen.wait_for("Ready")
        trigger(sandbox, "invoice.paid")
        line = listen.wait_for("invoice.paid")
        assert "→ [503]" in line, line  # the app's own status is shown …
        listen.wait_for('"object": "event"')  # … and with --json the whole event
        body, headers = seen[0]
        lowered = {k.lower(): v for k, v in headers.items()}
        for name in ("webhook-id", "webhook-timestamp", "webhook-signature", "spaces-event-type"):
            assert name in lowered
        event = standardwebhooks.Webhook(secrets_of(sandbox)[0]).verify(body, lowered)
        assert event["type"] == "invoice.paid"
        code = listen.stop(signal.SIGTERM)
        listen.wait_for("Removed 1 resource subscription(s)")
    finally:
        server.shutdown()
        server.server_close()
        if listen.proc.poll() is None:
            listen.proc.kill()
    assert code == 130 or code == 0
    assert listen_targets(sandbox) == []
    # The 503 made the sandbox schedule a retry; the removal stopped it.
    db = open_database(sandbox.db_path)
    try:
        with db.read() as tx:
            pending = tx.query(
                "SELECT url FROM webhooks WHERE pending = 1 AND url LIKE '%spaces-listen%'"
            )
    finally:
        db.close()
    assert pending == []
    assert json.loads(body)["type"] == "invoice.paid"


def test_listen_says_what_to_do_when_the_sandbox_refuses_loopback(tmp_path: Path) -> None:
    with run_embedded(
        tmp_path / "s.db", accounts=1, seed_customers=0, allow_private_targets=False
    ) as sandbox:
        listen = Listen(sandbox)
        code = listen.proc.wait(timeout=60)
        line = listen.wait_for("error")
    assert code == 2
    assert "--allow-private-targets" in line, line
