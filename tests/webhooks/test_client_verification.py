"""The generated client's `parse_webhook` and the server's signer, held to the `standardwebhooks`
reference package in both directions, and every failed check raising its own error."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime

import pytest
import spaces_client
import standardwebhooks
from spaces_client import (
    InvalidWebhookError,
    WebhookHeaderError,
    WebhookSecretError,
    WebhookSignatureError,
    WebhookTimestampError,
    WebhookVerificationError,
    parse_webhook,
    verify_webhook,
)
from spaces_client.models import CustomerCreatedEvent

from spaces_toolkit.server import signing

BODY = json.dumps(
    {
        "id": "ev_123",
        "object": "event",
        "type": "customer.created",
        "created": 1410000000,
        "data": {
            "object": {
                "object": "customer",
                "name": "Ada",
                "email": "ada@x.test",
                "created": 1410000000,
            }
        },
    }
).encode()


def _reference_sign(secret: str, msg_id: str, ts: int, body: bytes) -> dict[str, str]:
    wh = standardwebhooks.Webhook(secret)
    sig = wh.sign(msg_id, datetime.fromtimestamp(ts, tz=UTC), body.decode())
    return {"webhook-id": msg_id, "webhook-timestamp": str(ts), "webhook-signature": sig}


def test_what_the_server_signs_the_reference_package_verifies() -> None:
    secret = signing.new_secret()
    assert secret.startswith("whsec_") and len(signing.secret_key(secret)) == 32
    headers = signing.signed_headers([secret], "wh_1", BODY)
    assert standardwebhooks.Webhook(secret).verify(BODY, headers)["id"] == "ev_123"
    # Two signatures during a rotation: the package accepts either secret.
    old, new = signing.new_secret(), signing.new_secret()
    both = signing.signed_headers([new, old], "wh_2", BODY)
    assert len(both["webhook-signature"].split()) == 2
    for s in (old, new):
        standardwebhooks.Webhook(s).verify(BODY, both)
    with pytest.raises(standardwebhooks.webhooks.WebhookVerificationError):
        standardwebhooks.Webhook(signing.new_secret()).verify(BODY, both)


def test_what_the_reference_package_signs_the_client_and_the_toolkit_verify() -> None:
    secret = "whsec_" + base64.b64encode(b"k" * 24).decode()
    headers = _reference_sign(secret, "msg_2xyz", int(time.time()), BODY)
    event = parse_webhook(BODY, headers, secret=secret)
    assert isinstance(event, CustomerCreatedEvent) and event.id == "ev_123"
    assert verify_webhook(BODY.decode(), headers, secret=secret) == BODY
    signing.verify(BODY, headers, [secret])
    # The package's own test vector (standard-webhooks repository, Python library tests).
    vector_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    vector = {
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "webhook-timestamp": "1614265330",
        "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    }
    payload = b'{"test": 2432232314}'
    assert verify_webhook(payload, vector, secret=vector_secret, now=1614265330) == payload
    signing.verify(payload, vector, [vector_secret], now=1614265330)


def test_any_of_several_signatures_and_secrets_is_enough() -> None:
    a, b, c = (signing.new_secret() for _ in range(3))
    headers = signing.signed_headers([a, b], "wh_3", BODY)
    headers["webhook-signature"] = "v2,bogus " + headers["webhook-signature"] + " v1,!!"
    parse_webhook(BODY, headers, secret=b)
    parse_webhook(BODY, headers, secret=[c, a])
    with pytest.raises(WebhookSignatureError):
        parse_webhook(BODY, headers, secret=c)


def test_each_failed_check_has_its_own_error(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = signing.new_secret()
    now = int(time.time())
    good = signing.signed_headers([secret], "wh_4", BODY, timestamp=now)
    for name in good:
        partial = {k: v for k, v in good.items() if k != name}
        with pytest.raises(WebhookHeaderError, match=name):
            parse_webhook(BODY, partial, secret=secret)
    with pytest.raises(WebhookSignatureError):
        parse_webhook(BODY.replace(b"Ada", b"Eve"), good, secret=secret)
    with pytest.raises(WebhookSignatureError):
        parse_webhook(BODY, {**good, "webhook-id": "wh_other"}, secret=secret)
    for skew in (-301, 301):
        shifted = signing.signed_headers([secret], "wh_4", BODY, timestamp=now + skew)
        with pytest.raises(WebhookTimestampError):
            parse_webhook(BODY, shifted, secret=secret)
        parse_webhook(BODY, shifted, secret=secret, tolerance=400)  # configurable
    with pytest.raises(WebhookTimestampError):
        parse_webhook(BODY, {**good, "webhook-timestamp": "soon"}, secret=secret)
    with pytest.raises(WebhookSecretError):
        parse_webhook(BODY, good, secret="whsec_not base64!")
    monkeypatch.delenv("SPACES_WEBHOOK_SECRET", raising=False)
    with pytest.raises(WebhookSecretError):
        parse_webhook(BODY, good)
    monkeypatch.setenv("SPACES_WEBHOOK_SECRET", secret)
    assert parse_webhook(BODY, {k.upper(): v for k, v in good.items()}).id == "ev_123"
    # One base class to catch (and it is an InvalidWebhookError, so a SpacesError).
    assert issubclass(WebhookTimestampError, WebhookVerificationError)
    assert issubclass(WebhookVerificationError, InvalidWebhookError)
    assert issubclass(WebhookVerificationError, spaces_client.SpacesError)


def test_the_toolkit_verifier_names_the_same_checks() -> None:
    secret = signing.new_secret()
    good = signing.signed_headers([secret], "wh_5", BODY)
    with pytest.raises(signing.MissingHeaderError):
        signing.verify(BODY, {"webhook-id": "x"}, [secret])
    with pytest.raises(signing.SignatureError):
        signing.verify(BODY + b" ", good, [secret])
    stale = signing.signed_headers([secret], "wh_5", BODY, timestamp=int(time.time()) - 900)
    with pytest.raises(signing.TimestampError):
        signing.verify(BODY, stale, [secret])


def test_the_client_verifier_uses_only_the_standard_library() -> None:
    import ast
    import inspect
    import sys

    from spaces_client import _webhooks

    tree = ast.parse(inspect.getsource(_webhooks))
    imported = {
        (node.module or "").split(".")[0] if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
        if not (isinstance(node, ast.ImportFrom) and node.level > 0)
    }
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}, imported
