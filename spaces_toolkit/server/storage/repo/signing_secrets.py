"""Per-account webhook signing secrets: create, rotate with a grace period, list the valid ones."""

from __future__ import annotations

import time

from ...signing import new_secret
from ..database import Database, Transaction

__all__ = [
    "DEFAULT_GRACE",
    "MAX_SIGNING_SECRETS",
    "create_secret",
    "rotate_secret",
    "valid_secrets",
    "signing_secrets",
]

DEFAULT_GRACE = 24 * 3600.0  # how long a rotated-out secret still signs deliveries
# At most this many secrets sign at once: a rotation ends the grace of older ones at once, so
# rotating in a loop cannot grow every delivery's signature header without bound.
MAX_SIGNING_SECRETS = 3


def create_secret(tx: Transaction, account_id: int, *, now: float | None = None) -> str:
    """A new current secret for the account (any earlier current one stays current too; use
    rotate_secret to replace)."""
    secret = new_secret()
    tx.insert(
        "INSERT INTO webhook_signing_secrets (account_id, secret, created) VALUES (?, ?, ?)",
        (account_id, secret, time.time() if now is None else now),
    )
    return secret


def rotate_secret(
    db: Database, account_id: int, *, grace: float = DEFAULT_GRACE, now: float | None = None
) -> str:
    """Make a new current secret; the previous ones stay valid for `grace` seconds more."""
    now = time.time() if now is None else now
    with db.write() as tx:
        tx.lock(_lock_name(account_id))
        if tx.one("SELECT 1 FROM accounts WHERE id = ?", (account_id,)) is None:
            raise LookupError(f"no account {account_id}")
        tx.execute(
            "UPDATE webhook_signing_secrets SET expires_at = ?"
            " WHERE account_id = ? AND (expires_at IS NULL OR expires_at > ?)",
            (now + grace, account_id, now + grace),
        )
        keep = tx.query(
            "SELECT seq FROM webhook_signing_secrets WHERE account_id = ?"
            " AND (expires_at IS NULL OR expires_at > ?) ORDER BY seq DESC LIMIT ?",
            (account_id, now, MAX_SIGNING_SECRETS - 1),
        )
        if keep:
            tx.execute(
                "UPDATE webhook_signing_secrets SET expires_at = ? WHERE account_id = ?"
                " AND seq < ? AND (expires_at IS NULL OR expires_at > ?)",
                (now, account_id, min(int(r["seq"]) for r in keep), now),
            )
        return create_secret(tx, account_id, now=now)


_VALID = "(expires_at IS NULL OR expires_at > ?)"  # a secret still signing at `?` (now)


def valid_secrets(tx: Transaction, account_id: int, *, now: float | None = None) -> list[str]:
    """The account's secrets that still sign deliveries, newest first."""
    rows = tx.query(
        f"SELECT secret FROM webhook_signing_secrets WHERE account_id = ? AND {_VALID}"
        " ORDER BY seq DESC",
        (account_id, time.time() if now is None else now),
    )
    return [str(r["secret"]) for r in rows]


def signing_secrets(db: Database, account_id: int) -> list[str]:
    """valid_secrets, creating the account's first secret if it has none (accounts made before
    signing existed, or by code that does not go through `spaces token create`)."""
    with db.read() as tx:
        found = valid_secrets(tx, account_id)
    if found:
        return found
    with db.write() as tx:  # re-check under the lock: two workers must not both create
        tx.lock(_lock_name(account_id))
        return valid_secrets(tx, account_id) or [create_secret(tx, account_id)]


def _lock_name(account_id: int) -> str:
    """The lock (Transaction.lock) of an account's secrets: a read-then-write of them."""
    return f"signing secrets of account {account_id}"
