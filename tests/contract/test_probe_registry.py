"""The probes are listed once (contract/defaults.py PROBE_LIST): the runner, `--probes`, the
pytest plugin and the console iterate it; each entry's checks are the catalogue's, its function
takes what the entry says it needs, and no module names a probe in a list of its own."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from spaces_toolkit.contract.catalogue import CHECKS
from spaces_toolkit.contract.defaults import PROBE_LIST, PROBES
from spaces_toolkit.contract.mutants import MUTANTS
from spaces_toolkit.contract.runner import ContractOptions, run_contract

PACKAGE = Path(__file__).resolve().parents[2] / "spaces_toolkit" / "contract"


def test_names_are_unique_and_what_probes_accepts() -> None:
    assert len(set(PROBES)) == len(PROBES) == len(PROBE_LIST)


@pytest.mark.parametrize("probe", PROBE_LIST, ids=lambda p: p.name)
def test_each_entry_has_catalogued_checks_and_a_matching_function(probe) -> None:
    assert probe.checks and all(check in CHECKS for check in probe.checks)
    assert all(code.startswith("SP") and code != "SP199" for code in probe.codes)
    parameters = list(inspect.signature(probe.load()).parameters)
    assert len(parameters) == len(probe.needs)


def test_every_probe_check_of_the_catalogue_belongs_to_exactly_one_probe() -> None:
    owned = [check for probe in PROBE_LIST for check in probe.checks]
    assert len(owned) == len(set(owned))
    probe_codes = {n for n, c in CHECKS.items() if re.match(r"SP[345]\d\d$", c.code)}
    assert set(owned) == probe_codes


def test_mutant_scopes_name_registered_probes() -> None:
    for mutant in MUTANTS.values():
        assert set(mutant.scope.get("probes") or ()) <= set(PROBES), mutant.name


def test_no_second_list_of_probe_names() -> None:
    """A module that writes every probe's name as a string (a table keyed by probe, a list of
    steps) keeps a second list that would drift; selections (a mutant's scope) name a few."""
    for path in PACKAGE.glob("*.py"):
        if path.name == "defaults.py":
            continue
        text = path.read_text(encoding="utf-8")
        named = {name for name in PROBES if re.search(rf"""["']{name}["']""", text)}
        assert named != set(PROBES), path.name


def test_the_runner_runs_the_probes_asked_for_in_registry_order() -> None:
    lines: list[str] = []
    run_contract(
        ContractOptions(seed=1, phases=(), probes=("links", "auth")), progress=lines.append
    )
    steps = [line.removeprefix("probes: ") for line in lines if line.startswith("probes: ")]
    titles = {p.name: p.title for p in PROBE_LIST}
    assert steps == [titles["auth"], titles["links"]]
