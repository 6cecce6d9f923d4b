"""Reference-server fixtures shared with tests/server (sandboxes on each backend: a SQLite file
and a throwaway PostgreSQL cluster; the app in-process)."""

from tests.server.conftest import db_url, make_sandbox, pg  # noqa: F401
