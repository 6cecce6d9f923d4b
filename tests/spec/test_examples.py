"""Every example in spec/openapi.yaml validates against the schema it illustrates."""

import copy

import pytest

from spaces_toolkit.spec import iter_examples, load_spec, validator_at

SPEC = load_spec()
EXAMPLES = list(iter_examples(SPEC))


def _errors(spec, schema_ptr, example):
    return [e.message for e in validator_at(schema_ptr, spec).iter_errors(example)]


def test_the_document_carries_the_docs_examples():
    where = {w.split("/examples/")[0] for w, _, _ in EXAMPLES}
    for schema in (
        "Account",
        "Space",
        "Customer",
        "CapturedEmail",
        "Webhook",
        "ResourceSubscription",
    ):
        assert f"/components/schemas/{schema}" in where
    responses = [w for w, _, _ in EXAMPLES if w.startswith("/paths/")]
    assert len(responses) >= 15  # one per operation's 200 response, and the create request


@pytest.mark.parametrize(
    ("where", "schema_ptr", "example"), EXAMPLES, ids=[w for w, _, _ in EXAMPLES]
)
def test_example_matches_its_schema(where, schema_ptr, example):
    assert _errors(SPEC, schema_ptr, example) == []


def test_a_wrong_example_is_caught():
    spec = copy.deepcopy(SPEC)
    bad = copy.deepcopy(spec["components"]["schemas"]["Customer"]["examples"][0])
    del bad["space"]
    bad["object"] = "client"
    errors = _errors(spec, "/components/schemas/Customer", bad)
    assert any("space" in e for e in errors) and any("customer" in e for e in errors)
