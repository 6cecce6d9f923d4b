"""A seeded reference server in a background thread, for the contract suite, the benchmarks and
client↔server tests:

    with run_embedded(tmp_path / "spaces.db") as server:
        httpx.get(f"{server.base_url}/customers", auth=(server.tokens[0], ""))
"""

from __future__ import annotations

import contextlib
import dataclasses
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import uvicorn
from starlette.types import ASGIApp

from ..app import create_app
from ..sandbox.seed import seed_account
from ..settings import Settings, api_prefix
from ..storage.database import open_database
from ..storage.repo.accounts import create_account

__all__ = ["EmbeddedServer", "run_embedded", "serve_in_thread"]


@dataclasses.dataclass(frozen=True)
class EmbeddedServer:
    base_url: str  # "http://127.0.0.1:PORT/api/v1"
    tokens: list[str]  # one access token per account, in account order
    db_path: Path
    app: ASGIApp  # the served app (wrapped, if `wrap` was given)

    @property
    def root_url(self) -> str:
        """Where /openapi.json and /docs live."""
        return self.base_url[: -len(api_prefix())]


def _prepare(db_path: Path, accounts: int, seed_customers: int) -> list[str]:
    if db_path.exists() and db_path.stat().st_size > 0:
        raise FileExistsError(f"{db_path} exists: run_embedded needs a fresh database file")
    db = open_database(db_path)
    try:
        tokens = []
        for n in range(1, accounts + 1):
            account_id, token = create_account(
                db, name=f"Sandbox User {n}", email=f"sandbox{n}@example.com"
            )
            seed_account(db, account_id, spaces=3, customers=seed_customers, seed=n)
            tokens.append(token)
        return tokens
    finally:
        db.close()


@contextlib.contextmanager
def run_embedded(
    db_path: Path,
    *,
    accounts: int = 2,
    seed_customers: int = 30,
    wrap: Callable[[ASGIApp], ASGIApp] | None = None,
    allow_private_targets: bool = True,
    webhook_retry_interval: float = 3600.0,
    startup_timeout: float = 30.0,
) -> Iterator[EmbeddedServer]:
    """Create `accounts` seeded accounts on a fresh SQLite file and serve them on loopback."""
    db_path = Path(db_path)
    tokens = _prepare(db_path, accounts, seed_customers)
    settings = Settings(
        db_path=db_path,
        allow_private_targets=allow_private_targets,
        webhook_retry_interval=webhook_retry_interval,
    )
    app: ASGIApp = create_app(settings)
    if wrap is not None:
        app = wrap(app)
    with serve_in_thread(app, startup_timeout=startup_timeout) as root:
        yield EmbeddedServer(f"{root}{api_prefix()}", tokens, db_path, app)


@contextlib.contextmanager
def serve_in_thread(app: ASGIApp, *, startup_timeout: float = 30.0) -> Iterator[str]:
    """Serve `app` with uvicorn on a free loopback port (lifespan included) until exit.

    Yields the root URL ("http://127.0.0.1:PORT"); on exit, uvicorn shuts down gracefully
    (the app's lifespan ends: the webhook worker finishes in-flight deliveries, the database
    closes).
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", proxy_headers=False, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="spaces-server", daemon=True
    )
    thread.start()
    root = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("Spaces server thread did not start")
            time.sleep(0.02)
        httpx.get(f"{root}/openapi.json", timeout=startup_timeout).raise_for_status()
        yield root
    finally:
        server.should_exit = True
        thread.join(timeout=startup_timeout)
        sock.close()
