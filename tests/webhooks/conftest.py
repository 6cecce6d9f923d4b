"""Reference-server fixtures shared with tests/server (real SQLite sandboxes, app in-process)."""

from tests.server.conftest import make_sandbox  # noqa: F401
