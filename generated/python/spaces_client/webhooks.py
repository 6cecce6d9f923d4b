# Generated from spec/openapi.yaml (sha256 bdfe8b9249afea646b434ebfe373609493d5daf563a0ed766c25ae5aeb8b7593) by the generator.
# Do not edit: change the spec and run `make`.
"""Webhook deliveries: verify the signature a target URL receives, and parse the body into its
typed event."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pydantic

from ._exceptions import InvalidWebhookError
from ._webhooks import DEFAULT_WEBHOOK_TOLERANCE, verify_webhook
from .models import Event

__all__ = ["WEBHOOK_EVENT_TYPES", "WebhookEvent", "parse_webhook", "unsafe_parse_webhook"]

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


def parse_webhook(
    body: str | bytes | bytearray,
    headers: Mapping[str, str],
    *,
    secret: str | Sequence[str] | None = None,
    tolerance: float = DEFAULT_WEBHOOK_TOLERANCE,
) -> WebhookEvent:
    """Verify a webhook delivery (raw body and headers as received; `secret` the account's
    `whsec_` secret, or $SPACES_WEBHOOK_SECRET) and parse it into its event.

    Raises:
      WebhookVerificationError: a subclass naming the failed check (headers, timestamp
        outside `tolerance` seconds, signature, secret).
      InvalidWebhookError: the verified body is not a valid event.
    """
    return unsafe_parse_webhook(verify_webhook(body, headers, secret=secret, tolerance=tolerance))


def unsafe_parse_webhook(body: str | bytes | bytearray | Mapping[str, Any]) -> WebhookEvent:
    """Parse a webhook body into its event WITHOUT checking who sent it (tests, replays).

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
