"""Output at a glance: rich tables and live progress on a terminal, plain text otherwise, with the
same information; FORCE_COLOR forces the rich form (how these tests see it)."""

from __future__ import annotations

import io
import re

import pytest

from spaces_toolkit.console import (
    DETAIL,
    Column,
    Status,
    Styled,
    plain_table,
    print_table,
    wants_rich,
)
from spaces_toolkit.contract.catalogue import DEVIATION
from spaces_toolkit.contract.console import print_summary
from spaces_toolkit.contract.model import Failure, SuiteResult

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _plain(text: str) -> str:
    return ANSI.sub("", text)


@pytest.fixture
def force_rich(monkeypatch):
    for name in ("NO_COLOR", "CI", "TERM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "160")


@pytest.mark.parametrize(
    ("environ", "tty", "rich"),
    [
        ({}, True, True),
        ({}, False, False),
        ({"NO_COLOR": "1"}, True, False),
        ({"CI": "true"}, True, False),
        ({"TERM": "dumb"}, True, False),
        ({"FORCE_COLOR": "1"}, False, True),
        ({"FORCE_COLOR": "1", "CI": "true"}, False, True),
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, True, False),
    ],
)
def test_rich_only_on_a_terminal_unless_told(environ, tty: bool, rich: bool) -> None:
    stream = _Tty() if tty else io.StringIO()
    assert wants_rich(stream, environ) is rich


def test_plain_table_columns_grow_with_their_cells() -> None:
    lines = plain_table(
        (Column("NAME"), Column("N", "right")),
        [("a-rather-long-name", 1), ("b", 12345)],
    )
    assert lines == [
        "NAME                    N",
        "a-rather-long-name      1",
        "b                   12345",
    ]


def test_print_table_rich_keeps_brackets_as_text(force_rich) -> None:
    out = io.StringIO()
    print_table(
        (Column("Case"), Column("Result")),
        [("[redacted-1]", Styled("PASS", "green"))],
        stream=out,
        title="T",
    )
    text = _plain(out.getvalue())
    assert "┃ Case" in text and "[redacted-1]" in text and "PASS" in text


def test_status_plain_prints_every_line_with_its_prefix() -> None:
    out = io.StringIO()
    with Status("contract", out) as progress:
        progress("probes: auth")
        progress(DETAIL + "no violation")
    assert out.getvalue() == "contract: probes: auth\ncontract:   no violation\n"


def test_status_rich_marks_each_finished_step_with_its_detail(force_rich) -> None:
    out = io.StringIO()
    with Status("contract", out) as progress:
        progress("probes: auth")
        progress(DETAIL + "2 failures")
        progress("probes: links")
    text = _plain(out.getvalue())
    assert "✓ probes: auth — 2 failures" in text
    assert "✓ probes: links" in text


def _result() -> SuiteResult:
    result = SuiteResult(base_url="http://127.0.0.1:1/api/v1", seed=7, embedded=True)
    for label in ("GET /customers", "GET /invoices"):
        tally = result.tally(label)
        tally.cases, tally.probe_requests = 5, 2
        tally.checks_run["status_code_conformance"] += 5
    result.record(
        Failure("status_code_conformance", "GET /customers", "Undocumented status", "got 418")
    )
    result.record(
        Failure(
            "list_envelope",
            "GET /invoices",
            "Empty cursor present",
            "next_cursor: ''",
            grade=DEVIATION,
            decisions=(9,),
        )
    )
    return result


def test_contract_summary_rich_has_the_operations_table(force_rich) -> None:
    out = io.StringIO()
    print_summary(_result(), out)
    text = _plain(out.getvalue())
    header = next(line for line in text.splitlines() if "Operation" in line and "┃" in line)
    assert re.search(r"Operation.*Cases.*Probes.*Failures.*Deviations", header)
    row = next(line for line in text.splitlines() if "GET /customers" in line and "│" in line)
    assert "status_code_conformance ×1" in row
    row = next(line for line in text.splitlines() if "GET /invoices" in line and "│" in line)
    assert "list_envelope ×1" in row
    assert "Empty cursor present (NOTES 9)" in text
    assert "FAILED: 1 failures" in text
    assert "\x1b[" in out.getvalue()  # coloured


def test_contract_summary_plain_says_the_same(monkeypatch) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    out = io.StringIO()
    print_summary(_result(), out)
    text = out.getvalue()
    assert "\x1b[" not in text and "┃" not in text
    assert "status_code_conformance ×1 · list_envelope" not in text  # each on its operation
    assert "GET /customers" in text and "status_code_conformance ×1" in text
    assert "list_envelope ×1" in text and "Empty cursor present (NOTES 9)" in text
    assert "FAILED: 1 failures" in text


def test_diff_rich_form_has_a_table_per_category(force_rich, tmp_path, capsys) -> None:
    import copy

    import yaml

    from spaces_toolkit.cli import main
    from spaces_toolkit.spec import SPEC_PATH, load_spec

    doc = copy.deepcopy(load_spec())
    del doc["components"]["schemas"]["Customer"]["properties"]["email"]
    doc["components"]["schemas"]["Customer"]["required"].remove("email")
    new = tmp_path / "new.yaml"
    new.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    assert main(["diff", str(SPEC_PATH), str(new)]) == 0
    text = _plain(capsys.readouterr().out)
    assert "Breaking for clients (1)" in text and "Breaking for servers" not in text
    assert re.search(r"┃ Where\s+┃ Change\s+┃ Breaks", text)
    assert "#/components/schemas/Customer/properties/email" in text
