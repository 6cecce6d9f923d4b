"""`spaces serve`: run the app under uvicorn with the flags' settings; and the same settings
from SPACES_* variables alone, for the app factory `app_from_env` (`uvicorn --factory`)."""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ...errors import CLIError
from ..http import limits
from ..settings import Settings, api_prefix, parse_networks
from ..storage.database import Database, safe_url
from ..storage.repo.accounts import account_ids
from ..webhook_delivery.flags import delivery_settings
from .db_cli import database_settings

if TYPE_CHECKING:
    from starlette.applications import Starlette

__all__ = [
    "app_from_env",
    "no_account_hint",
    "serve",
    "settings_from_args",
    "settings_from_env",
]

# A browser origin: scheme://host[:port], nothing after it (or "*" for any).
_ORIGIN = re.compile(r"https?://[^/?#\s]+")


def settings_from_args(args: argparse.Namespace) -> Settings:
    if bool(args.certfile) != bool(args.keyfile):
        raise CLIError("--certfile and --keyfile go together")
    for name in ("certfile", "keyfile"):
        value = getattr(args, name)
        if value and not Path(value).is_file():
            raise CLIError(f"--{name} {value}: no such file")
    try:
        proxies = parse_networks(args.trusted_proxy)
    except ValueError as exc:
        raise CLIError(f"--trusted-proxy: {exc}") from None
    for origin in args.cors_origin:
        if origin != "*" and not _ORIGIN.fullmatch(origin):
            raise CLIError(f"--cors-origin {origin}: expected scheme://host[:port] or *")
    return Settings(
        **database_settings(args.db),
        require_https=args.require_https,
        trusted_proxies=proxies,
        **delivery_settings(args),
        run_delivery_worker=not getattr(args, "no_delivery", False),
        faults=getattr(args, "faults", None),
        cors_origins=tuple(args.cors_origin),
        sandbox=getattr(args, "sandbox", True),
    )


def settings_from_env(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings `spaces serve` would use with no flags: SPACES_* variables, else defaults."""
    from .cli import serve_arguments

    return settings_from_args(serve_arguments(environ))


def app_from_env() -> Starlette:
    """The app with settings from SPACES_* variables, for ASGI servers (one per worker):
    `uvicorn --factory spaces_toolkit.server.run.serve:app_from_env --workers 4`."""
    from ..app import create_app

    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(name)s: %(message)s")
    settings = settings_from_env()
    app = create_app(settings)
    hint = no_account_hint(app.state.db, settings.db_path)
    if hint:
        logging.getLogger("spaces.server").warning("%s", hint)
    return app


def no_account_hint(db: Database, path: str | Path) -> str | None:
    """What to do when the database has no account yet (None when it has one)."""
    with db.read() as tx:
        if account_ids(tx, limit=1):
            return None
    return (
        f"{path} has no account yet, so every API request will be refused (401). Create one"
        f" (its token is printed once): spaces token create --db {path}"
    )


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from ..app import create_app

    settings = settings_from_args(args)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(levelname)s:     %(name)s: %(message)s"
    )
    processes = getattr(args, "workers", 1)  # at least 1: its flag's type
    tls = None  # the TLS layer is http/limits.py's (uvicorn gets no certificate)
    if args.certfile:
        try:
            tls = limits.tls_context(args.certfile, args.keyfile)
        except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
            raise CLIError(f"--certfile/--keyfile: cannot use them: {exc}") from None
    try:
        app = create_app(settings)  # also migrates the database, once, before any fork
    except Exception as exc:
        raise CLIError(f"cannot start: {exc}") from None
    hint = no_account_hint(app.state.db, safe_url(args.db))
    if hint:
        print(f"spaces: note: {hint}", file=sys.stderr)
    scheme = "https" if tls else "http"
    if settings.faults is not None:
        print(f"Injecting faults: {settings.faults.describe()}", file=sys.stderr)
    print(
        f"Spaces API sandbox on {scheme}://{args.host}:{args.port}{api_prefix()}"
        f" (spec: /openapi.json, docs: /docs, health: /healthz,"
        f" sandbox helpers: {'/sandbox/v1' if settings.sandbox else 'off'},"
        f" database: {safe_url(args.db)})",
        file=sys.stderr,
    )
    if processes > 1:
        app.state.db.close()
        from .serve_processes import run_processes

        run_processes(
            settings,
            limits.from_args(args),
            processes,
            host=args.host,
            port=args.port,
            tls_files=(args.certfile, args.keyfile) if tls else None,
            log_level=args.log_level,
        )
        return 0
    try:
        uvicorn.run(
            app,
            host=args.host,
            port=args.port,
            proxy_headers=False,  # X-Forwarded-Proto is judged by --trusted-proxy only
            log_level=args.log_level,
            # Access lines are logged at INFO: above it, uvicorn would still format each
            # request's path for a line that is then dropped.
            access_log=logging.getLevelName(args.log_level.upper()) <= logging.INFO,
            **limits.uvicorn_options(limits.from_args(args), tls),  # TLS included
        )
    except OSError as exc:
        raise CLIError(f"cannot listen on {args.host}:{args.port}: {exc}") from None
    return 0
