"""`spaces serve --workers N`: N server processes on one port (uvicorn's process supervisor),
each with its own app, database pool and (unless --no-delivery) delivery worker.

uvicorn starts the processes from import strings, so the parent hands its Settings and its
connection limits (http/limits.py) to them through the environment: the app factory and the HTTP
protocol class (`HttpProtocol`, built on first access) are read from it in each process."""

from __future__ import annotations

import base64
import os
import pickle
from typing import Any

from starlette.applications import Starlette

from ..http import limits
from ..settings import Settings

__all__ = ["run_processes", "child_app"]

_ENV = "SPACES_SERVE_SETTINGS"


def _from_environment() -> tuple[Settings, limits.HttpLimits, tuple[str, str] | None]:
    # Only `run_processes` of the parent process writes this variable, for its children.
    settings, http_limits, tls_files = pickle.loads(base64.b64decode(os.environ[_ENV]))  # noqa: S301
    assert isinstance(settings, Settings) and isinstance(http_limits, limits.HttpLimits)
    return settings, http_limits, tls_files


def child_app() -> Starlette:
    """The app of one child server process, from the Settings its parent handed down (uvicorn
    calls this factory in each). Not `serve.app_from_env`, the public factory that reads the
    SPACES_* variables."""
    from ..app import create_app

    return create_app(_from_environment()[0])


def __getattr__(name: str) -> Any:
    # `HttpProtocol`: the connection-limiting protocol class, which uvicorn imports by name in
    # each process (a class made at run time cannot be pickled to a child).
    # With TLS, each process makes its own context (one cannot be pickled) from the files.
    if name == "HttpProtocol":
        _, http_limits, tls_files = _from_environment()
        return limits.protocol_class(http_limits, tls_files and limits.tls_context(*tls_files))
    raise AttributeError(name)


def run_processes(
    settings: Settings,
    http_limits: limits.HttpLimits,
    processes: int,
    tls_files: tuple[str, str] | None = None,
    **uvicorn_options: Any,
) -> None:
    """`tls_files`: (certificate, key) when serving HTTPS (the TLS is done by http/limits.py)."""
    import uvicorn

    handed = (settings, http_limits, tls_files)
    os.environ[_ENV] = base64.b64encode(pickle.dumps(handed)).decode("ascii")
    options = limits.uvicorn_options(http_limits, tls_files and limits.tls_context(*tls_files))
    options["http"] = f"{__name__}:HttpProtocol"
    uvicorn.run(
        f"{__name__}:child_app",
        factory=True,
        workers=processes,
        proxy_headers=False,  # X-Forwarded-Proto is judged by --trusted-proxy only
        **options,
        **uvicorn_options,
    )
