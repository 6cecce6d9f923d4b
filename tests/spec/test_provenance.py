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
        ("/paths/~1resource_subscriptions/post/responses/413", 6),
        ("/paths/~1resource_subscriptions/post/responses/400", None),
        ("/components/schemas/ResourceSubscriptionCreateParams/properties/event/enum", 37),
        ("/components/schemas/ResourceSubscription/properties/event/enum", 32),
        ("/components/schemas/Invoice/properties/currency/type", 16),
        ("/components/schemas/Event/oneOf/2", 31),
        ("/components/schemas/Error/required/0", 5),
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


def test_the_innermost_decision_wins_and_the_longest_key():
    doc = read_document(
        """
openapi: 3.1.0
info: {title: T, version: "1"}
paths: {}
components:
  schemas:
    Outer:
      type: object
      x-decision: {properties/inner: 2, properties/inner/maxLength: 3, properties/ref: 5}
      properties:
        inner: {type: string, minLength: 1, maxLength: 9, x-decision: {minLength: 4}}
        ref: {$ref: "#/components/schemas/Inner"}
        other: {$ref: "#/components/schemas/Inner"}
    Inner: {type: string, minLength: 1, x-decision: {minLength: 6}}
"""
    )
    spec = build_spec(doc)
    outer = "/components/schemas/Outer/properties"
    assert spec.provenance(f"{outer}/inner/minLength").decision == 4
    assert spec.provenance(f"{outer}/inner/maxLength").decision == 3
    assert spec.provenance(f"{outer}/inner/type").decision == 2
    # a decided use of a referenced schema is decided as a whole
    assert spec.provenance(f"{outer}/ref/minLength").decision == 5
    assert spec.provenance(f"{outer}/ref/$ref/minLength").decision == 5
    assert spec.provenance(f"{outer}/other/minLength").decision == 6
    assert spec.provenance(f"{outer}/other/type").stated


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


# ---------------------------------------------------------------------- completeness

# The NOTES entries that change nothing a request or a response can be validated against, each
# with the reason. Every other entry must be named by an `x-decision` where it applies.
NO_RULE = {
    1: "which hosts serve the API: the servers list, no rule on a request or a response",
    2: "a transport rule (HTTPS only) no schema, parameter or status of the document can say",
    3: "accepts http target URLs the docs' own example sends; the URL's form is decision 39",
    7: "200 is what the docs state",
    8: "the parameter's name and first sentence state it; the docs' example is a slip",
    11: "the spec fixes no order: nothing is added",
    15: "examples only",
    17: "accepts exactly the two types the docs' examples show; nothing narrower fits both",
    20: "the docs state that url may be null",
    23: "no rule is added: totals are not required to add up",
    26: "the items envelopes are the tables' items->data and items->count; nothing is added",
    27: "examples only",
    28: "the malformed example is not JSON, so it offers no second reading; table and "
    "retrieve example agree",
    29: "a heading",
    34: "what `pending` says over a day of retries: no single request or response shows it",
    35: "nothing is declared",
    40: "the document's version: metadata",
    41: "the name of a path parameter: the URL is the same",
    43: "the docs state ids unique per user and 404 for what is not found",
    44: "wording",
    45: "nothing is added",
    46: "the document's licence: metadata",
    48: "examples only",
    49: "the contract's own version: metadata",
    53: "when a target's name is resolved (the reference server's policy): no request or "
    "response of the document can say it; the URL's form is decision 39",
    54: "the reference server's limits (signatures sent, one Authorization, host-label syntax,"
    " when a webhook is sent again): "
    "policies no schema states; target_url's own form is decision 39",
    55: "a parameter given more than once: no schema keyword says a value comes once; the "
    "contract suite grades it by its RULES (repeated_parameter)",
    56: "which error an unknown cursor gets, 400 or the docs' 404: a behaviour, graded by the "
    "contract suite's RULES (unknown_cursor)",
    58: "which error a string id of another shape gets, 404 or 400: graded by the contract "
    "suite's RULES (foreign_id_shape)",
    57: "no schema keyword answers a method the document lacks; the contract suite's RULES "
    "(unimplemented_method)",
}


def test_every_entry_that_changes_validity_is_named_where_it_applies(spec):
    named = {n for n, d in spec.decisions.items() if d.pointers}
    assert not named & set(NO_RULE), "an entry named by x-decision is listed as changing nothing"
    unnamed = set(spec.decisions) - named - set(NO_RULE)
    assert not unnamed, f"NOTES entries neither named by an x-decision nor in NO_RULE: {unnamed}"
    assert all(reason.strip() for reason in NO_RULE.values())


