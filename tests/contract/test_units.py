"""Small pieces of the suite, without a server."""

from __future__ import annotations

import base64
import re

import pytest

from spaces_toolkit.contract.apispec import expected_object_problems, load_model
from spaces_toolkit.contract.inputs import BodyRepair, CursorPool, _fix_query, public_target
from spaces_toolkit.contract.model import Credentials, Failure, SuiteResult, render_curl
from spaces_toolkit.spec import default_spec


def _basic(token: str) -> str:
    return "Basic " + base64.b64encode(f"{token}:".encode()).decode()


def test_curl_names_tokens_by_environment_variable() -> None:
    creds = Credentials("tok_secret_1", "tok_secret_2")
    line = render_curl(
        "post",
        "http://127.0.0.1:8000/api/v1/resource_subscriptions",
        {"Authorization": _basic("tok_secret_2"), "Content-Type": "application/json"},
        b'{"event": "customer.created", "note": "it\'s tok_secret_1"}',
        creds,
    )
    assert line.startswith('curl -sS -X POST -u "$SPACES_SECOND_ACCESS_TOKEN:" -H \'Content-Type:')
    assert "tok_secret" not in line
    assert "$SPACES_ACCESS_TOKEN" in line  # masked in the body too
    unknown = render_curl("GET", "http://h/x", {"Authorization": _basic("garbage")}, None, creds)
    assert "-H 'Authorization: Basic " in unknown


def test_model_finds_lists_and_their_retrieve_links() -> None:
    model = load_model()
    lists = {lst.label: lst for lst in model.lists}
    assert len(model.operations) == 14 and len(lists) == 8
    assert lists["GET /spaces"].cursor_is_integer
    subscriptions = lists["GET /subscriptions"]
    assert subscriptions.retrieve is not None
    assert dict(subscriptions.retrieve_params) == {"customer_id": "/customer/id", "token": "/token"}


def test_object_names_are_checked_on_nested_objects_and_event_branches() -> None:
    model = load_model()
    schema = model.by_label("GET /events").success_schema
    event = {
        "object": "event",
        "created": 1,
        "type": "invoice.paid",
        "data": {"object": {"object": "customer", "items": {"data": []}}},
    }
    body = {"object": "list", "data": [event], "has_more": False, "count": 1}
    problems = expected_object_problems(model.spec, schema, body)
    assert problems == ["/data/0/data/object: `object` is 'customer', expected 'invoice'"]
    event["data"]["object"] = {"object": "invoice", "customer": {"object": "user"}}
    assert expected_object_problems(model.spec, schema, body) == [
        "/data/0/data/object/customer: `object` is 'user', expected 'customer'"
    ]
    body["object"] = "page"
    assert "/: `object` is 'page', expected 'list'" in expected_object_problems(
        model.spec, schema, body
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:8080/hook", "http://example.com:8080/hook"),
        ("https://localhost/x?y=1", "https://example.com/x?y=1"),
        ("http://10.1.2.3/", "http://example.com/"),
        ("http://0/", "http://example.com/"),
        ("http://127.1/a", "http://example.com/a"),
        ("https://hooks.example.org/a", "https://hooks.example.org/a"),
        ("http://8.8.8.8/a", "http://8.8.8.8/a"),
    ],
)
def test_public_target(url: str, expected: str) -> None:
    assert public_target(url) == expected


def test_a_repeated_subscription_gets_a_fresh_target() -> None:
    """A server may refuse a duplicate subscription (NOTES 38): a run never sends one."""
    repair = BodyRepair()
    first = {"event": "space.created", "target_url": "http://127.0.0.1/a"}
    repair(first)
    assert first["target_url"] == "http://example.com/a"
    other_event = {"event": "space.deleted", "target_url": "http://example.com/a"}
    repair(other_event)
    assert other_event["target_url"] == "http://example.com/a"
    again = [{"event": "space.created", "target_url": "http://localhost/a"} for _ in range(3)]
    for body in again:
        repair(body)
    targets = {body["target_url"] for body in again}
    assert len(targets) == 3 and "http://example.com/a" not in targets
    params = default_spec().schemas["ResourceSubscriptionCreateParams"]
    pattern = params["properties"]["target_url"]["pattern"]
    assert all(re.search(pattern, t) for t in targets)


def test_positive_queries_get_real_cursors_deterministically() -> None:
    params = ("starting_after", "starting_before")
    query = {"limit": 5, "starting_after": "zz", "starting_before": "yy"}
    _fix_query(query, CursorPool(params, ["a", "b", "c"]))
    assert set(query) == {"limit", "starting_after"} and query["starting_after"] in "abc"
    again = {"limit": 5, "starting_after": "zz"}
    _fix_query(again, CursorPool(params, ["a", "b", "c"]))
    assert again == query
    empty = {"starting_before": 3}
    _fix_query(empty, CursorPool(params, []))
    assert empty == {}
    known = {"starting_after": "b"}
    _fix_query(known, CursorPool(params, ["a", "b"]))
    assert known == {"starting_after": "b"}


