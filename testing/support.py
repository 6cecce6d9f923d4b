"""Helpers every test folder and the benchmarks use: a free loopback port (the package's own,
spaces_toolkit.ports), and accounts with seeded demo data."""

from __future__ import annotations

from collections.abc import Sequence

from spaces_toolkit.ports import free_port  # re-exported: the one copy is the package's
from spaces_toolkit.server.sandbox.seed import seed_account
from spaces_toolkit.server.storage.database import Database
from spaces_toolkit.server.storage.repo.accounts import create_account

__all__ = ["free_port", "seed_accounts"]


def seed_accounts(
    db: Database,
    customers: Sequence[int],
    *,
    spaces: int | Sequence[int] = 2,
    seeds: Sequence[int] | None = None,
    label: str = "User",
) -> list[tuple[int, str]]:
    """One account per entry of `customers` ("{label} 1", "{label} 2"...), each seeded with that
    many customers (none for 0) in `spaces` Spaces (one number for all, or one per account),
    the n-th with demo seed `seeds[n]` (default n). Returns [(account id, access token)]."""
    made = []
    for n, count in enumerate(customers):
        account_id, token = create_account(
            db, name=f"{label} {n + 1}", email=f"{label.lower()}{n + 1}@example.com"
        )
        if count:
            per = spaces if isinstance(spaces, int) else spaces[n]
            seed = n if seeds is None else seeds[n]
            seed_account(db, account_id, spaces=per, customers=count, seed=seed)
        made.append((account_id, token))
    return made
