"""Provenance of the spec's rules (`x-decision`, spec/NOTES.md): the model answers "stated by
the docs" or "decision N" for any pointer; `docs_document()` relaxes exactly the decided rules;
list operations declare their cursor fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from spaces_toolkit.spec import NOTES_PATH, STATED, build_spec, default_spec, read_notes
from spaces_toolkit.spec.problems import validate_document
from spaces_toolkit.spec.provenance import annotation_problems, notes_from_text
from spaces_toolkit.spec.source import read_document

ROOT = Path(__file__).resolve().parents[2]
NOTES = ROOT / "spec" / "NOTES.md"


@pytest.fixture(scope="module")
def spec():
    return default_spec()


def test_notes_are_read_with_their_titles():
    notes = read_notes(NOTES)
    assert notes[12].startswith("`count` is not in the")
    assert notes[24] == "Subscription `status`"
    assert sorted(notes) == list(range(1, max(notes) + 1)), "NOTES entries are numbered 1..N"


def test_the_packaged_notes_are_the_notes():
    assert NOTES_PATH.read_bytes() == NOTES.read_bytes()


def test_every_x_decision_names_an_entry_of_notes(spec):
    assert list(annotation_problems(spec.content, spec.notes)) == []


def test_annotation_problems_are_reported():
    doc = {
        "components": {
            "schemas": {
                "A": {"type": "string", "minLength": 1, "x-decision": {"minLength": 999}},
                "B": {"type": "string", "x-decision": {"maxLength": 1}},
                "C": {"type": "string", "x-decision": "one"},
            }
        }
    }
    found = dict(annotation_problems(doc, {1: "One"}))
    assert "no entry 999" in found["/components/schemas/A/x-decision"]
    assert "names nothing" in found["/components/schemas/B/x-decision"]
    assert "entry number" in found["/components/schemas/C/x-decision"]


@pytest.mark.parametrize(
    ("pointer", "decision"),
    [
        ("/components/schemas/CustomerList/required/3", 12),  # count
        ("/components/schemas/CustomerList/required/2", 13),  # has_more
        ("/components/schemas/CustomerList/required/1", None),  # data: the table
        ("/components/schemas/Subscription/required/4", 24),  # status
        ("/components/schemas/Subscription/properties/id/minLength", 14),
        ("/components/schemas/Subscription/properties/token/type", None),
        ("/components/schemas/Customer/properties/id/type", None),
        # through the operation's $ref to the Limit parameter
        ("/paths/~1customers/get/parameters/0/schema/maximum", 10),
        ("/paths/~1customers/get/parameters/0/schema/default", None),
        ("/paths/~1customers/get/parameters/1/schema/minLength", 51),
        ("/paths/~1spaces/get/parameters/1/schema/type", 42),
        ("/paths/~1subscriptions/get/x-cursor-fields", 14),
        # a jsonschema schema path, `$ref` tokens included
        ("/components/schemas/EventList/properties/data/items/$ref/oneOf/0/$ref/properties/id", 14),
    ],
)
def test_provenance_of_a_pointer(spec, pointer, decision):
    found = spec.provenance(pointer)
    assert found.decision == decision
    assert found.stated is (decision is None)
    assert found.title == (spec.notes[decision] if decision else "")


def test_provenance_of_nothing_is_a_key_error(spec):
    with pytest.raises(KeyError):
        spec.provenance("/components/schemas/NoSuchSchema/type")
    assert spec.provenance("") is STATED


def test_decisions_list_every_entry_and_where_it_applies(spec):
    assert set(spec.decisions) == set(read_notes(NOTES))
    count = spec.decisions[12]
    assert count.title == spec.notes[12]
    assert "/components/schemas/CustomerList/required/3" in count.pointers
    assert len([p for p in count.pointers if p.endswith("/required/3")]) == len(spec.lists)
    # every pointer a decision names answers with that decision
    for number, decision in spec.decisions.items():
        for pointer in decision.pointers:
            assert spec.provenance(pointer).decision == number, pointer


def test_the_outermost_decision_wins_and_longest_key():
    doc = read_document(
        """
openapi: 3.1.0
info: {title: T, version: "1"}
paths: {}
components:
  schemas:
    Outer:
      type: object
      x-decision: {properties/inner: 2, properties/inner/minLength: 3}
      properties:
        inner: {type: string, minLength: 1, x-decision: {minLength: 4}}
        other: {type: string, minLength: 1, x-decision: {minLength: 4}}
