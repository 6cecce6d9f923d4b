"""Seed runs (`spaces seed`): one row per account and seed, updated as each chunk of
customers commits, so that a run that stopped part-way can be resumed."""

from __future__ import annotations

from ..database import Row, Transaction

__all__ = ["create_seed_run", "find_seed_run", "seed_run_done", "record_seed_chunk"]


def create_seed_run(
    tx: Transaction, account_id: int, seed: int, *, flags: str, summary: str, state: str
) -> None:
    """Record a new run of `seed` on `account_id` with no customers written yet (`flags`,
    `summary` and `state` are the caller's JSON texts)."""
    tx.execute(
        "INSERT INTO seed_runs (account_id, seed, flags, done, summary, state)"
        " VALUES (?, ?, ?, 0, ?, ?)",
        (account_id, str(seed), flags, summary, state),
    )


def find_seed_run(tx: Transaction, account_id: int, seed: int) -> Row | None:
    """The run of `seed` on `account_id` (flags, done, summary, state), None if it never ran."""
    return tx.one(
        "SELECT flags, done, summary, state FROM seed_runs WHERE account_id = ? AND seed = ?",
        (account_id, str(seed)),
    )


def seed_run_done(tx: Transaction, account_id: int, seed: int) -> int | None:
    """How many customers the run of `seed` on `account_id` has committed; None if no run."""
    row = tx.one(
        "SELECT done FROM seed_runs WHERE account_id = ? AND seed = ?",
        (account_id, str(seed)),
    )
    return None if row is None else int(row["done"])


def record_seed_chunk(
    tx: Transaction, account_id: int, seed: int, *, done: int, summary: str, state: str | None
) -> None:
    """Record a chunk in the chunk's own transaction: `done` customers written so far, and
    `state` to resume from (None: the run finished)."""
    tx.execute(
        "UPDATE seed_runs SET done = ?, summary = ?, state = ? WHERE account_id = ? AND seed = ?",
        (done, summary, state, account_id, str(seed)),
    )
