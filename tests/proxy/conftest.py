"""Shared fixtures: a seeded reference server on loopback, and the proxy in front of it."""

from __future__ import annotations

import pytest

from spaces_toolkit.server.run.embedded import run_embedded


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    with run_embedded(tmp_path_factory.mktemp("proxy") / "spaces.db", seed_customers=40) as srv:
        yield srv
