"""run_embedded: the seeded loopback server the contract suite and benchmarks start."""

from __future__ import annotations

import socket

import httpx
import pytest

from spaces_toolkit.server.run.embedded import EmbeddedServer, run_embedded


def test_run_embedded_serves_seeded_accounts_and_wraps_the_app(tmp_path):
    seen = []

    def wrap(app):
        async def counting(scope, receive, send):
            if scope["type"] == "http":
                seen.append(scope["path"])
            await app(scope, receive, send)

        return counting

    db_path = tmp_path / "spaces.db"
    with run_embedded(db_path, accounts=3, seed_customers=12, wrap=wrap) as server:
        assert isinstance(server, EmbeddedServer)
        assert server.base_url.startswith("http://127.0.0.1:") and server.base_url.endswith(
            "/api/v1"
        )
        assert server.db_path == db_path and len(server.tokens) == 3
        port = int(server.base_url.split(":")[2].split("/")[0])
        customer_ids = []
        for token in server.tokens:
            with httpx.Client(base_url=server.base_url, auth=(token, "")) as client:
                counts = {
                    p: client.get(p, params={"limit": 100}).json()["count"]
                    for p in [
                        "/spaces",
                        "/customers",
                        "/invoices",
                        "/subscriptions",
                        "/captured_emails",
                        "/events",
                        "/webhooks",
                        "/resource_subscriptions",
                    ]
                }
                customer_ids.append({c["id"] for c in client.get("/customers").json()["data"]})
            assert counts["/spaces"] >= 2 and counts["/customers"] == 12
            assert all(n >= 1 for n in counts.values()), counts
        assert not customer_ids[0] & customer_ids[1]
        assert httpx.get(f"{server.root_url}/openapi.json").json()["openapi"].startswith("3.1")
        assert "/api/v1/customers" in seen
    with pytest.raises(OSError):  # stopped: nothing listens any more
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_run_embedded_wants_a_fresh_file(tmp_path):
    db_path = tmp_path / "spaces.db"
    db_path.write_bytes(b"not empty")
    with pytest.raises(FileExistsError):
        with run_embedded(db_path):
            pass
