"""Typed use of the generated client, checked by `mypy --strict` (see test_generated_types.py).

Not a test module: it is never run, only type-checked. Each `type: ignore[code]` marks a call
that must NOT type-check; with --strict (warn_unused_ignores) a call that starts to type-check
fails the run, so the generated signatures stay as strict as intended.
"""

from __future__ import annotations

from spaces_client import (
    APIError,
    APIResponse,
    AsyncPage,
    AsyncSpacesClient,
    NotFoundError,
    SpacesClient,
    SyncPage,
    WebhookVerificationError,
    parse_webhook,
)
from spaces_client.models import (
    Account,
    Customer,
    CustomerCreatedEvent,
    Event,
    EventType,
    ResourceSubscription,
    Space,
    Subscription,
)


def use_sync(client: SpacesClient) -> None:
    account: Account = client.account.retrieve()
    customer: Customer = client.customers.retrieve("cus_1", timeout=5.0, extra_headers={"X": "1"})
    first: SyncPage[Customer] = client.customers.list(limit=10, starting_after=customer.id)
    names: list[str] = [c.name for c in first]
    more: bool = first.has_more
    space: Space = client.spaces.retrieve(1)
    spaces: SyncPage[Space] = client.spaces.list(starting_before=space.id)
    subscription: Subscription = client.subscriptions.retrieve("cus_1", "tok")
    events: list[Event] = client.events.list().data
    created: ResourceSubscription = client.resource_subscriptions.create(
        event="customer.created", target_url="https://example.com/hook", max_retries=2
    )
    created = client.resource_subscriptions.create(
        event=EventType.invoice_paid, target_url="https://example.com/hook"
    )
    raw: APIResponse[Customer] = client.with_raw_response.customers.retrieve("cus_1")
    parsed: Customer = raw.parse()
    status: int = raw.status_code
    del account, names, more, spaces, subscription, events, created, parsed, status

    tuned: SpacesClient = client.with_options(
        default_headers={"X-Team": "ops"}, default_query={"limit": 50}, max_retries=4
    )
    page_id: str | None = tuned.customers.list().request_id
    retried: int = tuned.customers.list().retries_taken
    raw_id: str | None = raw.request_id
    try:
        tuned.account.retrieve()
    except APIError as error:
        failed_id: str | None = error.request_id
        body: object | None = error.body
        del failed_id, body
    del page_id, retried, raw_id
    SpacesClient("t", base_url="http://sandbox:8000/api/v1", allow_http=True)
    SpacesClient("t", allow_http="yes")  # type: ignore[arg-type]

    client.customers.retrieve(1)  # type: ignore[arg-type]
    client.spaces.retrieve("1")  # type: ignore[arg-type]
    client.resource_subscriptions.create(  # type: ignore[call-arg]
        target_url="https://example.com/hook"
    )
    client.resource_subscriptions.create(
        event="customer.deleted",  # type: ignore[arg-type]
        target_url="https://example.com/hook",
    )
    client.customers.list(limit="10")  # type: ignore[arg-type]
    client.customers.delete("cus_1")  # type: ignore[attr-defined]


async def use_async(client: AsyncSpacesClient) -> None:
    async with client:
        customer: Customer = await client.customers.retrieve("cus_1")
        first: AsyncPage[Customer] = await client.customers.list(limit=2)
        async for item in client.customers.list():
            name: str = item.name
            del name
        async for page in first.iter_pages():
            data: list[Customer] = page.data
            del data
        raw: APIResponse[AsyncPage[Customer]] = await client.with_raw_response.customers.list()
        del customer, raw
        try:
            await client.invoices.retrieve("inv_1")
        except NotFoundError as error:
            code: int = error.status_code
            message: str = error.message
            del code, message


def use_webhook(body: bytes, headers: dict[str, str], secret: str) -> str | None:
    try:
        event = parse_webhook(body, headers, secret=secret, tolerance=60)
    except WebhookVerificationError as error:
        reason: str = str(error)
        return reason
    if isinstance(event, CustomerCreatedEvent):
        return event.data.object.email
    return event.type
