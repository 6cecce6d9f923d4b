"""Whether the database answers (`/healthz`)."""

from __future__ import annotations

from ..database import Transaction

__all__ = ["ping"]


def ping(tx: Transaction) -> None:
    """One round trip to the database; raises whatever the driver raises when it cannot."""
    tx.one("SELECT 1")
