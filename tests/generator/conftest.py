"""Fixtures for generator tests (helpers are in generator_helpers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from generator_helpers import run, widget_spec, write_spec


@pytest.fixture(scope="session")
def widget_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Widget Store spec, generated once per session: returns the `python` folder."""
    root = tmp_path_factory.mktemp("widgets")
    spec = write_spec(root / "widgets.yaml", widget_spec())
    assert run("--spec", spec, "--out", root / "out") == 0
    return root / "out" / "python"
