"""Identifiers and secrets: random, unguessable ids with a type prefix, and access tokens."""

from __future__ import annotations

import hashlib
import random
import secrets
import string

__all__ = ["ALPHABET", "new_id", "new_token", "hash_token", "random_text", "PREFIXES"]

ALPHABET = string.ascii_letters + string.digits

PREFIXES = {
    "customer": "cus_",
    "invoice": "in_",
    "subscription": "sub_",
    "captured_email": "ce_",
    "event": "evt_",
    "webhook": "wh_",
    "resource_subscription": "rs_",
}


def random_text(length: int, rng: random.Random | None = None) -> str:
    """`length` characters of [A-Za-z0-9]: from `rng` if given (seeded demo data), else secrets."""
    if rng is None:
        return "".join(secrets.choice(ALPHABET) for _ in range(length))
    return "".join(rng.choice(ALPHABET) for _ in range(length))


def new_id(kind: str, rng: random.Random | None = None) -> str:
    """A new id for an object of `kind` (a key of PREFIXES), e.g. "cus_3fZ9…" (24 random chars)."""
    return PREFIXES[kind] + random_text(24, rng)


def new_token() -> str:
    """A new access token (shown once, stored only as its hash)."""
    return "sk_sandbox_" + random_text(32)


def hash_token(token: str) -> str:
    """The stored form of an access token. Tokens are 190 random bits, so no salt is needed."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
