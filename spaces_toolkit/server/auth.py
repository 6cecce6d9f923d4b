"""HTTP Basic authentication with the access token as the username (password ignored)."""

from __future__ import annotations

import base64
import binascii

from .db import Database
from .problems import ApiError
from .repo.accounts import account_for_token

__all__ = ["token_from_header", "authenticate"]


def token_from_header(header: str | None) -> str:
    """The access token in an `Authorization: Basic …` header; 401 if missing or garbled."""
    if not header:
        raise ApiError.unauthorized(
            "No access token provided: use HTTP Basic auth with your access token as the"
            " username and an empty password (curl -u ACCESS_TOKEN:)"
        )
    scheme, _, encoded = header.strip().partition(" ")
    if scheme.lower() != "basic":
        raise ApiError.unauthorized(
            f"Unsupported authorization scheme {scheme[:20]!r}: use HTTP Basic auth with your"
            " access token as the username"
        )
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise ApiError.unauthorized("Malformed Basic credentials: not base64 of 'token:'") from None
    token = decoded.split(":", 1)[0]
    if not token:
        raise ApiError.unauthorized("No access token provided: the Basic username is empty")
    return token


def authenticate(db: Database, header: str | None) -> int:
    """The account id the request's credentials belong to; 401 otherwise."""
    token = token_from_header(header)
    with db.read() as tx:
        account_id = account_for_token(tx, token)
    if account_id is None:
        raise ApiError.unauthorized("Invalid access token")
    return account_id
