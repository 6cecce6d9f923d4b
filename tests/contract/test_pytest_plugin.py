"""The pytest plugin (entry point `pytest11`): the suite as items of a user's own pytest run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from spaces_toolkit.contract.mutants import MUTANTS
from spaces_toolkit.server.embedded import run_embedded

FAST = ["--spaces-seed", "3", "--spaces-max-examples", "2", "--spaces-phases", "examples"]


def _pytest(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # A directory with no tests of its own: only the plugin's items run.
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_plugin_runs_one_item_per_operation_and_probe(tmp_path: Path) -> None:
    with run_embedded(tmp_path / "plugin.db") as server:
        first, second = server.tokens
        done = _pytest(
            tmp_path,
            "--spaces-base-url",
            server.base_url,
            "--spaces-token",
            first,
            "--spaces-second-token",
            second,
            *FAST,
        )
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert "PASSED spaces[GET /customers]" in out and "PASSED spaces[probe:pagination]" in out
    assert "PASSED spaces[probe:tenancy]" in out and "PASSED spaces[run]" in out
    assert "22 passed" in out  # 14 operations, 7 probes, the run itself
    assert "spaces contract: probes: tenant isolation" in out  # progress while the suite runs


def test_plugin_fails_the_items_a_fault_breaks(tmp_path: Path) -> None:
    with run_embedded(tmp_path / "fault.db", wrap=MUTANTS["has_more_always_true"].wrap) as server:
        done = _pytest(
            tmp_path,
            "--spaces-base-url",
            server.base_url,
            "--spaces-token",
            server.tokens[0],
            "--spaces-probes",
            "pagination",
            *FAST,
        )
    out = done.stdout
    assert done.returncode == 1, out + done.stderr
    assert "FAILED spaces[probe:pagination]" in out
    assert "[pagination_walk]" in out and "reproduce: curl" in out


def test_plugin_could_not_run_is_exit_2(tmp_path: Path) -> None:
    done = _pytest(
        tmp_path, "--spaces-base-url", "http://127.0.0.1:9/api/v1", "--spaces-token", "t", *FAST
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "could not run" in done.stdout + done.stderr


def test_without_the_option_the_plugin_adds_nothing(tmp_path: Path) -> None:
    (tmp_path / "test_own.py").write_text("def test_own():\n    assert True\n")
    done = _pytest(tmp_path)
    assert done.returncode == 0 and "1 passed" in done.stdout, done.stdout
