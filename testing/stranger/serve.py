"""Serve the stranger app with uvicorn on a free loopback port, in a thread."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import uvicorn
from starlette.types import ASGIApp


@contextlib.contextmanager
def serving(app: ASGIApp, *, base: str = "/api/v1", timeout: float = 30.0) -> Iterator[str]:
    """Yields the API's base URL ("http://127.0.0.1:PORT/api/v1") while `app` is served."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="stranger", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the stranger server did not start")
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}{base}"
    finally:
        server.should_exit = True
        thread.join(timeout=timeout)
        sock.close()
