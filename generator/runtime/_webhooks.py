"""Verify a webhook delivery's Standard Webhooks 1.0 signature (standard library only).

A delivery carries `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`:
space-separated `v1,<base64 HMAC-SHA256>` entries over `{id}.{timestamp}.{raw body}`, keyed
with the account's `whsec_…` secret. While a rotated secret is in its grace period a delivery
carries one signature per valid secret; any one matching is enough.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import time
from collections.abc import Mapping, Sequence

from ._exceptions import InvalidWebhookError

__all__ = [
    "DEFAULT_WEBHOOK_TOLERANCE",
    "WEBHOOK_SECRET_ENV",
    "WebhookVerificationError",
    "WebhookHeaderError",
    "WebhookTimestampError",
    "WebhookSignatureError",
    "WebhookSecretError",
    "verify_webhook",
]

DEFAULT_WEBHOOK_TOLERANCE = 300.0  # seconds either side of now
WEBHOOK_SECRET_ENV = "SPACES_WEBHOOK_SECRET"
_PREFIX = "whsec_"


class WebhookVerificationError(InvalidWebhookError):
    """The delivery did not pass verification: answer it with a 4xx and do not process it."""


class WebhookHeaderError(WebhookVerificationError):
    """A `webhook-id`, `webhook-timestamp` or `webhook-signature` header is missing or empty."""


class WebhookTimestampError(WebhookVerificationError):
    """`webhook-timestamp` is not a number, or further from now than the tolerance (a stale
    delivery may be a replay)."""


class WebhookSignatureError(WebhookVerificationError):
    """No `v1` signature matches the secret: the body or headers were altered, or the secret
    is not the one this delivery was signed with."""


class WebhookSecretError(WebhookVerificationError):
    """No secret was given (argument or SPACES_WEBHOOK_SECRET), or it is not `whsec_` + base64:
    a configuration error of the receiver, not of the delivery."""


def _key(secret: str) -> bytes:
    try:
        key = base64.b64decode(secret.strip().removeprefix(_PREFIX), validate=True)
    except (binascii.Error, ValueError):
        raise WebhookSecretError("the webhook secret is not `whsec_` followed by base64") from None
    if not key:
        raise WebhookSecretError("the webhook secret is empty")
    return key


def _header(headers: Mapping[str, str], name: str) -> str:
    found = ""
    for key, value in headers.items():
        if key.lower() == name:
            found = str(value).strip()
    if not found:
        raise WebhookHeaderError(f"the {name} header is missing")
    return found


def verify_webhook(
    body: str | bytes | bytearray,
    headers: Mapping[str, str],
    *,
    secret: str | Sequence[str] | None = None,
    tolerance: float = DEFAULT_WEBHOOK_TOLERANCE,
    now: float | None = None,
) -> bytes:
    """Check a delivery and return its raw body. `body` must be the bytes as received (not
    re-serialized JSON); `headers` any mapping of the request's headers; `secret` the account's
    signing secret, several during a rotation, or None for $SPACES_WEBHOOK_SECRET.

    Raises a WebhookVerificationError subclass naming the check that failed.
    """
    if secret is None:
        secret = os.environ.get(WEBHOOK_SECRET_ENV, "")
        if not secret:
            raise WebhookSecretError(f"no webhook secret given and {WEBHOOK_SECRET_ENV} is unset")
    keys = [_key(s) for s in ([secret] if isinstance(secret, str) else secret)]
    if not keys:
        raise WebhookSecretError("no webhook secret given")
    raw = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    msg_id = _header(headers, "webhook-id")
    stamp = _header(headers, "webhook-timestamp")
    offered = _header(headers, "webhook-signature")
    try:
        timestamp = int(stamp)
    except ValueError:
        raise WebhookTimestampError("webhook-timestamp is not an integer") from None
    current = time.time() if now is None else now
    if timestamp < current - tolerance:
        raise WebhookTimestampError(f"the delivery is too old ({int(current - timestamp)} s)")
    if timestamp > current + tolerance:
        raise WebhookTimestampError(
            f"the delivery is from the future (+{timestamp - current:.0f} s)"
        )
    signatures = []
    for entry in offered.split():
        version, _, encoded = entry.partition(",")
        if version == "v1":
            try:
                signatures.append(base64.b64decode(encoded, validate=True))
            except (binascii.Error, ValueError):
                continue
    signed = f"{msg_id}.{stamp}.".encode() + raw
    for key in keys:
        expected = hmac.new(key, signed, hashlib.sha256).digest()
        # compare_digest against every candidate (no early exit on a match's position).
        if any([hmac.compare_digest(expected, s) for s in signatures]):
            return raw
    raise WebhookSignatureError("no webhook-signature matches the secret")
