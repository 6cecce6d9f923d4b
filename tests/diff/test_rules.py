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


def _encode_component_refs(d: dict, kind: str) -> None:
    """Every `#/components/<kind>/` `$ref` spelled with its name's first letter
    percent-encoded."""

    def walk(node: object) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(f"#/components/{kind}/"):
                base, name = ref.rsplit("/", 1)
                node["$ref"] = f"{base}/%{ord(name[0]):02X}{name[1:]}"
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(d)


def test_changes_behind_percent_encoded_refs_are_at_the_components_pointer() -> None:
    """A change inside a parameter or a response that both sides reach through the same
    percent-encoded `$ref` is reported at the component's pointer as the model reads the
    `$ref` (`%4Cimit` is `Limit`), and names the response by its decoded name."""
    old = copy.deepcopy(load_spec())
    for kind in ("parameters", "responses"):
        _encode_component_refs(old, kind)
    new = copy.deepcopy(old)
    new["components"]["parameters"]["Limit"]["required"] = True
    new["components"]["responses"]["NotFound"]["content"]["text/plain"] = {
        "schema": {"type": "string"}
    }
    changes = {(c.kind, c.pointer, c.message) for c in compare_documents(old, new).changes}
    kinds = {(kind, pointer) for kind, pointer, _ in changes}
    assert kinds == {
        ("parameter-required-changed", "/components/parameters/Limit/required"),
        ("media-type-added", "/components/responses/NotFound/content/text~1plain"),
    }
    assert any("response `NotFound`" in message for _, _, message in changes)