_BOUNDS = frozenset(
    {"minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
     "pattern", "format", "minItems", "maxItems", "multipleOf", "enum"}
)  # fmt: skip
# Bounds the docs state, with where they say so. Any other bound must name its decision.
STATED_BOUNDS = {
    "/components/schemas/Space/properties/id/minimum": "ID is sequentially running starting from 1",
    "/components/schemas/ResourceSubscriptionCreateParams/properties/target_url/format": "The "
    "target URL to send webhooks to",
}


def _bounds(node, pointer=""):
    if isinstance(node, dict):
        for key, value in node.items():
            if key.startswith("x-") or key in ("example", "examples", "const", "default"):
                continue
            here = f"{pointer}/{key.replace('~', '~0').replace('/', '~1')}"
            if key in _BOUNDS and not isinstance(value, dict):
                yield here
            else:
                yield from _bounds(value, here)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _bounds(value, f"{pointer}/{index}")


def test_every_bound_is_stated_by_the_docs_or_decided(spec):
    found = list(_bounds(spec.content))
    assert len(found) > 30
    stated = {p for p in found if spec.provenance(p).stated}
    assert stated == set(STATED_BOUNDS)


# target_url: every absolute http(s) URI RFC 3986 allows is a URL under the docs; the spec's
# narrower pattern and length are decision 39.
DOCS_URLS = [
    "https://0.a4.com*",
    "https://user:pw@example.com/",
    "https://example.com/#fragment",
    "http://[::1]:8080/x",
    "http://[fe80::1%25eth0]/",
    "http://my_host.example.com/",
    "http://bücher.example/",
    "http://%C3%A9.example/",
    "HTTPS://EXAMPLE.COM/",
    "http://example.com./",
    "http://example.com:/",
    "https://example.com/" + "a" * 3000,
]
SPEC_URLS = ["http://example.com/resource_subscription_example", "https://10.0.0.1:8443/a?b=c"]
NOT_URLS = [
    "ftp://example.com/",
    "http://",
    "http:/x",
    "example.com",
    "//example.com",
    "http://exa mple.com/",
    "http://example.com/%zz",
    "",
]


def _params(spec, url):
    validator = spec.validator("/components/schemas/ResourceSubscriptionCreateParams")
    return validator.is_valid({"event": "customer.created", "target_url": url})


@pytest.mark.parametrize("url", DOCS_URLS)
def test_a_url_the_docs_allow_and_the_spec_decided_against(spec, url):
    assert _params(spec.docs_spec(), url)
    assert not _params(spec, url)
    pointer = "/components/schemas/ResourceSubscriptionCreateParams/properties/target_url"
    assert spec.provenance(f"{pointer}/pattern").decision == 39


@pytest.mark.parametrize("url", SPEC_URLS)
def test_a_url_both_allow(spec, url):
    assert _params(spec, url) and _params(spec.docs_spec(), url)


@pytest.mark.parametrize("url", NOT_URLS)
def test_not_a_url_under_either(spec, url):
    assert not _params(spec, url) and not _params(spec.docs_spec(), url)


def test_the_docs_url_pattern_is_linear_on_long_near_misses(spec):
    import re
    import time

    docs = spec.docs_document()["components"]["schemas"]["ResourceSubscriptionCreateParams"]
    pattern = re.compile(docs["properties"]["target_url"]["pattern"])
    # no timing assertion: a catastrophic pattern would not finish at all on these
    for tail in ("a" * 20000 + " ", "a:" * 5000 + " ", "/a" * 5000 + "%", "@" * 5000 + " "):
        assert pattern.search("http://" + tail) is None
    del time


def test_currency_either_reading(spec):
    docs = spec.docs_spec()
    assert spec.validator("/components/schemas/Currency").is_valid("USD")
    assert not spec.validator("/components/schemas/Currency").is_valid(840)
    assert docs.validator("/components/schemas/Currency").is_valid(840)
    assert not docs.validator("/components/schemas/Currency").is_valid({"code": "USD"})


def test_an_event_of_an_undocumented_type_is_a_deviation(spec):
    event = {"object": "event", "created": 1, "type": "subscription.cancelled", "data": {}}
    assert not spec.validator("/components/schemas/Event").is_valid(event)
    assert spec.docs_spec().validator("/components/schemas/Event").is_valid(event)
    assert not spec.docs_spec().validator("/components/schemas/Event").is_valid({"object": "x"})
