"""`--faults`: the plan's syntax, seeded reproducible fates, injected answers; and the request
id every answer carries. (The walk through a faulty sandbox: tests/integration/test_fault_walk.py.)
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Callable

import pytest

from spaces_toolkit.server.http.request_id import request_id_header
from spaces_toolkit.server.run.cli import register
from spaces_toolkit.server.sandbox.fault_injection import FaultInjection, FaultPlan, parse_faults

from .conftest import Sandbox


def test_the_issues_example_parses() -> None:
    plan = parse_faults("latency=200ms,429=5%,500=2%,reset=1%")
    assert plan == FaultPlan(latency=(0.2, 0.2), statuses=((429, 0.05), (500, 0.02)), reset=0.01)
    assert plan.describe() == "latency=200ms, 429=5.00%, 500=2.00%, reset=1.00%, seed=0"


def test_ranges_other_statuses_retry_after_and_seed() -> None:
    plan = parse_faults(" latency=50ms-1.5s , 503=10% , retry-after=2s, seed=7 ")
    assert plan.latency == (0.05, 1.5) and plan.statuses == ((503, 0.1),)
    assert (plan.retry_after, plan.seed) == (2.0, 7)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("429=5", "percentage"),
        ("429=120%", "percentage"),
        ("404=5%", "unknown fault '404'"),
        ("latency=fast", "duration"),
        ("latency=2s-1s", "backwards"),
        ("retry-after=0.5s", "whole seconds"),
        ("seed=x", "whole number"),
        ("reset", "NAME=VALUE"),
        ("429=60%,500=50%", "more than 100%"),
    ],
)
def test_a_wrong_plan_is_one_clear_sentence(text: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        parse_faults(text)


def test_the_serve_flag_refuses_a_wrong_plan_in_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    parser = argparse.ArgumentParser(prog="spaces")
    register(parser.add_subparsers())
    with pytest.raises(SystemExit) as done:
        parser.parse_args(["serve", "--faults", "429=lots"])
    assert done.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err == (
        "spaces serve: error: argument --faults: "
        "429: expected a percentage between 0% and 100%, got 'lots'"
    )
    args = parser.parse_args(["serve", "--faults", "500=1%"])
    assert args.faults == FaultPlan(statuses=((500, 0.01),))


def _fates(plan: FaultPlan, n: int) -> list[str]:
    injector = FaultInjection(lambda *a: None, plan)  # type: ignore[arg-type, return-value]
    return [injector._fate()[1] for _ in range(n)]


def test_fates_are_seeded_and_reproducible_and_match_the_percentages() -> None:
    plan = parse_faults("429=5%,500=2%,reset=1%")
    first = _fates(plan, 20_000)
    assert first == _fates(plan, 20_000)
    assert first != _fates(parse_faults("429=5%,500=2%,reset=1%,seed=1"), 20_000)
    counts = Counter(first)
    for fate, share in (("429", 0.05), ("500", 0.02), ("reset", 0.01)):
        assert abs(counts[fate] / len(first) - share) < share * 0.2, (fate, counts)


async def test_injected_answers_are_json_with_retry_after_and_a_request_id(
    make_sandbox: Callable[..., Sandbox],
) -> None:
    box = make_sandbox(customers=3, faults=parse_faults("429=50%,503=50%,retry-after=3s"))
    header = request_id_header()
    assert header == "Request-Id"
    seen: set[str] = set()
    async with box.client(box.tokens[0]) as http:
        for _ in range(12):
            answer = await http.get("/customers")
            assert answer.status_code in (429, 503)
            assert "injected" in answer.json()["message"]
            assert (answer.headers.get("Retry-After") == "3") == (answer.status_code == 429)
            seen.add(answer.headers[header])
        spec = await http.get("http://testserver/openapi.json")  # outside the API: never faulted
        assert spec.status_code == 200 and spec.headers[header].startswith("req_")
    assert len(seen) == 12 and all(rid.startswith("req_") for rid in seen)


async def test_every_normal_answer_has_a_fresh_request_id(sandbox: Sandbox) -> None:
    async with sandbox.client(sandbox.tokens[0]) as http:
        ok, missing = await http.get("/customers"), await http.get("/customers/cus_nope")
        unauthenticated = await http.get("/account", auth=None)
    assert (ok.status_code, missing.status_code, unauthenticated.status_code) == (200, 404, 401)
    ids = {a.headers["Request-Id"] for a in (ok, missing, unauthenticated)}
    assert len(ids) == 3
