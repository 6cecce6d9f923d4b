"""The generated client's own client↔server tests (tests/integration/test_client_server.py),
run with the proxy between the client and the reference server: every test passes as it does
direct, the server breaks nothing, and the one request the tests get wrong on purpose (a
resource subscription to an event the spec does not list, to see the client raise
BadRequestError) is the one client mistake reported."""

from __future__ import annotations

import dataclasses

import pytest

from spaces_toolkit.proxy.run import proxy_in_thread
from spaces_toolkit.server.run.embedded import run_embedded
from tests.integration import test_client_server as direct

CLIENT_TESTS = {name: getattr(direct, name) for name in dir(direct) if name.startswith("test_")}
globals().update(CLIENT_TESTS)  # collected here, with this module's `server` fixture
client = direct.client
LIST_RESOURCES = direct.LIST_RESOURCES

_SESSIONS: list = []


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The reference server as the client tests know it, its base URL the proxy's."""
    with run_embedded(tmp_path_factory.mktemp("cs") / "spaces.db", seed_customers=60) as srv:
        with proxy_in_thread(srv.base_url) as proxy:
            _SESSIONS.append(proxy.session)
            yield dataclasses.replace(srv, base_url=proxy.url)


def test_zz_the_proxy_saw_every_exchange_and_no_server_violation(server):
    session = _SESSIONS[-1]
    session.settle()  # the checks run in a process of their own, behind the forwarding
    assert len(CLIENT_TESTS) >= 8
    assert session.checker.checked >= 50, session.summary()  # the tests above went through it
    assert [v for v in session.violations if v.party == "server"] == [], session.summary()
    client_side = [(v.check, v.operation, v.status) for v in session.violations]
    assert client_side == [("request_body", "POST /resource_subscriptions", 400)], session.summary()
    assert "customer.deleted" in session.violations[0].message
