"""Accounts and their access tokens (stored only as SHA-256 hashes)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from ..database import Database, Row, Transaction
from ..ids import hash_token, new_token, random_text

__all__ = [
    "create_account",
    "add_token",
    "account_for_token",
    "find_token",
    "find_token_hash",
    "check_token_hash_with_next",
    "token_prefix",
    "list_tokens",
    "revoke_tokens",
    "get_account",
    "account_exists",
    "account_ids",
    "set_webhook_url",
]

PREFIX_CHARS = 8  # random characters of a token kept in clear to tell tokens apart


def token_prefix(token: str) -> str:
    """The part of a token `spaces token list` shows: its type prefix and 8 random characters
    ("sk_sandbox_Ab3dEf9h"), about 48 of its 190 random bits."""
    return token[: token.rfind("_") + 1 + PREFIX_CHARS]


def _insert_token(tx: Transaction, account_id: int, expires_at: int | None) -> str:
    token = new_token()
    tx.insert(
        "INSERT INTO access_tokens (token_hash, account_id, created, prefix, expires_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (hash_token(token), account_id, int(time.time()), token_prefix(token), expires_at),
    )
    return token


def create_account(
    db: Database,
    *,
    name: str = "Sandbox User",
    email: str = "sandbox@example.com",
    avatar_image_url: str | None = None,
    webhook_url: str | None = None,
    rng: random.Random | None = None,
    expires_at: int | None = None,
) -> tuple[int, str]:
    """A new account with one access token (valid until `expires_at`, unix seconds, if given).
    Returns (account id, token); the token is not stored and cannot be shown again."""
    now = int(time.time())
    with db.write() as tx:
        account_id = tx.insert(
            "INSERT INTO accounts (created, name, email, avatar_image_url, referral_code,"
            " webhook_url) VALUES (?, ?, ?, ?, ?, ?)",
            (now, name, email, avatar_image_url, random_text(7, rng), webhook_url),
        )
        token = _insert_token(tx, account_id, expires_at)
    return account_id, token


def add_token(db: Database, account_id: int, *, expires_at: int | None = None) -> str:
    """Another access token for an existing account."""
    with db.write() as tx:
        if tx.one("SELECT 1 FROM accounts WHERE id = ?", (account_id,)) is None:
            raise LookupError(f"no account {account_id}")
        return _insert_token(tx, account_id, expires_at)


def find_token(tx: Transaction, token: str) -> Row | None:
    """The stored row of `token` (account_id, expires_at, revoked_at, …), whatever its state."""
    return find_token_hash(tx, hash_token(token))


_TOKEN_COLUMNS = ("account_id", "expires_at", "revoked_at")
_TOKEN_ROW = f"SELECT {', '.join(_TOKEN_COLUMNS)} FROM access_tokens WHERE token_hash = ?"


def find_token_hash(tx: Transaction, token_hash: str) -> Row | None:
    """`find_token` by the token's stored hash."""
    return tx.one(_TOKEN_ROW, (token_hash,))


def check_token_hash_with_next(
    tx: Transaction, token_hash: str, check: Callable[[Row | None], None]
) -> None:
    """`check(find_token_hash(tx, token_hash))` by the time `tx`'s next statement answers
    (`Transaction.one_with_next`: on PostgreSQL's request reads, in that statement's round
    trip)."""
    tx.one_with_next(_TOKEN_ROW, (token_hash,), _TOKEN_COLUMNS, check)


def account_for_token(tx: Transaction, token: str) -> int | None:
    """The account of a token that is valid now (known, not revoked, not expired)."""
    row = find_token(tx, token)
    if row is None or row["revoked_at"] is not None:
        return None
    if row["expires_at"] is not None and row["expires_at"] <= time.time():
        return None
    return int(row["account_id"])


def list_tokens(tx: Transaction, account_id: int | None = None) -> list[Row]:
    """Every token's public facts (never the hash): account, prefix, created, expiry, revoked.
    Tokens from before prefixes were kept are named `sha256:` + the start of their hash."""
    # The filter is added in Python, not as `? IS NULL OR …`: PostgreSQL cannot type a NULL
    # parameter it only tests for NULL.
    where, params = ("", ()) if account_id is None else (" WHERE account_id = ?", (account_id,))
    return tx.query(
        "SELECT account_id, COALESCE(prefix, 'sha256:' || substr(token_hash, 1, 12)) AS prefix,"
        f" created, expires_at, revoked_at FROM access_tokens{where}"
        " ORDER BY account_id, created, prefix",
        params,
    )


def revoke_tokens(db: Database, *, prefix: str | None = None, account_id: int | None = None) -> int:
    """Revoke the live tokens matching `prefix` (as listed, or a whole token; must match one
    token) or, with prefix None, all of them (of `account_id` if given). The number revoked."""
    now = int(time.time())
    where = "revoked_at IS NULL"
    params: list[object] = []
    if account_id is not None:
        where += " AND account_id = ?"
        params.append(account_id)
    if prefix is not None:
        legacy = prefix.startswith("sha256:")
        if len(prefix[7:] if legacy else prefix.rpartition("_")[2]) < 4:
            raise LookupError(f"{prefix!r} is too short: give the prefix `spaces token list` shows")
        if legacy:
            where += " AND prefix IS NULL AND substr(token_hash, 1, ?) = ?"
            params += [len(prefix) - 7, prefix[7:].lower()]
        elif len(prefix) > len(token_prefix(prefix)):  # a whole token
            where += " AND token_hash = ?"
            params.append(hash_token(prefix))
        else:
            where += " AND substr(prefix, 1, ?) = ?"
            params += [len(prefix), prefix]
    with db.write() as tx:
        if prefix is not None:
            found = tx.one(f"SELECT COUNT(*) AS n FROM access_tokens WHERE {where}", params)
            n = 0 if found is None else int(found["n"])
            if n != 1:
                raise LookupError(
                    f"{prefix!r} matches no live token"
                    if n == 0
                    else f"{prefix!r} matches {n} live tokens: give more characters"
                )
        return tx.execute(f"UPDATE access_tokens SET revoked_at = ? WHERE {where}", [now, *params])


def get_account(tx: Transaction, account_id: int) -> Row | None:
    return tx.one("SELECT * FROM accounts WHERE id = ?", (account_id,))


def account_exists(tx: Transaction, account_id: int) -> bool:
    return tx.one("SELECT 1 FROM accounts WHERE id = ?", (account_id,)) is not None


def account_ids(tx: Transaction, *, limit: int) -> list[int]:
    """The ids of the first `limit` accounts, oldest first (`limit=1`: whether there is one)."""
    return [int(r["id"]) for r in tx.query("SELECT id FROM accounts ORDER BY id LIMIT ?", (limit,))]


def set_webhook_url(db: Database, account_id: int, url: str | None) -> None:
    """Set (or clear, with None) the account-level webhook URL every event is delivered to."""
    with db.write() as tx:
        if tx.execute("UPDATE accounts SET webhook_url = ? WHERE id = ?", (url, account_id)) != 1:
            raise LookupError(f"no account {account_id}")
