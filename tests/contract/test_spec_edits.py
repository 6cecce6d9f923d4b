"""Every fact comes from the spec the run uses: edit the spec and the verdict follows."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from spaces_toolkit.contract.apispec import load_model
from spaces_toolkit.contract.report import render_summary
from spaces_toolkit.contract.runner import ContractOptions, run_contract
from spaces_toolkit.server.run.embedded import run_embedded

SEED = 20261202


def _quiet(line: str) -> None:
    pass


def _edited(tmp_path: Path, edit: Any) -> Path:
    document = copy.deepcopy(load_model().document)
    edit(document)
    path = tmp_path / f"openapi-{edit.__name__}.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def _set_limit_maximum(document: dict[str, Any]) -> None:
    limit = document["components"]["parameters"]["Limit"]
    limit["schema"]["maximum"] = 50
    limit["description"] = "A limit on the number of objects to be returned, between 1 and 50."


def _rename_before_cursor(document: dict[str, Any]) -> None:
    for name in ("StartingBefore", "SpaceStartingBefore"):
        document["components"]["parameters"][name]["name"] = "ending_before"


def test_the_model_reads_the_edits(tmp_path: Path) -> None:
    model = load_model(_edited(tmp_path, _set_limit_maximum))
    assert {lst.limit.maximum for lst in model.lists} == {50}
    renamed = load_model(_edited(tmp_path, _rename_before_cursor))
    assert {lst.before for lst in renamed.lists} == {"ending_before"}


def test_a_lower_maximum_limit_fails_the_reference_server(tmp_path: Path) -> None:
    """The reference server accepts limit=51..100, which the edited spec forbids. The edited
    maximum is still the spec's decision (NOTES 10), so it is a deviation: failing --strict."""
    spec = _edited(tmp_path, _set_limit_maximum)
    scope = {"operations": ("GET /customers",), "phases": ("coverage",), "probes": ()}
    shipped = run_contract(ContractOptions(seed=SEED, max_examples=5, **scope), progress=_quiet)
    assert shipped.passed, render_summary(shipped)
    options = ContractOptions(seed=SEED, max_examples=5, spec=spec, strict=True, **scope)
    edited = run_contract(options, progress=_quiet)
    assert "negative_data_rejection" in edited.deviated_checks, render_summary(edited)
    assert edited.exit_code == 1 and 10 in edited.decisions_deviated


def test_a_renamed_cursor_parameter_fails_the_reference_server(tmp_path: Path) -> None:
    """The reference server ignores `ending_before`: walking back gets the first page again."""
    spec = _edited(tmp_path, _rename_before_cursor)
    options = ContractOptions(seed=SEED, spec=spec, phases=(), probes=("pagination",))
    result = run_contract(options, progress=_quiet)
    assert "pagination_backward" in result.failed_checks, render_summary(result)
    assert "pagination_walk" not in result.failed_checks, render_summary(result)


def test_spec_from_a_url(tmp_path: Path) -> None:
    """--spec URL: the document a server serves is the one the run holds it to."""
    with run_embedded(tmp_path / "url.db") as server:
        url = server.root_url + "/openapi.json"
        options = ContractOptions(
            base_url=server.base_url,
            token=server.tokens[0],
            seed=SEED,
            spec=url,
            phases=("examples",),
            probes=("pagination",),
        )
        result = run_contract(options, progress=_quiet)
    assert result.passed, render_summary(result)
    assert result.total_cases > 0