"""
    )
    spec = build_spec(doc)
    assert spec.provenance("/components/schemas/Outer/properties/inner/minLength").decision == 3
    assert spec.provenance("/components/schemas/Outer/properties/inner/type").decision == 2
    assert spec.provenance("/components/schemas/Outer/properties/other/minLength").decision == 4


def test_notes_titles_parse_from_text():
    text = "1. **Two hosts.** text\n2. **A `b` c.** more\n  3. not an entry\n"
    assert notes_from_text(text) == {1: "Two hosts", 2: "A `b` c"}


# ---------------------------------------------------------------------- the docs' document


def test_the_docs_document_is_a_valid_openapi_document(spec):
    assert validate_document(spec.docs_document()) == []
    assert spec.docs_document() is spec.docs_document()  # cached


def test_the_docs_document_drops_what_was_decided(spec):
    docs = spec.docs_document()["components"]
    assert docs["schemas"]["CustomerList"]["required"] == ["object", "data"]
    assert "status" not in docs["schemas"]["Subscription"]["required"]
    assert "id" not in docs["schemas"]["Subscription"]["properties"]
    limit = docs["parameters"]["Limit"]["schema"]
    assert "maximum" not in limit and "minimum" not in limit and limit["default"] == 20
    assert "minLength" not in docs["parameters"]["StartingAfter"]["schema"]
    # the spec itself is untouched
    assert "maximum" in spec.content["components"]["parameters"]["Limit"]["schema"]


def _subscription(**changes):
    base = {
        "object": "subscription",
        "id": "sub_1",
        "token": "SUBSCRIPTION_TOKEN",
        "serial_number": 1,
        "created": 1410196578,
        "status": "active",
        "items": {"data": [], "count": 0},
        "total": 2200,
        "currency": "USD",
        "customer": {
            "object": "customer",
            "id": "CUSTOMER_TOKEN",
            "name": "John Doe",
            "email": "test@example.com",
            "created": 1410196576,
            "space": {"object": "space", "id": 1, "created": 1, "url": None},
        },
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not ...}


def _page(items, **changes):
    page = {"object": "list", "data": items, "has_more": False, "count": len(items)}
    page.update(changes)
    return {k: v for k, v in page.items() if v is not ...}


# (schema, instance): valid under the docs, not under the spec (a deviation).
DEVIATIONS = [
    ("SubscriptionList", _page([_subscription()], count=...)),
    ("SubscriptionList", _page([_subscription(status=...)])),
    ("SubscriptionList", _page([_subscription(id=...)], has_more=...)),
    ("Subscription", _subscription(id="")),
    ("Subscription", _subscription(serial_number=0)),
    ("CustomerList", _page([], count=-1)),
]
# (schema, instance): valid under both.
VALID = [
    ("SubscriptionList", _page([_subscription()])),
    ("SubscriptionList", _page([_subscription(id=...)])),
    ("Subscription", _subscription()),
]
# (schema, instance): invalid under both (the docs state the rule).
FAILURES = [
    ("SubscriptionList", _page([_subscription()], data=...)),
    ("SubscriptionList", _page([_subscription()], object="page")),
    ("Subscription", _subscription(token=...)),
    ("Subscription", _subscription(total="12")),
]


def _valid(spec, name, instance):
    return spec.validator(f"/components/schemas/{name}").is_valid(instance)


@pytest.mark.parametrize(("name", "instance"), DEVIATIONS)
def test_a_deviation_fails_the_spec_and_passes_the_docs(spec, name, instance):
    assert not _valid(spec, name, instance)
    assert _valid(spec.docs_spec(), name, instance)


@pytest.mark.parametrize(("name", "instance"), VALID + FAILURES)
def test_the_docs_agree_with_the_spec_where_nothing_was_decided(spec, name, instance):
    assert _valid(spec, name, instance) == _valid(spec.docs_spec(), name, instance)


def test_every_example_of_the_spec_is_valid_under_the_docs(spec):
    docs = spec.docs_spec()
    checked = 0
    for name in spec.schemas:
        pointer = f"/components/schemas/{name}"
        for example in spec.lookup(pointer).get("examples") or ():
            assert spec.validator(pointer).is_valid(example), name
            assert docs.validator(pointer).is_valid(example), name
            checked += 1
    assert checked > 10


# ---------------------------------------------------------------------- cursors


def test_each_list_declares_its_cursor_fields(spec):
    by_label = {lst.label: lst for lst in spec.lists}
    subscriptions = by_label["GET /subscriptions"]
    assert subscriptions.cursor_fields == ("id", "token")
    assert subscriptions.cursor_required  # every subscription has a token
    assert subscriptions.cursor_of({"id": "sub_1", "token": "t"}) == "sub_1"
    assert subscriptions.cursor_of({"token": "t"}) == "t"
    assert subscriptions.cursor_field_of({"token": "t"}) == "token"
    for label in ("GET /captured_emails", "GET /events", "GET /webhooks"):
        lst = by_label[label]
        assert lst.cursor_fields == ("id",) and not lst.cursor_required, label
        assert lst.cursor_of({"object": "event"}) is None
    for label in ("GET /customers", "GET /invoices", "GET /spaces"):
        assert by_label[label].cursor_required, label
