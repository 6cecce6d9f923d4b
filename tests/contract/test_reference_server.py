"""The reference server passes the whole suite, so every failure a mutant causes is the mutant's."""

from __future__ import annotations

from spaces_toolkit.contract.mutants import MUTANTS
from spaces_toolkit.contract.report import checks_overview, render_summary
from spaces_toolkit.contract.runner import ContractOptions, run_contract


def test_reference_server_passes_every_check() -> None:
    result = run_contract(ContractOptions(seed=20261130, max_examples=8), progress=lambda _: None)
    summary = render_summary(result)
    assert result.passed, summary
    assert result.exit_code == 0
    ran, failed = checks_overview(result)
    # Every check that kills a mutant ran here too, and passed.
    assert {m.caught_by for m in MUTANTS.values()} <= set(ran), summary
    assert not failed
    # Every operation of the spec got generated cases, and all four phases ran.
    assert all(t.cases > 0 for t in result.tallies.values()), summary
    assert len(result.tallies) == 14
    assert set(result.cases_by_phase) == {"examples", "coverage", "fuzzing", "stateful"}
