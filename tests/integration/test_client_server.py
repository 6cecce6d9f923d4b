"""The generated client against the reference server, over real HTTP on loopback."""

from __future__ import annotations

import httpx
import pytest
import spaces_client
from spaces_client import AsyncSpacesClient, SpacesClient

from spaces_toolkit.server.run.embedded import run_embedded

LIST_RESOURCES = [
    "captured_emails",
    "customers",
    "events",
    "invoices",
    "resource_subscriptions",
    "spaces",
    "subscriptions",
    "webhooks",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with run_embedded(tmp_path_factory.mktemp("cs") / "spaces.db", seed_customers=60) as srv:
        yield srv


@pytest.fixture()
def client(server):
    with SpacesClient(server.tokens[0], base_url=server.base_url, max_retries=0) as c:
        yield c


def _raw_ids(server, path: str, token: str) -> list:
    """Every id of a list, read without the client (the oracle for the client's walk)."""
    ids, cursor = [], None
    with httpx.Client(base_url=server.base_url, auth=(token, "")) as http:
        while True:
            params = {"limit": 100, **({"starting_after": cursor} if cursor else {})}
            page = http.get(path, params=params).json()
            ids += [item["id"] for item in page["data"]]
            if not page["has_more"]:
                return ids
            cursor = ids[-1]


@pytest.mark.parametrize("resource", LIST_RESOURCES)
def test_auto_pagination_visits_every_object_once(server, client, resource):
    walked = [item.id for item in getattr(client, resource).list(limit=7)]
    assert walked == _raw_ids(server, f"/{resource}", server.tokens[0])
    assert len(walked) == len(set(walked))


def test_walking_backwards_from_the_end_returns_the_same_objects(server, client):
    forward = [c.id for c in client.customers.list(limit=9)]
    backward = [c.id for c in client.customers.list(limit=9, starting_before=forward[-1])]
    assert sorted(backward) == sorted(forward[:-1])


def test_pages_are_typed_and_sized(client):
    page = client.invoices.list(limit=5)
    assert len(page.data) == 5 and page.has_more
    invoice = page.data[0]
    assert isinstance(invoice, spaces_client.models.Invoice)
    assert client.invoices.retrieve(invoice.id) == invoice
    assert client.customers.retrieve(invoice.customer.id) == invoice.customer
    assert client.spaces.retrieve(invoice.customer.space.id) == invoice.customer.space


def test_subscription_is_retrieved_through_its_customer(client):
    sub = client.subscriptions.list(limit=1).data[0]
    assert client.subscriptions.retrieve(sub.customer.id, sub.token) == sub


def test_account_belongs_to_the_token(client):
    assert client.account.retrieve().email == "sandbox1@example.com"


def test_created_resource_subscription_is_listed(client):
    created = client.resource_subscriptions.create(
        event="invoice.paid", target_url="http://127.0.0.1:9/hook"
    )
    listed = client.resource_subscriptions.list(limit=100).data
    assert created in listed


def test_errors_map_to_typed_exceptions(server, client):
    with pytest.raises(spaces_client.NotFoundError) as missing:
        client.customers.retrieve("cus_does_not_exist")
    assert missing.value.status_code == 404 and missing.value.message
    with pytest.raises(spaces_client.BadRequestError):
        client.resource_subscriptions.create(event="customer.deleted", target_url="http://a.b/")
    with SpacesClient("not-a-token", base_url=server.base_url, max_retries=0) as stranger:
        with pytest.raises(spaces_client.AuthenticationError):
            stranger.account.retrieve()


def test_another_tenant_cannot_retrieve_my_customer(server, client):
    mine = client.customers.list(limit=1).data[0]
    with SpacesClient(server.tokens[1], base_url=server.base_url) as other:
        with pytest.raises(spaces_client.NotFoundError):
            other.customers.retrieve(mine.id)


async def test_async_twin_walks_the_same_list(server, client):
    expected = [c.id for c in client.customers.list(limit=11)]
    async with AsyncSpacesClient(server.tokens[0], base_url=server.base_url) as aclient:
        walked = [c.id async for c in aclient.customers.list(limit=11)]
        first = await aclient.customers.list(limit=3)
        assert [c.id for c in first.data] == expected[:3]
    assert walked == expected
