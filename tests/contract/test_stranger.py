"""The suite against a server that did not grow up with the spec: testing/stranger, written from
the prose docs alone, with readings of its own where the docs are silent or contradict themselves
(no `id` on four objects, subscriptions paged by `token`, per-account Space ids, integer
currencies, clamped `limit`, empty cursors as absent, 404 for a malformed id and for an
unknown cursor ...).

Every profile of testing.stranger's READINGS (a second docs-only implementer: newest first, the
examples' ids and currencies, stricter 400s, a form-only create call, 501 to methods it implements
nowhere, HTTP's optional machinery: chunked, gzip, ETag, Connection: close ...) is run.

Both directions: the docs-correct server passes (deviations from the spec's decisions allowed and
reported with their NOTES numbers), and each deliberate breach of the docs is a failure."""

from __future__ import annotations

import pytest

from spaces_toolkit.contract.defaults import PHASES
from spaces_toolkit.contract.model import SuiteResult
from spaces_toolkit.contract.report import render_summary
from spaces_toolkit.contract.runner import ContractOptions, run_contract
from spaces_toolkit.spec import default_spec
from testing.stranger import BREACHES, READINGS, create_app
from testing.stranger.serve import serving

# What each breach must be caught by: (check, operation) pairs that must all be failures.
CAUGHT_BY = {
    "has_more_off_by_one": {("has_more_boundary", "GET /customers")},
    # Every list: a list failing its envelope must not hide the lists probed after it.
    "ignores_limit": {
        ("pagination_envelope", "GET /captured_emails"),
        ("pagination_walk", "GET /customers"),
        ("pagination_envelope", "GET /events"),
        ("pagination_walk", "GET /subscriptions"),
        ("pagination_envelope", "GET /webhooks"),
    },
    "no_challenge": {("auth_required", "GET /account"), ("auth_required", "GET /customers")},
    "cross_account": {("tenant_isolation", "GET /customers/{id}")},
    # The docs state "200 OK" for the create call: RFC 9110's 201 does not override them.
    "created_201": {
        ("status_code_conformance", "POST /resource_subscriptions"),
        ("subscription_roundtrip", "POST /resource_subscriptions"),
    },
    "cursor_ignored": {
        ("cursor_refused", "GET /customers"),
        ("tenant_isolation", "GET /customers"),
    },
    # A 400 to a generated id deviates (NOTES 58); to the server's own listed ids it fails.
    "own_ids_refused": {
        ("link_target", "GET /customers/{id}"),
        ("list_retrieve_identity", "GET /customers/{id}"),
    },
    "subscription_any_customer": {
        ("parent_scope", "GET /customers/{customer_id}/subscriptions/{token}")
    },
}


# Where a profile's readings move the catch: the second's lists all carry `id`, so a list that
# ignores `limit` is caught walking it rather than by its envelope alone.
CAUGHT_BY_PROFILE: dict[str, dict[str, set[tuple[str, str]]]] = {
    "first": {},
    "second": {
        "ignores_limit": {
            (check, f"GET /{name}")
            for check in ("pagination_walk",)
            for name in ("captured_emails", "customers", "events", "subscriptions", "webhooks")
        }
    },
}

# Per profile of READINGS: the NOTES decisions its deviations must name at least (each a reading
# of the docs the spec decided otherwise), and the lists it leaves unwalkable (no cursor field).
EXPECTED = {
    "first": ({9, 10, 42, 51, 56}, ("GET /captured_emails", "GET /events", "GET /webhooks")),
    # 501 to PUT/DELETE/PATCH (57), form-only create (38), starting_after wins over before (9).
    "second": ({9, 38, 57}, ()),
}


def _quiet(line: str) -> None:
    pass


def _run(
    seed: int,
    breaches: tuple[str, ...] = (),
    *,
    max_examples: int,
    phases: tuple[str, ...] = PHASES,
    readings: str = "first",
) -> SuiteResult:
    app = create_app(breaches=breaches, seed=seed, readings=readings)
    first, second = app.accounts
    with serving(app) as url:
        return run_contract(
            ContractOptions(
                base_url=url,
                token=first.token,
                second_token=second.token,
                seed=seed,
                max_examples=max_examples,
                phases=phases,
            ),
            progress=_quiet,
        )


def test_every_profile_has_expectations() -> None:
    assert set(EXPECTED) == set(READINGS) == set(CAUGHT_BY_PROFILE)


@pytest.mark.parametrize(
    ("readings", "seed"), [("first", 1), ("first", 20261204), ("second", 2), ("second", 20261204)]
)
def test_the_docs_reading_server_passes(readings: str, seed: int) -> None:
    result = _run(seed, max_examples=4, readings=readings)
    decided, unwalkable = EXPECTED[readings]
    summary = render_summary(result)
    assert result.hard_failures == [] and result.errors == [], summary
    assert result.exit_code == 0, summary
    # Its other readings are deviations, each naming the NOTES entries it differs from ...
    decisions = default_spec().decisions
    assert result.deviations, summary
    assert all(d.decisions and set(d.decisions) <= set(decisions) for d in result.deviations)
    named = {n for d in result.deviations for n in d.decisions}
    assert decided <= named, summary
    # ... which fail the run under --strict.
    result.strict = True
    assert result.exit_code == 1
    # Lists whose objects have no identifier are reported, not failed.
    for label in unwalkable:
        assert any(f"{label}: not walkable" in note for note in result.notes), summary


def test_every_breach_is_tried() -> None:
    assert set(CAUGHT_BY) == set(BREACHES)


@pytest.mark.parametrize("readings", sorted(READINGS))
@pytest.mark.parametrize("breach", sorted(BREACHES))
def test_a_docs_breach_fails(breach: str, readings: str) -> None:
    result = _run(3, (breach,), max_examples=1, phases=("examples",), readings=readings)
    summary = render_summary(result)
    assert result.errors == [], summary
    assert result.exit_code == 1, summary
    failed = {(f.check, f.operation) for f in result.hard_failures}
    assert CAUGHT_BY_PROFILE[readings].get(breach, CAUGHT_BY[breach]) <= failed, summary
