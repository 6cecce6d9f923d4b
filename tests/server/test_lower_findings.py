"""Lower findings of the second hostile pass: a bounded rotation history, malformed host names
refused, a repeated Authorization header refused."""

from __future__ import annotations

import pytest

from spaces_toolkit.server.signing import signed_headers
from spaces_toolkit.server.storage.database import open_database
from spaces_toolkit.server.storage.repo.accounts import create_account
from spaces_toolkit.server.storage.repo.signing_secrets import (
    MAX_SIGNING_SECRETS,
    rotate_secret,
    signing_secrets,
)
from spaces_toolkit.server.webhook_delivery.targets import TargetRefused, check_target_url

from .conftest import basic


def test_300_rotations_keep_the_signature_header_small(db_url):
    db = open_database(db_url())
    account_id, _ = create_account(db)
    newest = ""
    for _ in range(300):
        newest = rotate_secret(db, account_id)
    secrets = signing_secrets(db, account_id)
    db.close()
    header = signed_headers(secrets, "wh_x", b"{}")["webhook-signature"]
    print(f"signatures after 300 rotations: {len(secrets)}, header {len(header)} bytes")
    assert secrets[0] == newest
    assert len(secrets) == MAX_SIGNING_SECRETS
    assert len(header) < 200 * MAX_SIGNING_SECRETS


@pytest.mark.parametrize(
    "host", ["a..b", ".a.b", "-a.b", "a-.b", "a b.c", "a%2eb", "x" * 64 + ".com", "a.b.."]
)
def test_malformed_host_names_are_refused(host: str) -> None:
    with pytest.raises(TargetRefused):
        check_target_url(f"http://{host}/hook", allow_private=True)


@pytest.mark.parametrize(
    "host", ["a.b", "a-b.c", "xn--bcher-kva.example", "bücher.example", "a_b.c"]
)
def test_well_formed_host_names_pass(host: str) -> None:
    check_target_url(f"http://{host}/hook", allow_private=True)


async def test_two_authorization_headers_are_refused(make_sandbox):
    box = make_sandbox(accounts=2, customers=0)
    async with box.client() as client:
        headers = [
            ("Authorization", basic(box.tokens[0])["Authorization"]),
            ("Authorization", basic(box.tokens[1])["Authorization"]),
        ]
        response = await client.get("/account", headers=headers)
        one = await client.get("/account", headers=basic(box.tokens[1]))
    assert response.status_code == 400, response.text
    assert "more than once" in response.json()["message"]
    assert one.status_code == 200
