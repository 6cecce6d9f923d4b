"""The pytest plugin (entry point `pytest11`): the suite as items of a user's own pytest run."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from spaces_toolkit.contract.mutants import MUTANTS
from spaces_toolkit.server.run.embedded import run_embedded

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


def _against(server: object, *args: str) -> list[str]:
    base_url, (first, second) = server.base_url, server.tokens  # type: ignore[attr-defined]
    return [
        "--spaces-base-url",
        base_url,
        "--spaces-token",
        first,
        "--spaces-second-token",
        second,
        *FAST,
        *args,
    ]


def test_plugin_runs_one_item_per_operation_and_probe_check(tmp_path: Path) -> None:
    with run_embedded(tmp_path / "plugin.db") as server:
        # --strict-markers: every marker the plugin puts on its items is registered.
        done = _pytest(tmp_path, *_against(server, "--junitxml=junit.xml", "--strict-markers"))
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert "PASSED spaces_contract::GET /customers::checks" in out
    assert "PASSED spaces_contract::probe:pagination::pagination_walk" in out
    assert "PASSED spaces_contract::probe:tenancy::tenant_isolation" in out
    assert "PASSED spaces_contract::run" in out
    assert "27 passed" in out  # 14 operations, the probes' 12 checks, the run itself
    assert "collected 27 items" in out
    assert "spaces contract: probes: tenant isolation" in out  # progress while the suite runs
    cases = ET.parse(tmp_path / "junit.xml").getroot().iter("testcase")
    named = {(case.get("classname"), case.get("name")) for case in cases}
    assert ("spaces_contract.GET /customers", "checks") in named
    assert ("spaces_contract.probe:pagination", "cursor_refused") in named
    assert ("spaces_contract.probe:auth", "auth_required") in named
    assert ("spaces_contract", "run") in named
    assert len(named) == 27 and all(classname for classname, _ in named)


def test_markers_select_and_deselect_the_suite(tmp_path: Path) -> None:
    with run_embedded(tmp_path / "marks.db") as server:
        probe = _pytest(tmp_path, *_against(server, "-m", "spaces_probe_pagination"))
        operations = _pytest(tmp_path, *_against(server, "-m", "spaces_operation"))
        (tmp_path / "test_own.py").write_text("def test_own():\n    assert True\n")
        none = _pytest(tmp_path, *_against(server, "-m", "not spaces_contract"))
    assert probe.returncode == 0, probe.stdout + probe.stderr
    assert "6 passed, 21 deselected" in probe.stdout, probe.stdout
    assert "PASSED spaces_contract::probe:pagination::has_more_boundary" in probe.stdout
    assert "14 passed, 13 deselected" in operations.stdout, operations.stdout
    assert "1 passed, 27 deselected" in none.stdout, none.stdout
    assert "collected 28 items / 27 deselected / 1 selected" in none.stdout, none.stdout
    assert "spaces contract:" not in none.stdout  # deselected: the suite never ran


def test_fixtures_give_a_users_tests_the_target_and_the_result(tmp_path: Path) -> None:
    (tmp_path / "test_own.py").write_text(
        "def test_target(spaces_target):\n"
        "    assert spaces_target.source == '--spaces-base-url'\n"
        "    assert spaces_target.base_url.endswith('/api/v1') and spaces_target.token\n"
        "\n"
        "def test_result(spaces_target, spaces_result):\n"
        "    assert spaces_result.base_url == spaces_target.base_url\n"
        "    assert spaces_result.target_source == '--spaces-base-url'\n"
        "    assert sum(t.cases for t in spaces_result.tallies.values()) > 0\n"
        "    assert not spaces_result.hard_failures, spaces_result.hard_failures\n"
        "\n"
        "def test_result_is_the_items_run(spaces_result):\n"
        "    assert spaces_result.tallies['GET /customers'].probe_requests > 0  # auth probe\n"
    )
    with run_embedded(tmp_path / "fixtures.db") as server:
        done = _pytest(tmp_path, *_against(server, "--spaces-probes", "auth"))
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert "PASSED test_own.py::test_result" in out and "PASSED test_own.py::test_target" in out
    assert "19 passed" in out  # 3 own; 14 operations, auth_required, the run
    assert out.count("spaces contract: target:") == 1  # the fixture and the items share one run


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
    assert "FAILED spaces_contract::probe:pagination::" in out
    assert "[pagination_walk]" in out and "reproduce: curl" in out


def test_plugin_could_not_run_is_exit_2(tmp_path: Path) -> None:
    done = _pytest(
        tmp_path, "--spaces-base-url", "http://127.0.0.1:9/api/v1", "--spaces-token", "t", *FAST
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "could not run" in done.stdout + done.stderr


def test_without_the_option_the_plugin_adds_nothing(tmp_path: Path) -> None:
    (tmp_path / "test_own.py").write_text(
        "def test_own():\n    assert True\n\n"
        "def test_uses_the_suite(spaces_result):\n    assert False\n"
    )
    done = _pytest(tmp_path)
    assert done.returncode == 0 and "1 passed, 1 skipped" in done.stdout, done.stdout
    assert "no --spaces-base-url" in done.stdout
