"""The rule catalogue: every kind `spaces diff` reports is registered, every registered kind is
exercised by the corpus, and each change falls in a category its rule allows."""

from __future__ import annotations

import copy
import json

import pytest

from spaces_toolkit.cli import main
from spaces_toolkit.diff import compare_documents
from spaces_toolkit.diff.rules import RULES
from spaces_toolkit.spec import load_spec

from .corpus import CASES, _encoded_refs, compared


def _corpus_changes() -> list:
    return [c for case in CASES for result in compared(case) for c in result.changes]


def test_every_emitted_kind_is_registered_with_its_levels() -> None:
    changes = _corpus_changes()
    unknown = sorted({c.kind for c in changes} - set(RULES))
    assert not unknown, f"kinds emitted but not in diff/rules.py: {unknown}"
    wrong = sorted(
        f"{c.kind}: {category} (allowed {RULES[c.kind].levels}) at #{c.pointer}"
        for c in changes
        for category in c.categories
        if category not in RULES[c.kind].levels
    )
    assert not wrong, "\n".join(wrong)


def test_every_registered_kind_has_a_corpus_case() -> None:
    missing = sorted(set(RULES) - {case.kind for case in CASES})
    assert not missing, f"registered kinds without a corpus case: {missing}"


def test_percent_encoded_refs_are_the_same_refs() -> None:
    """`#/components/schemas/%43ustomer` names `Customer`: re-spelling every `$ref` so is no
    change (the diff reads schema names through the spec model, which percent-decodes)."""
    old = load_spec()
    new = copy.deepcopy(old)
    _encoded_refs(new)
    assert new != old
    result = compare_documents(old, new)
    assert [(c.kind, c.pointer) for c in result.changes] == []
    assert not result.notes


def test_list_rules(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "--list-rules"]) == 0
    out = capsys.readouterr().out
    rows = {line.split()[0] for line in out.splitlines()[1:] if line.strip()}
    assert set(RULES) <= rows
    assert f"{len(RULES)} rules." in out
    assert main(["diff", "--list-rules", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)["rules"]
    assert [r["id"] for r in listed] == list(RULES)
    assert all(r["levels"] and r["title"] for r in listed)


def test_diff_without_sides_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "spec/openapi.yaml"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "spaces: error: diff needs OLD and NEW (or --list-rules)"
