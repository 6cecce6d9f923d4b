"""Accounts and their access tokens (stored only as SHA-256 hashes)."""

from __future__ import annotations

import random
import time

from ..db import Database, Row, Transaction
from ..ids import hash_token, new_token, random_text

__all__ = ["create_account", "add_token", "account_for_token", "get_account", "set_webhook_url"]


def create_account(
    db: Database,
    *,
    name: str = "Sandbox User",
    email: str = "sandbox@example.com",
    avatar_image_url: str | None = None,
    webhook_url: str | None = None,
    rng: random.Random | None = None,
) -> tuple[int, str]:
    """A new account with one access token. Returns (account id, token); the token is not
    stored and cannot be shown again."""
    token = new_token()
    now = int(time.time())
    with db.write() as tx:
        account_id = tx.insert(
            "INSERT INTO accounts (created, name, email, avatar_image_url, referral_code,"
            " webhook_url) VALUES (?, ?, ?, ?, ?, ?)",
            (now, name, email, avatar_image_url, random_text(7, rng), webhook_url),
        )
        tx.insert(
            "INSERT INTO access_tokens (token_hash, account_id, created) VALUES (?, ?, ?)",
            (hash_token(token), account_id, now),
        )
    return account_id, token


def add_token(db: Database, account_id: int) -> str:
    """Another access token for an existing account."""
    token = new_token()
    with db.write() as tx:
        if tx.one("SELECT 1 FROM accounts WHERE id = ?", (account_id,)) is None:
            raise LookupError(f"no account {account_id}")
        tx.insert(
            "INSERT INTO access_tokens (token_hash, account_id, created) VALUES (?, ?, ?)",
            (hash_token(token), account_id, int(time.time())),
        )
    return token


def account_for_token(tx: Transaction, token: str) -> int | None:
    row = tx.one("SELECT account_id FROM access_tokens WHERE token_hash = ?", (hash_token(token),))
    return None if row is None else int(row["account_id"])


def get_account(tx: Transaction, account_id: int) -> Row | None:
    return tx.one("SELECT * FROM accounts WHERE id = ?", (account_id,))


def set_webhook_url(db: Database, account_id: int, url: str | None) -> None:
    """Set (or clear, with None) the account-level webhook URL every event is delivered to."""
    with db.write() as tx:
        if tx.execute("UPDATE accounts SET webhook_url = ? WHERE id = ?", (url, account_id)) != 1:
            raise LookupError(f"no account {account_id}")
