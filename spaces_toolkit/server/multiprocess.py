"""`spaces serve --workers N`: N server processes on one port (uvicorn's process supervisor),
each with its own app, database pool and (unless --no-delivery) delivery worker.

uvicorn starts the processes from an import string, so the parent hands its Settings to them
through the environment."""

from __future__ import annotations

import base64
import os
import pickle
from typing import Any

from starlette.applications import Starlette

from .settings import Settings

__all__ = ["run_processes", "app_from_environment"]

_ENV = "SPACES_SERVE_SETTINGS"


def app_from_environment() -> Starlette:
    """The app of one server process (uvicorn calls this factory in each)."""
    from .app import create_app

    # Only `run_processes` of the parent process writes this variable, for its children.
    settings = pickle.loads(base64.b64decode(os.environ[_ENV]))  # noqa: S301
    assert isinstance(settings, Settings)
    return create_app(settings)


def run_processes(settings: Settings, processes: int, **uvicorn_options: Any) -> None:
    import uvicorn

    os.environ[_ENV] = base64.b64encode(pickle.dumps(settings)).decode("ascii")
    uvicorn.run(
        f"{__name__}:app_from_environment",
        factory=True,
        workers=processes,
        proxy_headers=False,  # X-Forwarded-Proto is judged by --trusted-proxy only
        **uvicorn_options,
    )