def test_every_distinct_failing_input_is_kept_and_a_broken_rule_once() -> None:
    from spaces_toolkit.contract.catalogue import DEVIATION
    from spaces_toolkit.contract.model import MAX_INPUTS, RULE_KEY

    result = SuiteResult(base_url="http://h", seed=1, embedded=True)
    result.record(Failure("c", "GET /x", "t", "long", curl="curl 'http://h/x?a=1&b=2'"))
    result.record(Failure("c", "GET /x", "t", "short", curl="curl 'http://h/x'"))
    result.record(Failure("c", "GET /x", "t", "again", curl="curl 'http://h/x'"))
    result.record(Failure("c", "GET /x", "other", "m"))
    assert [f.message for f in result.failures] == ["long", "short", "m"]
    assert result.exit_code == 1 and result.failed_checks == {"c"}
    # A rule of the spec broken on two lists: one deviation for the run.
    for label in ("GET /a", "GET /b"):
        result.record(
            Failure("s", label, "v", "m", grade=DEVIATION, decisions=(12,), key=RULE_KEY + "r")
        )
    assert len(result.deviations) == 1 and result.decisions_deviated == [12]
    for n in range(MAX_INPUTS + 5):
        result.record(Failure("d", "GET /y", "t", "m", curl=f"curl {n}"))
    assert result.dropped[("d", "GET /y", "t")] == 5


def test_deviations_fail_only_under_strict() -> None:
    from spaces_toolkit.contract.catalogue import DEVIATION

    result = SuiteResult(base_url="http://h", seed=1, embedded=True)
    result.record(Failure("c", "GET /x", "t", "m", grade=DEVIATION, decisions=(9,)))
    assert result.exit_code == 0 and result.failed_checks == set()
    result.strict = True
    assert result.exit_code == 1


def test_curl_arguments_survive_the_shell_byte_for_byte() -> None:
    import subprocess

    from spaces_toolkit.contract.model import shell_quote

    for text in ["plain", "it's", "a\x1fb\x7fc", "é ü 😀", "back\\slash 'q' \"dq\" $HOME"]:
        out = subprocess.run(
            ["bash", "-c", f"printf %s {shell_quote(text)}"], capture_output=True, check=True
        ).stdout
        assert out == text.encode(), text


def test_every_decided_behaviour_the_probes_grade_names_a_notes_entry() -> None:
    from spaces_toolkit.contract.grading import RULES, rule_decision
    from spaces_toolkit.spec import default_spec

    spec = default_spec()
    for rule in RULES.values():
        number = rule_decision(spec, rule)
        assert number is not None and number in spec.decisions, rule


def test_every_check_has_one_stable_code() -> None:
    from schemathesis.checks import CHECKS as ST_CHECKS
    from schemathesis.checks import load_all_checks

    from spaces_toolkit.contract import checks, http, linkprobe, probes, walks
    from spaces_toolkit.contract.catalogue import CHECKS

    ours = (checks.list_envelope, checks.object_types, checks.error_json_message)
    names = {check.__name__ for check in ours} | {http.NO_ANSWER}
    names |= {walks.WALK, walks.BACK, walks.REFUSED, walks.IDENTITY, walks.BOUNDARY}
    names |= {walks.ENVELOPE, probes.AUTH, probes.TENANCY, probes.PARENT, probes.ROUNDTRIP}
    names |= {linkprobe.LINK, linkprobe.BAD_INPUT}
    assert names <= set(CHECKS)
    load_all_checks()
    builtin = {c.__name__ for c in ST_CHECKS.get_all()} - names
    assert builtin <= set(CHECKS), builtin - set(CHECKS)
    codes = [c.code for c in CHECKS.values()]
    assert len(codes) == len(set(codes))


