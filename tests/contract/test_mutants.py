"""Proof of power: the suite fails every deliberately broken server, naming the check at fault.

Each mutant runs a small targeted suite (its `scope`: a few operations, phases and probes, a fixed
seed), so the whole set stays fast. The reference server without faults passes the same checks
(test_reference_server.py).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from spaces_toolkit.contract.catalogue import code_of
from spaces_toolkit.contract.mutants import MUTANTS
from spaces_toolkit.contract.report import render_summary, write_reports
from spaces_toolkit.contract.runner import ContractOptions, run_contract

SEED = 20261130
# Every fault is caught under each of these seeds: a catch does not depend on a lucky draw.
SEEDS = (SEED, 7, 424242)


def _quiet(line: str) -> None:
    pass


def test_at_least_ten_distinct_faults() -> None:
    assert len(MUTANTS) >= 10
    assert len({m.description for m in MUTANTS.values()}) == len(MUTANTS)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_suite_catches_mutant(name: str, seed: int, tmp_path: Path) -> None:
    mutant = MUTANTS[name]
    options = ContractOptions(mutant=name, seed=seed, strict=mutant.strict, **mutant.scope)
    result = run_contract(options, progress=_quiet)
    summary = render_summary(result)
    assert result.exit_code == 1, summary
    caught = [f for f in result.failures if f.check == mutant.caught_by]
    if mutant.strict:  # the fault breaks a decision of the spec: a deviation, failing --strict
        assert caught and all(f.decisions for f in caught), summary
    else:
        assert mutant.caught_by in result.failed_checks, summary
    assert any(f.curl and f.curl.startswith("curl ") for f in caught), summary
    # Its report is written, naming the check by its code.
    write_reports(result, tmp_path)
    suite = ET.parse(tmp_path / "junit.xml").getroot().find("testsuite")
    assert suite is not None
    assert suite.find(f"testcase/failure[@type='{code_of(mutant.caught_by)}']") is not None


@pytest.mark.parametrize("name", ["ignored_limit", "dropped_required_field", "unstable_order"])
def test_same_seed_same_run(name: str) -> None:
    """`--seed` repeats a run: the same cases fail with the same requests (a Schemathesis phase
    and the probes alike)."""
    mutant = MUTANTS[name]

    def failures() -> list[tuple[str, str, str]]:
        options = ContractOptions(mutant=mutant.name, seed=SEED, **mutant.scope)
        result = run_contract(options, progress=_quiet)
        return [(f.check, f.title, (f.curl or "").split("/api/v1", 1)[-1]) for f in result.failures]

    first = failures()
    assert first and first == failures()


def test_a_401_without_a_challenge_is_titled_as_such() -> None:
    mutant = MUTANTS["no_auth_challenge"]
    result = run_contract(
        ContractOptions(mutant=mutant.name, seed=SEED, **mutant.scope), progress=_quiet
    )
    titles = {f.title for f in result.failures if f.check == "auth_required"}
    assert titles == {"401 without `WWW-Authenticate: Basic`"}, render_summary(result)
