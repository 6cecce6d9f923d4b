"""Documents that say the same thing differently give no change at all."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
import yaml

from spaces_toolkit.diff import compare_documents
from spaces_toolkit.spec import SPEC_PATH, load_document, load_spec

_INLINABLE = ("#/components/parameters/", "#/components/responses/", "#/components/requestBodies/")


def _reversed_keys(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _reversed_keys(node[key]) for key in reversed(list(node))}
    if isinstance(node, list):
        return [_reversed_keys(value) for value in node]
    return node


def _inline_refs(doc: dict[str, Any]) -> dict[str, Any]:
    """Every parameter, response and request body `$ref` replaced by a copy of its target."""

    def target(ref: str) -> Any:
        node: Any = doc
        for token in ref[2:].split("/"):
            node = node[token.replace("~1", "/").replace("~0", "~")]
        return node

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(_INLINABLE):
                return walk(copy.deepcopy(target(ref)))
            return {key: walk(value) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(value) for value in node]
        return node

    return walk(doc)


def _flow_style(doc: dict[str, Any]) -> dict[str, Any]:
    return load_document(yaml.safe_dump(doc, default_flow_style=True, width=60), "flow")


def _json_text(doc: dict[str, Any]) -> dict[str, Any]:
    return load_document(json.dumps(doc, indent=1), "json")


def _unquoted_statuses(doc: dict[str, Any]) -> dict[str, Any]:
    """Status codes as YAML numbers (`200:`), as many hand-written specs have them."""
    text = yaml.safe_dump(doc, sort_keys=False)
    text = re.sub(r"^(\s+)'(\d{3})':", r"\1\2:", text, flags=re.MULTILINE)
    unquoted = load_document(text, "unquoted")
    assert 200 in unquoted["paths"]["/customers"]["get"]["responses"]
    return unquoted


VARIANTS = {
    "identical": lambda doc: copy.deepcopy(doc),
    "same file read twice": lambda doc: load_document(SPEC_PATH.read_bytes(), "again"),
    "keys in reverse order": _reversed_keys,
    "flow style YAML": _flow_style,
    "JSON text": _json_text,
    "parameters, responses and bodies inlined": _inline_refs,
    "status codes unquoted": _unquoted_statuses,
}


@pytest.mark.parametrize("name", list(VARIANTS))
def test_reformatted_document_has_no_change(name: str) -> None:
    spec = load_spec()
    other = VARIANTS[name](spec)
    assert compare_documents(spec, other).changes == ()
    assert compare_documents(other, spec).changes == ()


def test_inlining_is_a_real_rewrite() -> None:
    """The inlined variant must actually differ in text (or the test above proves nothing)."""
    spec = load_spec()
    assert json.dumps(_inline_refs(spec)) != json.dumps(spec)
    assert "#/components/parameters/" not in json.dumps(_inline_refs(spec))
