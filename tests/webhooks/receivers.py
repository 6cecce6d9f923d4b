"""Webhook receivers for the tests: the README's snippet run as a real process, and naive
receivers, each with one flaw the receiver kit must catch."""

from __future__ import annotations

import contextlib
import dataclasses
import http.server
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from spaces_toolkit.server.signing import VerificationError, verify
from tests.readme.blocks import readme_blocks

ROOT = Path(__file__).resolve().parents[2]


def readme_receiver_code() -> str:
    """The README's receiver (its `<!-- readme-test: file receiver.py -->` block), verbatim."""
    found = [b.text for b in readme_blocks("README.md") if b.file_name == "receiver.py"]
    assert len(found) == 1, "the README has no receiver.py block"
    return found[0]


@contextlib.contextmanager
def readme_receiver(tmp_path: Path, secret: str, port: int) -> Iterator[subprocess.Popen[str]]:
    """Run the README snippet as its own process (the generated client on its path)."""
    script = tmp_path / "receiver.py"
    script.write_text(readme_receiver_code(), encoding="utf-8")
    env = {
        **os.environ,
        "SPACES_WEBHOOK_SECRET": secret,
        "PORT": str(port),
        "PYTHONPATH": str(ROOT / "generated" / "python"),
    }
    proc = subprocess.Popen(
        [sys.executable, "-u", str(script)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        wait_for_port(port)
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1.0)
            return
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@dataclasses.dataclass(frozen=True)
class Flaws:
    """What a naive receiver gets wrong (all False: a correct receiver)."""

    no_verification: bool = False  # accepts anything
    no_timestamp_check: bool = False  # verifies the signature, not the age
    first_signature_only: bool = False  # looks at the first v1 entry only
    verify_only_if_signed: bool = False  # no signature header: trusts the body
    no_dedup: bool = False  # processes a replay again
    fails_unknown_types: bool = False  # 500 on an event type it does not know
    no_size_limit: bool = False  # reads any body
    refuses_retries: bool = False  # 409 for any id seen before, so a sender retries forever
    dedups_on_unsigned_id: bool = False  # deduplicates on Spaces-Webhook-Id, not webhook-id
    unsigned_id_fallback: bool = False  # no webhook-id: verifies with Spaces-Webhook-Id


KNOWN_TYPES = {
    "customer.created",
    "invoice.created",
    "invoice.paid",
    "subscription.created",
    "captured_email.created",
}


class NaiveReceiver:
    """An in-process receiver with the given flaws; `processed` lists handled webhook ids."""

    def __init__(self, secret: str, flaws: Flaws) -> None:
        self.secret = secret
        self.flaws = flaws
        self.processed: list[str] = []
        self.seen: dict[str, str] = {}  # webhook id -> timestamp of its first delivery
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                self.send_response(receiver.status(self))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _verified(self, body: bytes, headers: dict[str, str]) -> bool:
        f = self.flaws
        if f.no_verification:
            return True
        if f.verify_only_if_signed and "webhook-signature" not in headers:
            return True
        if f.unsigned_id_fallback and "webhook-id" not in headers:
            headers = {**headers, "webhook-id": headers.get("spaces-webhook-id", "")}
        if f.first_signature_only and "webhook-signature" in headers:
            headers = {**headers, "webhook-signature": headers["webhook-signature"].split()[0]}
        try:
            verify(body, headers, [self.secret], tolerance=10**10 if f.no_timestamp_check else 300)
        except VerificationError:
            return False
        return True

    def status(self, request: http.server.BaseHTTPRequestHandler) -> int:
        size = int(request.headers.get("Content-Length") or 0)
        if size > 256 * 1024 and not self.flaws.no_size_limit:
            return 413
        body = request.rfile.read(size)
        headers = {k.lower(): v for k, v in request.headers.items()}
        if not self._verified(body, headers):
            return 400
        event = json.loads(body)
        if event.get("type") not in KNOWN_TYPES and self.flaws.fails_unknown_types:
            return 500
        id_header = "spaces-webhook-id" if self.flaws.dedups_on_unsigned_id else "webhook-id"
        wid, stamp = headers.get(id_header, ""), headers.get("webhook-timestamp", "")
        with self.lock:
            if wid in self.seen and not self.flaws.no_dedup:
                return 409 if self.seen[wid] == stamp or self.flaws.refuses_retries else 200
            self.seen[wid] = stamp
            self.processed.append(wid)
        return 200


def check(*args: str) -> tuple[int, str]:
    """Run `spaces webhooks check-receiver …` as a user would; (exit code, stdout)."""
    proc = subprocess.run(
        [sys.executable, "-m", "spaces_toolkit.cli", "webhooks", "check-receiver", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    return proc.returncode, proc.stdout + proc.stderr


def failed_cases(output: str) -> set[str]:
    return {
        re.split(r"\s{2,}| expected", line[6:])[0].strip()
        for line in output.splitlines()
        if line.startswith("FAIL  ")
    }


class RecordingApp:
    """A user's app behind `spaces listen --forward-to`: records (body, lowercased headers)."""

    def __init__(self) -> None:
        self.received: list[tuple[bytes, dict[str, str]]] = []
        app = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                app.received.append((body, {k.lower(): v for k, v in self.headers.items()}))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/app"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
