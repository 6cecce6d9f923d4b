"""Grading: a server that takes the docs' other reading where spec/NOTES.md decided (lists
without `count`, NOTES 12; subscriptions without `status`, NOTES 24) deviates, it does not
fail: each violation names the decisions it departs from, the run exits 0, and 1 with
--strict. A breach of what the docs state stays a failure."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest

from spaces_toolkit.contract import faults
from spaces_toolkit.contract.asgi import intercept
from spaces_toolkit.proxy.replay import replay
from spaces_toolkit.proxy.run import proxy_in_thread
from spaces_toolkit.proxy.session import Outputs
from spaces_toolkit.server.run.embedded import run_embedded
from spaces_toolkit.spec import default_spec
from tests.proxy.traffic import OTHER, sample


def _docs_reading(request, body):
    """Drop what only a decision requires: `count` of a list, `status` of a subscription."""
    body.pop("count", None)
    faults.walk_objects(
        body, lambda o: o.pop("status", None) if o.get("object") == "subscription" else None
    )
    return body


def _drop_name(request, body):
    """Drop what the docs' table states: a customer's `name`."""
    faults.walk_objects(
        body, lambda o: o.pop("name", None) if o.get("object") == "customer" else None
    )
    return body


def _ok(request, answer):
    return answer.status == 200 and request.method == "GET"


def _traffic(base_url: str, token: str) -> None:
    with httpx.Client(base_url=base_url, auth=(token, ""), timeout=30) as client:
        client.get("/customers", params={"limit": 3}).raise_for_status()
        subs = client.get("/subscriptions", params={"limit": 2})
        subs.raise_for_status()
        first = subs.json()["data"][0]
        client.get(f"/customers/{first['customer']['id']}/subscriptions/{first['token']}")


def _run(tmp_path, edit, *, strict: bool = False, log=None):
    wrap = intercept(faults.edit_json(edit, _ok)())
    record = tmp_path / "traffic.har"
    outputs = Outputs(print=lambda line: None, record=record, strict=strict, log=log)
    with run_embedded(tmp_path / "spaces.db", wrap=wrap) as server:
        with proxy_in_thread(server.base_url, outputs=outputs) as proxy:
            _traffic(proxy.url, server.tokens[0])
    return proxy.session, record


def test_the_docs_other_reading_is_a_deviation_naming_its_decisions(tmp_path):
    log = tmp_path / "violations.jsonl"
    session, record = _run(tmp_path, _docs_reading, log=log)
    found = {(v.check, v.operation, v.decisions) for v in session.violations}
    assert found == {
        # a missing `count` is reported once, by the schema (the suite's list_envelope holds
        # `count` to len(data) only where it is sent)
        ("response_schema_conformance", "GET /customers", (12,)),
        ("response_schema_conformance", "GET /subscriptions", (12, 24)),
        (
            "response_schema_conformance",
            "GET /customers/{customer_id}/subscriptions/{token}",
            (24,),
        ),
    }, session.summary()
    assert {v.grade for v in session.violations} == {"deviation"}
    assert {v.decision for v in session.violations} == {12, 24}
    assert session.exit_code == 0
    summary = session.summary()
    assert "PASSED: 0 failures, 3 deviations" in summary
    spec = default_spec()
    assert f"NOTES 12: {spec.notes[12]}" in summary and f"NOTES 24: {spec.notes[24]}" in summary
    assert "deviation (NOTES 12, 24)" in summary
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert {(r["grade"], r["decision"]) for r in lines if r["type"] == "violation"} == {
        ("deviation", 12),
        ("deviation", 24),
    }
    assert lines[-1]["exit"] == 0
    # the suite's report: deviations are notes, not failures
    result = session.suite_result()
    assert result.failures == []
    assert any("deviation (NOTES 12)" in note for note in result.notes)
    # a replay grades the same
    assert replay(record, outputs=Outputs(print=lambda line: None)).verdict() == session.verdict()


def test_strict_makes_deviations_fail_the_run(tmp_path):
    session, record = _run(tmp_path, _docs_reading, strict=True)
    assert session.exit_code == 1
    assert "(--strict: deviations fail the run) (exit 1)" in session.summary()
    titles = [f.title for f in session.suite_result().failures]
    assert len(titles) == 3 and all("deviation (NOTES" in t for t in titles)
    # the command: exit 0 without --strict, 1 with it
    for args, code in (([], 0), (["--strict"], 1)):
        done = subprocess.run(
            [sys.executable, "-m", "spaces_toolkit.cli", "proxy", "--replay", str(record), *args],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == code, done.stdout + done.stderr
        marks = [line[:2] for line in done.stdout.splitlines() if line[:2] in ("~ ", "✗ ")]
        assert marks == ["~ "] * 3  # a deviation's line, not a failure's ✗
        assert "deviation (NOTES 12)" in done.stdout


@pytest.mark.parametrize("strict", [False, True])
def test_what_the_docs_state_is_still_a_failure(tmp_path, strict):
    session, _ = _run(tmp_path, _drop_name, strict=strict)
    schema = [v for v in session.violations if v.check == "response_schema_conformance"]
    assert schema and {(v.grade, v.decision) for v in schema} == {("failure", None)}
    assert session.exit_code == 1


def test_a_limit_out_of_the_decided_range_is_a_client_deviation():
    from spaces_toolkit.proxy.checking import Checker
    from spaces_toolkit.proxy.exchange import Exchange

    checker = Checker(default_spec())
    error = (("content-type", "application/json"),)
    auth = (("authorization", "Basic dG9rOg=="),)

    def check(limit: str):
        target = f"{checker.base_path}/customers?limit={limit}"
        exchange = Exchange(1, "", "GET", target, auth, b"", 400, error, b'{"message": "no"}')
        return [(v.check, v.party, v.grade, v.decisions) for v in checker.check(exchange)]

    assert check("0") == [("request_parameters", "client", "deviation", (10,))]
    assert check("ten") == [("request_parameters", "client", "failure", ())]


# ---------------------------------------------------------------- graded as the suite grades
# (spaces_toolkit.contract.grading: NOTES 6's status table, 55, 56), exchange by exchange.


def _graded(checker, exchange):
    return sorted((v.check, v.party, v.grade, v.decisions) for v in checker.check(exchange))


@pytest.fixture
def checker():
    from spaces_toolkit.proxy.checking import Checker

    return Checker(default_spec())


def test_an_unknown_cursor_answered_404_with_a_message_deviates_from_56(checker):
    target = f"{checker.base_path}/customers?starting_after=cus_nothing"
    assert _graded(checker, sample(1, "GET", target, 404)) == [
        ("status_code_conformance", "server", "deviation", (6, 56))
    ]
    # without a JSON message it is no reading of the docs: the error shape fails
    plain = sample(2, "GET", target, 404, b"not found", headers=(("content-type", "text/plain"),))
    found = _graded(checker, plain)
    assert ("status_code_conformance", "server", "deviation", (6,)) in found
    assert any(c == "error_json_message" and g == "failure" for c, _, g, _ in found), found


def test_a_cursor_naming_no_object_answered_200_fails(checker):
    page = json.dumps(
        {
            "object": "list",
            "url": "/customers",
            "has_more": False,
            "count": 1,
            "data": [{"object": "customer", "id": "cus_mine"}],
        }
    ).encode()
    base = f"{checker.base_path}/customers"
    checker.check(sample(1, "GET", base, 200, page))
    foreign = f"{base}?starting_after=cus_mine"
    empty = b'{"object": "list", "url": "/customers", "has_more": false, "count": 0, "data": []}'
    found = _graded(checker, sample(2, "GET", foreign, 200, empty, auth=OTHER))
    assert ("cursor_refused", "server", "failure", ()) in found
    # the same cursor answered 404 with a message: the docs' other reading (NOTES 56)
    found = _graded(checker, sample(3, "GET", foreign, 404, auth=OTHER))
    assert found == [("status_code_conformance", "server", "deviation", (6, 56))]


def test_an_undeclared_status_of_the_docs_table_deviates_from_6(checker):
    account = f"{checker.base_path}/account"
    assert _graded(checker, sample(1, "GET", account, 404)) == [
        ("status_code_conformance", "server", "deviation", (6,))
    ]
    # 404 to a list without a cursor: the status table's, nothing of 56
    customers = f"{checker.base_path}/customers"
    assert _graded(checker, sample(2, "GET", customers, 404)) == [
        ("status_code_conformance", "server", "deviation", (6,))
    ]
    # a status the docs' table lacks stays a failure
    assert _graded(checker, sample(3, "GET", account, 403)) == [
        ("status_code_conformance", "server", "failure", ())
    ]


def test_a_429_checks_the_request_only(checker):
    """Too many requests (RFC 6585): a rate limiter's refusal says nothing of the answer, as
    in the suite (its generated cases answered 429 are not checked); the client's request is
    still checked."""
    customers = f"{checker.base_path}/customers"
    assert _graded(checker, sample(1, "GET", f"{customers}?limit=5", 429, b"slow down")) == []
    found = _graded(checker, sample(2, "GET", f"{customers}?limit=ten", 429))
    assert found == [("request_parameters", "client", "failure", ())]
    assert checker.rate_limited == 2
    # any other status the docs' table lacks is still graded
    assert _graded(checker, sample(3, "GET", customers, 403)) == [
        ("status_code_conformance", "server", "failure", ())
    ]


@pytest.mark.parametrize(
    ("query", "grade", "decisions"),
    [
        ("limit=5&limit=ten", "deviation", (55,)),  # a server reading the first is right
        ("limit=ten&limit=5", "deviation", (55,)),  # ... and one reading the last
        ("limit=ten&limit=abc", "failure", ()),  # no value the docs allow
    ],
)
def test_a_repeated_parameter_is_graded_value_by_value(checker, query, grade, decisions):
    target = f"{checker.base_path}/customers?{query}"
    found = _graded(checker, sample(1, "GET", target, 400))
    assert found == [("request_parameters", "client", grade, decisions)]


@pytest.mark.parametrize(
    ("form", "grade", "decisions"),
    [
        (
            "event=customer.created&target_url=ftp://a&target_url=http://a.example/h",
            "deviation",
            (55,),
        ),
        ("event=customer.created&target_url=ftp://a&target_url=gopher://b", "failure", ()),
    ],
)
def test_a_repeated_form_field_is_graded_value_by_value(checker, form, grade, decisions):
    target = f"{checker.base_path}/resource_subscriptions"
    sent = (("content-type", "application/x-www-form-urlencoded"),)
    exchange = sample(1, "POST", target, 400, sent=sent, request=form.encode())
    assert _graded(checker, exchange) == [("request_body", "client", grade, decisions)]


def test_a_501_to_a_method_the_path_lacks_deviates_from_57(checker):
    target = f"{checker.base_path}/customers"
    error = b'{"message": "PUT is not implemented"}'
    found = _graded(checker, sample(1, "PUT", target, 501, error))
    assert ("unsupported_method", "server", "deviation", (57,)) in found
    assert ("not_a_server_error", "server", "deviation", (57,)) in found
    assert not [v for v in found if v[2] == "failure" and v[1] == "server"], found
    # a 404 is no reading of either: the failure stands
    found = _graded(checker, sample(2, "PUT", target, 404))
    assert ("unsupported_method", "server", "failure", ()) in found
    # a 501 to a declared method is a server error
    found = _graded(checker, sample(3, "GET", target, 501, error))
    assert ("not_a_server_error", "server", "failure", ()) in found


def test_a_json_body_refused_with_415_deviates_from_38(checker):
    target = f"{checker.base_path}/resource_subscriptions"
    sent = (("content-type", "application/json"),)
    body = b'{"event": "customer.created", "target_url": "http://a.example/h"}'
    found = _graded(checker, sample(1, "POST", target, 415, sent=sent, request=body))
    assert ("positive_data_acceptance", "server", "deviation", (38,)) in found, found