def test_a_repeated_parameter_is_graded_by_each_of_its_values() -> None:
    from spaces_toolkit.contract.catalogue import DEVIATION, FAILURE
    from spaces_toolkit.contract.grading import grader_for
    from spaces_toolkit.spec import default_spec

    grader = grader_for(default_spec())
    url = "http://h/api/v1/customers?"
    # One docs-valid value: a server may have read that one (decision 55).
    verdict = grader.grade_request("GET /customers", url + "limit=abc&limit=5", "", None)
    assert verdict is not None and verdict.grade == DEVIATION and 55 in verdict.decisions
    # Every value breaks the docs: whichever a server read, it accepted an invalid parameter.
    verdict = grader.grade_request("GET /customers", url + "limit=abc&limit=x", "", None)
    assert verdict is not None and verdict.grade == FAILURE
    # Given once, as before.
    verdict = grader.grade_request("GET /customers", url + "limit=abc", "", None)
    assert verdict is not None and verdict.grade == FAILURE
    form = "application/x-www-form-urlencoded"
    label = "POST /resource_subscriptions"
    path = "http://h/api/v1/resource_subscriptions"
    body = b"event=customer.created&target_url=nope&target_url=https%3A%2F%2Fexample.com%2Fh"
    verdict = grader.grade_request(label, path, form, body)
    assert verdict is not None and verdict.grade == DEVIATION and 55 in verdict.decisions
    body = b"event=customer.created&target_url=nope&target_url=also-not"
    verdict = grader.grade_request(label, path, form, body)
    assert verdict is not None and verdict.grade == FAILURE


def test_a_status_the_docs_list_but_the_operation_does_not_declare_is_a_deviation() -> None:
    from spaces_toolkit.contract.catalogue import DEVIATION
    from spaces_toolkit.contract.grading import RULES, deviation_for, grader_for
    from spaces_toolkit.spec import default_spec

    spec = default_spec()
    grader = grader_for(spec)
    verdict = grader.grade_status(404)  # e.g. on a list, for a cursor naming nothing
    assert verdict is not None and verdict.grade == DEVIATION and verdict.decisions == (6,)
    assert grader.grade_status(403) is None and grader.grade_status(418) is None
    # An unknown cursor: 404 deviates from decision 56; a page (200) accepts it: a failure.
    assert deviation_for(spec, RULES["unknown_cursor"], 404) == 56
    assert deviation_for(spec, RULES["unknown_cursor"], 200) is None
    # Rules without a list of tolerated answers deviate on any.
    assert deviation_for(spec, RULES["empty_cursor"], 200) == 51


def test_a_501_to_a_method_implemented_nowhere_is_a_deviation() -> None:
    """RFC 9110 15.6.2 makes 501 a right answer to a method the server supports for no
    resource; the spec's 405 is decision 57. Any other answer, or a 501 to a declared method,
    is a failure."""
    from spaces_toolkit.contract.catalogue import DEVIATION
    from spaces_toolkit.contract.grading import grade_method
    from spaces_toolkit.spec import default_spec

    spec = default_spec()
    verdict = grade_method(spec, "GET /customers", "PUT", 501)
    assert verdict is not None and verdict.grade == DEVIATION and verdict.decisions == (57,)
    assert grade_method(spec, "GET /customers", "PUT", 404) is None
    assert grade_method(spec, "GET /customers", "PUT", 500) is None
    assert grade_method(spec, "GET /customers", "GET", 501) is None  # declared: a server error


def test_a_json_body_refused_by_a_form_only_server_is_a_deviation() -> None:
    """The docs show the create call with a form only; taking JSON too is decision 38."""
    from spaces_toolkit.contract.catalogue import DEVIATION
    from spaces_toolkit.contract.grading import grade_body_encoding
    from spaces_toolkit.spec import default_spec

    spec = default_spec()
    label = "POST /resource_subscriptions"
    for status in (400, 415):
        verdict = grade_body_encoding(spec, label, "application/json; charset=utf-8", status)
        assert verdict is not None and verdict.grade == DEVIATION and verdict.decisions == (38,)
    assert grade_body_encoding(spec, label, "application/json", 500) is None
    assert grade_body_encoding(spec, label, "application/x-www-form-urlencoded", 415) is None
    assert grade_body_encoding(spec, "GET /customers", "application/json", 415) is None


def test_a_generated_string_id_refused_with_400_is_a_deviation_from_58() -> None:
    from spaces_toolkit.contract.catalogue import DEVIATION
    from spaces_toolkit.contract.grading import grade_foreign_id
    from spaces_toolkit.spec import default_spec

    spec = default_spec()
    verdict = grade_foreign_id(spec, "GET /customers/{id}", "http://h/api/v1/customers/x", 400)
    assert verdict is not None and verdict.grade == DEVIATION and verdict.decisions == (58,)
    assert grade_foreign_id(spec, "GET /customers/{id}", "http://h/api/v1/customers/x", 403) is None
    # Space ids are integers (decision 42's), lists take no path id, a query is no id at all
    assert grade_foreign_id(spec, "GET /spaces/{id}", "http://h/api/v1/spaces/1", 400) is None
    assert grade_foreign_id(spec, "GET /customers", "http://h/api/v1/customers", 400) is None
    assert (
        grade_foreign_id(spec, "GET /invoices/{id}", "http://h/api/v1/invoices/x?a=1", 400) is None
    )
