"""The reference server: a stateful Spaces API on SQLite, with events, webhooks and a sandbox CLI.

Public surface: `create_app(settings)` (an ASGI app), `Settings`, `run_embedded(...)` /
`EmbeddedServer` (a seeded server on loopback), and `cli.register(subparsers)`.
"""

from .app import create_app
from .embedded import EmbeddedServer, run_embedded
from .settings import Settings

__all__ = ["create_app", "Settings", "run_embedded", "EmbeddedServer"]
