# Generated from spec/openapi.yaml (sha256 5bf64c8eb2d441b3d4654694019efd564d3fc74b83921d774ddcb322578acef3) by the generator.
# Do not edit: change the spec and run `make`.
"""Webhook deliveries: parse the body a subscribed target URL receives into its typed event."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pydantic

from ._exceptions import InvalidWebhookError
from .models import Event

__all__ = ["WEBHOOK_EVENT_TYPES", "WebhookEvent", "parse_webhook"]

WebhookEvent = Event
"""What a webhook delivery carries: customer.created, invoice.created, invoice.paid, subscription.created, captured_email.created."""

WEBHOOK_EVENT_TYPES: frozenset[str] = frozenset(
    (
        "captured_email.created",
        "customer.created",
        "invoice.created",
        "invoice.paid",
        "subscription.created",
    )
)
"""The event types the spec declares webhooks for."""

_adapter: pydantic.TypeAdapter[WebhookEvent] = pydantic.TypeAdapter(WebhookEvent)


def parse_webhook(body: str | bytes | bytearray | Mapping[str, Any]) -> WebhookEvent:
    """Parse a webhook delivery (the request body your target URL received) into its event.

    Known event types parse into their own models; any other `type` parses as UnknownEvent, with every field kept.

    Raises:
      InvalidWebhookError: the body is not JSON, or not a valid event.
    """
    if isinstance(body, str | bytes | bytearray):
        try:
            data: Any = json.loads(body)
        except ValueError as exc:
            raise InvalidWebhookError(f"the webhook body is not JSON: {exc}") from None
    else:
        data = dict(body)
    try:
        return _adapter.validate_python(data)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(body)"
        raise InvalidWebhookError(f"not a valid webhook event: {where}: {first['msg']}") from exc
