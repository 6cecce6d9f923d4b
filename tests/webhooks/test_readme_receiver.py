"""Done-when, for real: `spaces serve` on loopback signs its deliveries, and a receiver built
from the README's snippet (its own process, the generated client) verifies them — through a
secret rotation's grace period, and not once the old secret is retired."""

from __future__ import annotations

import random
import re
import selectors
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from spaces_toolkit.server.storage.database import open_database

from .receivers import readme_receiver, wait_for_port

SPACES = [sys.executable, "-m", "spaces_toolkit.cli"]


def low_port() -> int:
    """A free port below 10000 (the spec's target_url pattern allows four port digits)."""
    rng = random.Random()
    for _ in range(200):
        port = rng.randint(2000, 9999)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free low port")


def spaces(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*SPACES, *args], capture_output=True, text=True, timeout=60, check=True)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str, str, Path]]:
    """(base URL, token, signing secret, db) of a `spaces serve` process."""
    db = tmp_path / "spaces.db"
    created = spaces("token", "create", "--db", str(db))
    token = created.stdout.strip()
    secret = re.search(r"(whsec_\S+)", created.stderr)
    assert secret, created.stderr
    port = low_port()
    proc = subprocess.Popen(
        [*SPACES, "serve", "--db", str(db), "--port", str(port), "--allow-private-targets"]
        + ["--webhook-retry-interval", "3600", "--log-level", "warning"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}/api/v1", token, secret.group(1), db
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def next_line(proc: subprocess.Popen[str], timeout: float = 30.0) -> str:
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    while time.monotonic() < deadline:
        if sel.select(timeout=0.2):
            return proc.stdout.readline().strip()
    raise AssertionError("the receiver printed nothing")


def attempts(db: Path) -> list[int | None]:
    """Status codes of every delivery attempt so far, in order."""
    store = open_database(db)
    try:
        with store.read() as tx:
            rows = tx.query("SELECT status_code FROM webhook_attempts ORDER BY seq")
    finally:
        store.close()
    return [r["status_code"] for r in rows]


def last_attempt(base: str, token: str) -> dict:
    hooks = httpx.get(f"{base}/webhooks", params={"limit": 1}, auth=(token, "")).json()
    return hooks["data"][0]


def test_a_readme_receiver_verifies_signed_deliveries_from_spaces_serve(
    served: tuple[str, str, str, Path], tmp_path: Path
) -> None:
    base, token, secret, db = served
    port = low_port()
    with readme_receiver(tmp_path, secret, port) as receiver:
        response = httpx.post(
            f"{base}/resource_subscriptions",
            data={"event": "customer.created", "target_url": f"http://127.0.0.1:{port}/hook"},
            auth=(token, ""),
        )
        assert response.status_code == 200, response.text
        spaces("trigger", "customer.created", "--db", str(db), "--token", token)
        assert re.fullmatch(r"customer\.created \S+", next_line(receiver))

        # A rotation: the receiver still has the old secret, deliveries carry both signatures.
        rotated = spaces("webhook-secret", "rotate", "--db", str(db), "--token", token)
        assert rotated.stdout.startswith("whsec_") and rotated.stdout.strip() != secret
        spaces("trigger", "customer.created", "--db", str(db), "--token", token)
        assert next_line(receiver).startswith("customer.created ")

        # Retire the old secret at once: the receiver (old secret) now refuses deliveries.
        spaces("webhook-secret", "rotate", "--db", str(db), "--token", token, "--grace", "0")
        spaces("trigger", "customer.created", "--db", str(db), "--token", token)
        deadline = time.monotonic() + 30
        while attempts(db) != [200, 200, 400]:
            assert time.monotonic() < deadline, attempts(db)
            time.sleep(0.1)
        assert last_attempt(base, token)["pending"] is True  # refused: will be retried
