"""`spaces contract` exit codes: 0 passed, 1 contract failures, 2 could not run (one clear line)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from spaces_toolkit.cli import main
from spaces_toolkit.server.run.embedded import run_embedded
from testing.support import free_port

SMALL = ["--seed", "7", "--max-examples", "3"]


def _junit(directory: Path) -> ET.Element:
    suite = ET.parse(directory / "junit.xml").getroot().find("testsuite")
    assert suite is not None
    return suite


def test_passing_run_exits_0_and_writes_reports(tmp_path: Path, capsys) -> None:
    code = main(
        ["contract", *SMALL, "--phases", "examples", "--probes", "subscriptions"]
        + ["--report-dir", str(tmp_path)]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "PASSED" in out and "POST /resource_subscriptions" in out
    suite = _junit(tmp_path)
    assert suite.get("failures") == "0" and int(suite.get("tests", "0")) > 0
    html = (tmp_path / "report.html").read_text()
    assert "Passed: the server meets the contract" in html
    assert "<script" not in html and "http://" not in html.split("<body>")[0]
    assert "<h2>Coverage</h2>" in html and 'class="coverage"' in html
    coverage = json.loads((tmp_path / "coverage.json").read_text())
    labels = {op["operation"] for op in coverage["operations"]}
    assert "POST /resource_subscriptions" in labels and 0 < coverage["percent"] <= 100
    uncovered = [c for op in coverage["operations"] for c in op["cells"] if not c["covered"]]
    assert uncovered and all(c["reason"] for c in uncovered)
    assert "Coverage" in out and "not covered" in out


def test_min_coverage_decides_the_exit_status(tmp_path: Path, capsys) -> None:
    small = ["contract", *SMALL, "--phases", "examples", "--probes", "subscriptions"]
    small += ["--report-dir", str(tmp_path)]
    assert main([*small, "--min-coverage", "99.5"]) == 1
    out = capsys.readouterr().out
    assert "below --min-coverage 99.5%" in out and "FAILED" in out
    assert main([*small, "--min-coverage", "5"]) == 0
    assert "meets --min-coverage 5%" in capsys.readouterr().out


def test_contract_failure_exits_1_naming_the_check(tmp_path: Path, capsys) -> None:
    code = main(
        ["contract", *SMALL, "--mutant", "has_more_always_true", "--phases", ""]
        + ["--probes", "pagination", "--report-dir", str(tmp_path)]
    )
    out = capsys.readouterr().out
    assert code == 1, out
    assert "[pagination_walk]" in out
    assert "reproduce: curl -sS -X GET " in out and '-u "$SPACES_ACCESS_TOKEN:"' in out
    assert "FAILED" in out
    suite = _junit(tmp_path)
    assert int(suite.get("failures", "0")) >= 1
    assert suite.find("testcase/failure[@type='SP301']") is not None
    assert "SP301 [pagination_walk]" in out
    assert "pagination_walk" in (tmp_path / "report.html").read_text()


def test_runs_against_a_server_started_separately(tmp_path: Path, capsys) -> None:
    with run_embedded(tmp_path / "separate.db") as server:
        first, second = server.tokens
        code = main(
            ["contract", *SMALL, "--base-url", server.base_url, "--token", first]
            + ["--second-token", second, "--phases", "examples", "--probes", "auth,tenancy"]
            + ["--report-dir", str(tmp_path / "reports")]
        )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "server under test" in out
    assert first not in out and second not in out


def _expect_could_not_run(capsys, argv: list[str], words: str) -> None:
    assert main(["contract", *argv]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("spaces: error: ") and words in err[-1], err
    assert "Traceback" not in "\n".join(err)


def test_unreachable_url_exits_2(capsys) -> None:
    url = f"http://127.0.0.1:{free_port()}/api/v1"
    _expect_could_not_run(capsys, ["--base-url", url, "--token", "t"], "cannot reach")


def test_refused_token_exits_2(tmp_path: Path, capsys) -> None:
    with run_embedded(tmp_path / "token.db") as server:
        argv = ["--base-url", server.base_url, "--token", "not-a-token"]
        _expect_could_not_run(capsys, argv, "refused --token")


def test_wrong_base_path_exits_2(tmp_path: Path, capsys) -> None:
    with run_embedded(tmp_path / "path.db") as server:
        argv = ["--base-url", server.root_url + "/v2", "--token", server.tokens[0]]
        _expect_could_not_run(capsys, argv, "base URL")


def test_bad_arguments_exit_2(capsys) -> None:
    _expect_could_not_run(capsys, ["--base-url", "ftp://example.com"], "http(s) URL")
    _expect_could_not_run(capsys, ["--base-url", "http://127.0.0.1:1/api/v1"], "--token")
    _expect_could_not_run(capsys, ["--mutant", "no_such_fault"], "unknown mutant")
    _expect_could_not_run(capsys, ["--variant", "no_such_variant"], "unknown variant")
    with pytest.raises(SystemExit) as exc:
        main(["contract", "--min-coverage", "120"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["contract", "--max-examples", "0"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["contract", "--phases", "examples,nonsense"])
    assert exc.value.code == 2


def test_invalid_spec_exits_2(tmp_path: Path, capsys) -> None:
    broken = tmp_path / "openapi.yaml"
    broken.write_text("openapi: 3.1.0\ninfo: {title: Broken}\npaths: {}\n")
    _expect_could_not_run(capsys, ["--spec", str(broken)], "invalid spec")
    broken.write_text("openapi: [unclosed\n")
    _expect_could_not_run(capsys, ["--spec", str(broken)], "invalid spec")


def test_list_mutants_and_variants(capsys) -> None:
    assert main(["contract", "--list-mutants"]) == 0
    assert "has_more_always_true" in capsys.readouterr().out
    assert main(["contract", "--list-variants"]) == 0
    assert "short_pages" in capsys.readouterr().out


def _properties(directory: Path) -> dict[str, str]:
    suite = _junit(directory)
    return {p.get("name", ""): p.get("value", "") for p in suite.iter("property")}


def test_spaces_base_url_is_the_target_when_base_url_is_absent(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    with run_embedded(tmp_path / "env.db") as server:
        monkeypatch.setenv("SPACES_BASE_URL", server.base_url)
        monkeypatch.setenv("SPACES_ACCESS_TOKEN", server.tokens[0])
        code = main(
            ["contract", *SMALL, "--phases", "examples", "--probes", "auth", "--json"]
            + ["--report-dir", str(tmp_path / "reports")]
        )
    captured = capsys.readouterr()
    assert code == 0, captured.out
    assert f"target: {server.base_url} (from SPACES_BASE_URL)" in captured.err
    summary = json.loads(captured.out)
    assert summary["target"] == server.base_url and summary["target_source"] == "SPACES_BASE_URL"
    assert summary["embedded"] is False and summary["verdict"] == "passed"
    assert _properties(tmp_path / "reports")["target_source"] == "SPACES_BASE_URL"
    coverage = json.loads((tmp_path / "reports" / "coverage.json").read_text())
    assert coverage["run"]["target"] == server.base_url
    assert "from SPACES_BASE_URL" in (tmp_path / "reports" / "report.html").read_text()


def test_unwritable_report_dir_exits_2_before_testing(tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    argv = [*SMALL, "--probes", "auth", "--report-dir", str(blocker / "reports")]
    _expect_could_not_run(capsys, argv, "cannot write reports")


def test_unknown_operation_exits_2(capsys) -> None:
    _expect_could_not_run(capsys, ["--operation", "GET /nowhere"], "unknown --operation")


def test_an_exception_inside_a_probe_exits_2_with_reports_and_a_log(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    from spaces_toolkit.contract import probes

    def broken(*args, **kwargs):
        raise IndexError("list index out of range")

    monkeypatch.setattr(probes, "probe_auth", broken)  # where the probe registry loads it from
    code = main(
        ["contract", *SMALL, "--phases", "", "--probes", "auth,subscriptions"]
        + ["--report-dir", str(tmp_path)]
    )
    captured = capsys.readouterr()
    assert code == 2, captured.out
    assert "Traceback (most recent call last)" not in captured.out + captured.err
    assert "the suite itself failed" in captured.err and "contract.log" in captured.err
    assert "Traceback" in (tmp_path / "contract.log").read_text()
    suite = _junit(tmp_path)
    assert suite.get("errors") == "1" and _properties(tmp_path)["exit_code"] == "2"
    assert "Could not run" in (tmp_path / "report.html").read_text()
