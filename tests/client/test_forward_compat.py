"""Forward compatibility: extra fields and unknown event types parse; known types stay typed."""

from __future__ import annotations

import json

import httpx
import pytest
from spaces_client import InvalidWebhookError
from spaces_client.models import (
    CustomerCreatedEvent,
    EventType,
    InvoicePaidEvent,
    UnknownEvent,
    Webhook,
)
from spaces_client.webhooks import unsafe_parse_webhook as parse_webhook

from .conftest import Recorder, customer, event, page, sync_client

INVOICE = {
    "object": "invoice",
    "id": "inv_1",
    "order_number": 1,
    "billing_address": None,
    "shipping_address": None,
    "created": 1,
    "paid": True,
    "shipped": False,
    "shipping_details": None,
    "total": 1200,
    "currency": "USD",
    "items": {"data": [], "count": 0},
    "customer": customer(1),
}


def test_extra_fields_are_kept() -> None:
    body = customer(1, loyalty_tier="gold")
    body["space"]["theme"] = "dark"
    got = sync_client(Recorder([httpx.Response(200, json=body)])).customers.retrieve("cus_1")
    assert got.model_extra == {"loyalty_tier": "gold"}
    assert got.space.model_extra == {"theme": "dark"}
    assert got.model_dump()["loyalty_tier"] == "gold"


def test_extra_fields_on_the_list_envelope_are_kept() -> None:
    body = page([customer(1)], total_count=99)
    first = sync_client(Recorder([httpx.Response(200, json=body)])).customers.list()
    assert first.envelope.model_extra == {"total_count": 99}


def test_event_types_discriminate_into_their_models_and_unknown_ones_still_parse() -> None:
    body = page(
        [
            event("customer.created", {"object": customer(1)}, id="evt_1"),
            event("invoice.paid", {"object": INVOICE}, id="evt_2"),
            event(
                "subscription.cancelled",
                {"object": {"object": "subscription", "token": "t"}},
                id="evt_3",
            ),
        ]
    )
    events = sync_client(Recorder([httpx.Response(200, json=body)])).events.list().data
    assert [type(e) for e in events] == [CustomerCreatedEvent, InvoicePaidEvent, UnknownEvent]
    assert isinstance(events[1], InvoicePaidEvent) and events[1].data.object.total == 1200
    unknown = events[2]
    assert isinstance(unknown, UnknownEvent)
    assert unknown.type == "subscription.cancelled" and unknown.id == "evt_3"
    assert unknown.model_extra == {"data": {"object": {"object": "subscription", "token": "t"}}}


def test_a_known_event_type_with_a_broken_payload_is_an_error_not_unknown() -> None:
    with pytest.raises(InvalidWebhookError, match="customer.created"):
        parse_webhook(event("customer.created", {"object": {"object": "customer"}}))


def test_an_unknown_enum_value_parses() -> None:
    body = {
        "object": "resource_subscription",
        "event": "subscription.cancelled",
        "target_url": "https://example.com/h",
        "api_version": "04-09-2014",
        "created": 1,
    }
    got = sync_client(Recorder([httpx.Response(200, json=body)])).resource_subscriptions.create(
        event=EventType.customer_created, target_url="https://example.com/h"
    )
    assert got.event == "subscription.cancelled"
    assert isinstance(got.event, EventType)
    assert EventType("customer.created") is EventType.customer_created


def test_webhook_objects_carry_typed_events() -> None:
    hook = Webhook.model_validate(
        {
            "object": "webhook",
            "created": 1,
            "url": "https://example.com/h",
            "pending": True,
            "event": event("customer.created", {"object": customer(1)}),
        }
    )
    assert isinstance(hook.event, CustomerCreatedEvent)
    assert hook.event.data.object.name == "John Doe"


@pytest.mark.parametrize("encode", [json.dumps, lambda b: json.dumps(b).encode(), lambda b: b])
def test_parse_webhook_accepts_text_bytes_and_dicts(encode: object) -> None:
    body = event(
        "customer.created",
        {
            "object": {
                "object": "customer",
                "token": "cus_1",
                "name": "N",
                "email": "e@example.com",
                "created": 1,
            }
        },
    )
    parsed = parse_webhook(encode(body))  # type: ignore[operator]
    assert isinstance(parsed, CustomerCreatedEvent)
    assert parsed.data.object.token == "cus_1"


def test_parse_webhook_keeps_unknown_types() -> None:
    parsed = parse_webhook(json.dumps(event("space.renamed", {"object": {"id": 1}}, hint="x")))
    assert isinstance(parsed, UnknownEvent)
    assert parsed.type == "space.renamed" and parsed.model_extra == {
        "data": {"object": {"id": 1}},
        "hint": "x",
    }


def test_parse_webhook_rejects_what_is_not_an_event() -> None:
    with pytest.raises(InvalidWebhookError, match="not JSON"):
        parse_webhook(b"<xml/>")
    with pytest.raises(InvalidWebhookError):
        parse_webhook({"no": "type"})
    with pytest.raises(ValueError):  # InvalidWebhookError is a ValueError too
        parse_webhook("[]")
