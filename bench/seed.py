"""Benchmark 11: `spaces seed` in chunks (what it does: about a second of writing per
transaction, a pause between them so a live server's writes get in) against the same seed as
one transaction (what it did: `chunk_seconds=inf`), each on a fresh SQLite file, run
alternately in this process. Wall time is what a user waits; CPU time is the work."""

from __future__ import annotations

import math
import time

from spaces_toolkit.server.sandbox.seed import CHUNK_SECONDS, PAUSE_SECONDS, seed_account
from spaces_toolkit.server.storage.database import open_database
from spaces_toolkit.server.storage.repo.accounts import create_account

from .context import Options
from .report import Row, Section
from .stats import Goal, paired_ratios, summarize

__all__ = ["run"]

CUSTOMERS = 60_000  # the size of the seed that once held the write lock for 27 s
GOAL = Goal("<=", 1.15, text="≤ 1.15× one transaction")


def _seed(opts: Options, name: str, chunk_seconds: float) -> tuple[float, float]:
    """Wall and CPU seconds of one seed of CUSTOMERS (scaled by --quick) customers."""
    path = opts.workdir / f"{name}.db"
    for leftover in opts.workdir.glob(f"{name}.db*"):
        leftover.unlink()
    db = open_database(path)
    try:
        account_id, _ = create_account(db)
        wall, cpu = time.perf_counter(), time.process_time()
        seed_account(db, account_id, customers=opts.count(CUSTOMERS), chunk_seconds=chunk_seconds)
        return time.perf_counter() - wall, time.process_time() - cpu
    finally:
        db.close()


def run(opts: Options) -> Section:
    opts.workdir.mkdir(parents=True, exist_ok=True)
    section = Section("seed", "11. spaces seed in chunks vs one transaction")
    series: dict[str, list[tuple[float, float]]] = {"chunks": [], "one": []}
    for rep in range(opts.reps(3)):
        order = ["chunks", "one"] if rep % 2 == 0 else ["one", "chunks"]
        for key in order:
            series[key].append(_seed(opts, key, CHUNK_SECONDS if key == "chunks" else math.inf))
            opts.log(f"seed {key}: {series[key][-1][0]:.1f} s")
    for index, what in ((0, "wall"), (1, "CPU")):
        ours = [s[index] for s in series["chunks"]]
        base = [s[index] for s in series["one"]]
        section.rows.append(
            Row(
                f"seed {opts.count(CUSTOMERS):,} customers, {what} time",
                summarize(ours, "s"),
                summarize(base, "s"),
                "one transaction",
                GOAL if what == "CPU" else None,
                paired_ratios(ours, base),
            )
        )
    section.notes.append(
        f"Chunks of {CHUNK_SECONDS:g} s of writing; a live worker's record (lease ≥ 20 s) waits"
        " about that long at most instead of the whole seed."
    )
    section.notes.append(
        f"The goal is on CPU time (chunking adds no work); wall time also holds the pause of"
        f" {PAUSE_SECONDS:g} s after each chunk on SQLite that lets a waiting writer in (its busy"
        f" handler sleeps up to 100 ms between tries), by design about"
        f" +{PAUSE_SECONDS / CHUNK_SECONDS:.0%} on an idle machine"
    )
    return section
