"""Replayable failures: a run saves each failing exchange (failures.har, credentials redacted;
reproduce.sh), and `spaces contract --replay FILE` re-checks a recording offline -- the proxy's
recording of live traffic gives the live verdict, a run's failures.har fails again."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from spaces_toolkit.cli import main
from spaces_toolkit.contract.mutants import MUTANTS
from spaces_toolkit.proxy.checking import Checker, base_path_of
from spaces_toolkit.proxy.har import HarWriter
from spaces_toolkit.proxy.redact import Redactor
from spaces_toolkit.proxy.run import proxy_in_thread
from spaces_toolkit.proxy.session import Outputs, Session
from spaces_toolkit.server.run.embedded import run_embedded
from spaces_toolkit.spec import default_spec
from tests.proxy.traffic import OTHER, run_traffic, sample


def _quiet(line: str) -> None:
    pass


def _recorded(tmp_path: Path, mutant: str | None):
    """Client traffic through the proxy in front of the reference server (or a seeded fault)."""
    record = tmp_path / "traffic.har"
    wrap = MUTANTS[mutant].wrap if mutant else None
    with run_embedded(tmp_path / "spaces.db", wrap=wrap) as server:
        with proxy_in_thread(server.base_url, outputs=Outputs(print=_quiet, record=record)) as p:
            run_traffic(p.url, server.tokens)
        tokens = list(server.tokens)
    return p.session, record, tokens


@pytest.mark.parametrize("mutant", [None, "ignored_limit"])
def test_replay_of_a_proxy_recording_gives_the_live_verdict(tmp_path, capsys, mutant) -> None:
    session, record, tokens = _recorded(tmp_path, mutant)
    text = record.read_text()
    assert not any(token in text for token in tokens)
    reports = tmp_path / "reports"
    code = main(["contract", "--replay", str(record), "--json", "--report-dir", str(reports)])
    out = json.loads(capsys.readouterr().out)
    live = session.verdict()
    assert code == live["exit"] == out["exit"]
    assert out["exchanges"] == live["exchanges"] > 10

    # JSON has lists where the live verdict has tuples (the decisions of a violation)
    def plain(v):
        return [list(x) if isinstance(x, tuple | list) else x for x in v]

    assert [plain(v) for v in out["violations"]] == [plain(v) for v in live["violations"]]
    suite = ET.parse(reports / "junit.xml").getroot().find("testsuite")
    assert suite is not None
    assert (int(suite.get("failures", "0")) > 0) == (code == 1)
    assert (reports / "report.html").exists()


def test_failing_exchanges_are_saved_redacted_and_fail_again_on_replay(tmp_path, capsys) -> None:
    reports = tmp_path / "run"
    code = main(
        ["contract", "--seed", "7", "--mutant", "server_error_on_max_limit", "--phases", ""]
        + ["--probes", "pagination", "--report-dir", str(reports)]
    )
    captured = capsys.readouterr()
    assert code == 1, captured.out
    assert "failures.har" in captured.out and "reproduce.sh" in captured.out
    har = json.loads((reports / "failures.har").read_text())
    entries = har["log"]["entries"]
    assert entries and all(e["response"]["status"] == 500 for e in entries)
    assert all(re.match(r"SP\d+ \[\w+\] GET /\w+: ", e["comment"]) for e in entries)
    for entry in entries:
        auth = [h["value"] for h in entry["request"]["headers"] if h["name"] == "authorization"]
        assert auth and all(v.startswith("Basic [redacted-") for v in auth)
    script = (reports / "reproduce.sh").read_text()
    assert script.startswith("#!/bin/sh") and '-u "$SPACES_ACCESS_TOKEN:"' in script
    assert script.count("curl ") >= len(entries)

    replayed = tmp_path / "replayed"
    code = main(
        ["contract", "--replay", str(reports / "failures.har"), "--report-dir", str(replayed)]
    )
    out = capsys.readouterr().out
    assert code == 1, out
    assert "not_a_server_error" in out and f"{len(entries)} exchanges" in out
    suite = ET.parse(replayed / "junit.xml").getroot().find("testsuite")
    assert suite is not None and int(suite.get("failures", "0")) >= 1


def test_a_passing_run_leaves_no_stale_failures(tmp_path, capsys) -> None:
    (tmp_path / "failures.har").write_text("{}")
    (tmp_path / "reproduce.sh").write_text("")
    code = main(
        ["contract", "--seed", "7", "--phases", "", "--probes", "auth"]
        + ["--report-dir", str(tmp_path)]
    )
    assert code == 0, capsys.readouterr().out
    assert not (tmp_path / "failures.har").exists() and not (tmp_path / "reproduce.sh").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--replay", "no-such.har"], "cannot read no-such.har"),
        (["--replay", "x.har", "--base-url", "http://x/api/v1"], "not with --base-url"),
        (["--replay", "x.har", "--mutant", "tenant_leak"], "not with --base-url, --mutant"),
    ],
)
def test_bad_replay_input_is_one_line_and_exit_2(tmp_path, capsys, argv, message) -> None:
    code = main(["contract", *argv, "--report-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_a_file_that_is_not_har_exits_2(tmp_path, capsys) -> None:
    bad = tmp_path / "bad.har"
    bad.write_text('{"log": {}}')
    assert main(["contract", "--replay", str(bad), "--report-dir", str(tmp_path)]) == 2
    assert "not a HAR file" in capsys.readouterr().err


def _graded_samples(base: str, *, failing: bool) -> list:
    """Exchanges graded by contract.grading (NOTES 6, 55, 56): deviations only, or with the
    failures beside them (a page for another account's cursor; no value the docs allow)."""
    page = {"object": "list", "url": "/customers", "has_more": False, "count": 1}
    customer = {**default_spec().lookup("/components/schemas/Customer")["examples"][0]}
    mine = json.dumps({**page, "data": [{**customer, "id": "cus_mine"}]}).encode()
    empty = json.dumps({**page, "count": 0, "data": []}).encode()
    found = [
        sample(1, "GET", f"{base}/customers", 200, mine),
        sample(2, "GET", f"{base}/customers?starting_after=cus_mine", 404, auth=OTHER),
        sample(3, "GET", f"{base}/customers?starting_after=cus_nothing", 404),
        sample(4, "GET", f"{base}/account", 404),
        sample(5, "GET", f"{base}/customers?limit=5&limit=ten", 400),
    ]
    if failing:
        found += [
            sample(6, "GET", f"{base}/customers?starting_after=cus_mine", 200, empty, auth=OTHER),
            sample(7, "GET", f"{base}/customers?limit=ten&limit=abc", 400),
            sample(8, "GET", f"{base}/account", 403),
        ]
    return found


@pytest.mark.parametrize("failing", [False, True])
def test_replay_grades_statuses_cursors_and_repeats_as_the_proxy(tmp_path, capsys, failing):
    spec = default_spec()
    base = base_path_of(spec)
    exchanges = _graded_samples(base, failing=failing)
    live = Session(Checker(spec, base), Outputs(print=_quiet), source="live", spec="spec")
    for exchange in exchanges:
        live.exchange(exchange)
    live.close()
    record = tmp_path / "graded.har"
    writer = HarWriter(record, Redactor(), base_path=base, spec="spec")
    for exchange in exchanges:
        writer.write(exchange)
    writer.close()
    code = main(["contract", "--replay", str(record), "--json", "--report-dir", str(tmp_path)])
    out = json.loads(capsys.readouterr().out)
    replayed = {(v[1], v[4], tuple(v[5])) for v in out["violations"]}
    assert replayed == {(v[1], v[4], tuple(v[5])) for v in live.verdict()["violations"]}
    assert {
        ("status_code_conformance", "deviation", (6, 56)),
        ("status_code_conformance", "deviation", (6,)),
        ("request_parameters", "deviation", (55,)),
    } <= replayed
    if failing:
        assert {
            ("cursor_refused", "failure", ()),
            ("request_parameters", "failure", ()),
            ("status_code_conformance", "failure", ()),
        } <= replayed
    assert code == live.exit_code == (1 if failing else 0)
