"""Fixtures for the reference-server tests: real databases (a SQLite file in tmp_path, or a fresh
database on a throwaway PostgreSQL cluster: `db_url` runs a test once per backend), the app
in-process (httpx.ASGITransport) or on loopback (uvicorn in a thread), and real HTTP webhook
receivers."""

from __future__ import annotations

import dataclasses
import http.server
import json
import os
import random
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from spaces_toolkit.server.app import create_app
from spaces_toolkit.server.settings import Settings
from spaces_toolkit.server.storage.database import Database
from testing.pgcluster import PgCluster, find_pg_bin, pg_cluster
from testing.support import seed_accounts

from .hostile import HostileReceiver

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def pg() -> Iterator[PgCluster]:
    """One PostgreSQL cluster for the session (stopped and deleted at its end). Without
    PostgreSQL installed the tests that need it are skipped, except in CI, where they fail."""
    if find_pg_bin() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed: `make deps-system` installs it")
        pytest.skip("PostgreSQL is not installed (`make deps-system` installs it)")
    with pg_cluster() as cluster:
        yield cluster


@dataclasses.dataclass
class DbUrls:
    """`db_url(name)`: the database called `name` in this test (the same name → the same
    database, e.g. to reopen it after a restart): a SQLite file, or a PostgreSQL database."""

    backend: str
    tmp_path: Path
    cluster: PgCluster | None
    made: dict[str, str] = dataclasses.field(default_factory=dict)

    def __call__(self, name: str = "spaces.db") -> str:
        if name not in self.made:
            if self.cluster is None:
                self.made[name] = str(self.tmp_path / name)
            else:
                self.made[name] = self.cluster.create_schema()
        return self.made[name]

    def settings(self, name: str = "spaces.db", **kw: Any) -> Settings:
        url = self(name)
        if self.cluster is None:
            return Settings(db_path=Path(url), **kw)
        return Settings(db_url=url, **kw)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> DbUrls:
    cluster = request.getfixturevalue("pg") if request.param == "postgresql" else None
    return DbUrls(request.param, tmp_path, cluster)


@dataclasses.dataclass
class Sandbox:
    """An in-process app on a real SQLite file, with accounts."""

    app: Any
    db: Database
    settings: Settings
    tokens: list[str]
    account_ids: list[int]

    def client(self, token: str | None = None, **kw: Any) -> httpx.AsyncClient:
        kw.setdefault("base_url", "http://testserver/api/v1")
        if token is not None:
            kw["auth"] = (token, "")
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), **kw)


@pytest.fixture
def make_sandbox(db_url: DbUrls) -> Iterator[Callable[..., Sandbox]]:
    made: list[Sandbox] = []

    def make(
        *,
        accounts: int = 2,
        customers: int = 0,
        spaces: int = 2,
        name: str = "spaces.db",
        **kw: Any,
    ) -> Sandbox:
        kw.setdefault("validate_responses", True)
        kw.setdefault("run_delivery_worker", False)
        kw.setdefault("allow_private_targets", True)
        settings = db_url.settings(name, **kw)
        app = create_app(settings)
        db = app.state.db
        made_accounts = seed_accounts(db, [customers] * accounts, spaces=spaces)
        ids = [account_id for account_id, _ in made_accounts]
        tokens = [token for _, token in made_accounts]
        box = Sandbox(app, db, settings, tokens, ids)
        made.append(box)
        return box

    yield make
    for box in made:
        box.app.state.worker.stop()
        box.db.close()


@pytest.fixture
def sandbox(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    """Two seeded accounts (30 customers each)."""
    return make_sandbox(customers=30)


@dataclasses.dataclass
class Receiver:
    """A local webhook receiver. `script` gives the status of each successive POST (then 200)."""

    url: str
    script: list[int]
    requests: list[dict[str, Any]]
    lock: threading.Lock

    def statuses(self) -> list[int]:
        with self.lock:
            return [r["status"] for r in self.requests]

    def bodies(self) -> list[Any]:
        with self.lock:
            return [r["body"] for r in self.requests]


@pytest.fixture
def receiver() -> Iterator[Callable[..., Receiver]]:
    servers: list[http.server.ThreadingHTTPServer] = []

    def make(script: list[int] | None = None, path: str = "/hook") -> Receiver:
        rec = Receiver("", list(script or []), [], threading.Lock())

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                with rec.lock:
                    n = len(rec.requests)
                    status = rec.script[n] if n < len(rec.script) else 200
                    rec.requests.append(
                        {
                            "status": status,
                            "path": self.path,
                            "headers": dict(self.headers),
                            "body": json.loads(raw),
                        }
                    )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        server = low_port_server(Handler)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        rec.url = f"http://127.0.0.1:{server.server_address[1]}{path}"
        return rec

    yield make
    for server in servers:
        server.shutdown()
        server.server_close()


def low_port_server(handler: type[http.server.BaseHTTPRequestHandler]) -> Any:
    """An HTTP server on a free port below 10000: the spec's target_url pattern allows at most
    four port digits (see the server's report), so ephemeral ports cannot be targets."""
    rng = random.Random()
    for _ in range(200):
        try:
            return http.server.ThreadingHTTPServer(("127.0.0.1", rng.randint(2000, 9999)), handler)
        except OSError:
            continue
    raise RuntimeError("no free port below 10000")


def basic(token: str, password: str = "") -> dict[str, str]:
    import base64

    raw = base64.b64encode(f"{token}:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


@pytest.fixture
def hostile() -> Iterator[HostileReceiver]:
    """A receiver on loopback that answers slowly, trickles or never answers, by path."""
    rec = HostileReceiver()
    yield rec
    rec.close()
