"""The reference server: a stateful Spaces API on SQLite, with events, webhooks and a sandbox CLI.

Public surface: `create_app(settings)` (an ASGI app), `Settings`, `run_embedded(...)` /
`EmbeddedServer` (a seeded server on loopback), and `cli.register(subparsers)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from spaces_toolkit._lazy import lazy_exports

if TYPE_CHECKING:
    from .app import create_app
    from .run.embedded import EmbeddedServer, run_embedded
    from .settings import Settings

# Names load on first use (PEP 562), so importing a submodule, or `spaces --help`, does not
# import Starlette.
_LAZY = {
    "create_app": ".app",
    "Settings": ".settings",
    "run_embedded": ".run.embedded",
    "EmbeddedServer": ".run.embedded",
}
__all__ = [
    "EmbeddedServer",
    "Settings",
    "create_app",
    "run_embedded",
]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
