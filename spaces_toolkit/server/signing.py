"""Standard Webhooks 1.0 signatures: what the server puts on every delivery, and how the
toolkit's own tools (`spaces listen`, the receiver kit) check them.

A secret is `whsec_` + base64 of random key bytes. A delivery carries `webhook-id` (the webhook's
id, the same on every retry: the receiver's idempotency key), `webhook-timestamp` (Unix seconds
of this attempt) and `webhook-signature`: space-separated `v1,<base64 HMAC-SHA256>` entries over
`{id}.{timestamp}.{body}`, one per valid secret (two while a rotated secret is in its grace
period). Spec: spec/NOTES.md decision 50. The generated client verifies with its own stdlib-only
copy (generator/runtime/_webhooks.py); tests/webhooks hold both to the `standardwebhooks` package.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hmac
import secrets as _random
import time
from collections.abc import Iterable, Mapping, Sequence

__all__ = [
    "SECRET_PREFIX",
    "DEFAULT_TOLERANCE",
    "HEADER_ID",
    "HEADER_TIMESTAMP",
    "HEADER_SIGNATURE",
    "new_secret",
    "secret_key",
    "sign",
    "signed_headers",
    "verify",
    "VerificationError",
    "MissingHeaderError",
    "TimestampError",
    "SignatureError",
]

SECRET_PREFIX = "whsec_"
DEFAULT_TOLERANCE = 300  # seconds either way, as Standard Webhooks recommends
HEADER_ID = "webhook-id"
HEADER_TIMESTAMP = "webhook-timestamp"
HEADER_SIGNATURE = "webhook-signature"


class VerificationError(ValueError):
    """A delivery failed verification; the subclass says which check."""


class MissingHeaderError(VerificationError):
    pass


class TimestampError(VerificationError):
    pass


class SignatureError(VerificationError):
    pass


def new_secret() -> str:
    """A fresh signing secret: 32 random bytes, `whsec_`-prefixed base64."""
    return SECRET_PREFIX + base64.b64encode(_random.token_bytes(32)).decode("ascii")


@functools.lru_cache(maxsize=4096)
def secret_key(secret: str) -> bytes:
    """The HMAC key of a `whsec_` secret (the prefix is optional); ValueError if malformed.
    (Cached: the worker signs every delivery with the same few secrets.)"""
    text = secret.removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("a webhook secret is `whsec_` followed by base64") from None
    if not key:
        raise ValueError("the webhook secret is empty")
    return key


def _mac(key: bytes, msg_id: str, timestamp: str, body: bytes) -> bytes:
    # hmac.new, not the one-shot hmac.digest: the one-shot releases the GIL around OpenSSL's
    # HMAC, so beside any busy thread (the delivery worker's database threads) each signature
    # waited for the GIL to come back (~100 µs measured) for ~2 µs of hashing.
    return hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, "sha256").digest()


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """One `v1,<base64>` signature of `body` as delivered with this id and timestamp."""
    mac = _mac(secret_key(secret), msg_id, str(timestamp), body)
    return "v1," + base64.b64encode(mac).decode("ascii")


def signed_headers(
    secrets: Sequence[str], msg_id: str, body: bytes, *, timestamp: int | None = None
) -> dict[str, str]:
    """The three Standard Webhooks headers, with one signature per secret (newest first)."""
    ts = int(time.time()) if timestamp is None else timestamp
    return {
        HEADER_ID: msg_id,
        HEADER_TIMESTAMP: str(ts),
        HEADER_SIGNATURE: " ".join(sign(s, msg_id, ts, body) for s in secrets),
    }


def verify(
    body: bytes,
    headers: Mapping[str, str],
    secrets: Iterable[str],
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> None:
    """Raise a VerificationError subclass unless some signature matches some secret and the
    timestamp is within `tolerance` seconds of `now`. Comparisons are constant-time."""
    lowered = {k.lower(): v for k, v in headers.items()}
    names = (HEADER_ID, HEADER_TIMESTAMP, HEADER_SIGNATURE)
    values = {h: lowered.get(h, "").strip() for h in names}
    missing = [h for h, v in values.items() if not v]
    if missing:
        raise MissingHeaderError(f"missing header(s): {', '.join(missing)}")
    try:
        ts = int(values[HEADER_TIMESTAMP])
    except ValueError:
        raise TimestampError("webhook-timestamp is not an integer") from None
    current = time.time() if now is None else now
    if ts < current - tolerance:
        raise TimestampError(f"timestamp too old ({int(current - ts)} s ago)")
    if ts > current + tolerance:
        raise TimestampError(f"timestamp in the future ({int(ts - current)} s ahead)")
    offered = []
    for entry in values[HEADER_SIGNATURE].split():
        version, _, encoded = entry.partition(",")
        if version != "v1":
            continue
        try:
            offered.append(base64.b64decode(encoded, validate=True))
        except (binascii.Error, ValueError):
            continue
    for secret in secrets:
        expected = _mac(secret_key(secret), values[HEADER_ID], values[HEADER_TIMESTAMP], body)
        if any(hmac.compare_digest(expected, sig) for sig in offered):
            return
    raise SignatureError("no signature matches the secret")
