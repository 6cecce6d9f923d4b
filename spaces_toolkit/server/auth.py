"""HTTP Basic authentication with the access token as the username (password ignored)."""

from __future__ import annotations

import base64
import binascii
import threading
import time

from .db import Database
from .ids import hash_token
from .problems import ApiError
from .repo.accounts import account_for_token

__all__ = ["token_from_header", "authenticate", "Authenticator"]


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


class Authenticator:
    """`authenticate` with a short-lived memory of tokens already found valid, so a client's
    repeated requests skip the database. Only successes are remembered (keyed by the token's
    hash), for `ttl` seconds: tokens are never reassigned, and a new one is seen at once."""

    def __init__(self, db: Database, *, ttl: float = 30.0, size: int = 1024) -> None:
        self.db = db
        self.ttl = ttl
        self.size = size
        self._known: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def account_id(self, header: str | None) -> int:
        key = hash_token(token_from_header(header))
        now = time.monotonic()
        with self._lock:
            hit = self._known.get(key)
        if hit is not None and hit[1] > now:
            return hit[0]
        account_id = authenticate(self.db, header)
        with self._lock:
            if len(self._known) >= self.size:
                self._known.clear()
            self._known[key] = (account_id, now + self.ttl)
        return account_id
