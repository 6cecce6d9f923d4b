"""Deterministic demo data: the same flags and seed give the same Spaces, customers, invoices,
subscriptions, captured emails, events and webhooks (ids included) for a given account.

Seeded objects are history: their events are recorded and their webhooks marked delivered, so
seeding never sends a request. Only objects created later (`spaces trigger`) are delivered."""

from __future__ import annotations

import dataclasses
import json
import random
import time
from collections.abc import Callable
from typing import Any

from ..storage.database import Database, Transaction
from ..storage.events import EVENT_TYPES
from ..storage.ids import new_id
from ..storage.repo import accounts, hooks, seed_runs, writes

__all__ = [
    "SeedSummary",
    "SeedError",
    "SeedIncomplete",
    "seed_account",
    "DEMO_TARGET_URL",
    "demo_items",
]

DEMO_TARGET_URL = "https://webhooks.example/spaces-demo"  # .example never resolves (RFC 2606)
BASE_TIME = 1410196557  # the docs' first timestamp (2014-09-08)
PROGRESS_EVERY = 100  # customers between progress calls
# A seed holds the write lock (SQLite has one) at most about this long per chunk, so what the
# server writes meanwhile (a webhook's outcome, held by a delivery worker under a lease of at
# least 20 s, renewed every 3 s or more) waits about that long at most; between chunks it
# pauses longer than SQLite's longest busy-handler sleep (100 ms), so the writers queued
# behind it get in. (0.5 s chunks cost up to a third more wall time on a loaded machine.)
CHUNK_SECONDS = 1.0
PAUSE_SECONDS = 0.12

_FIRST = ["John", "Jane", "Ada", "Alan", "Grace", "Linus", "Margaret", "Ken", "Barbara", "Dennis"]
_LAST = ["Doe", "Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Thompson", "Liskov"]
_CATALOG: list[tuple[Any, str, int]] = [
    ("100100", "Product 1", 1200),
    ("100200", "Product 7", 2500),
    (101, "Domestic shipping", 1000),
    (102, "International shipping", 2400),
    ("200300", "Gift wrapping", 300),
    ("300100", "Monthly plan", 900),
]
_ADDRESSES: list[dict[str, Any]] = [
    {
        "line_1": "SpaceX",
        "line_2": "1 Rocket Rd",
        "line_3": "",
        "zip_code": "90250",
        "locality": "Hawthorne",
        "region": "CA",
        "country": "US",
    },
    {
        "line_1": "Drottninggatan 1",
        "line_2": None,
        "line_3": None,
        "zip_code": "11151",
        "locality": "Stockholm",
        "region": None,
        "country": "SE",
    },
    {
        "line_1": "10 Downing St",
        "line_2": "",
        "line_3": "",
        "zip_code": "SW1A 2AA",
        "locality": "London",
        "region": "",
        "country": "GB",
    },
]


@dataclasses.dataclass
class SeedSummary:
    spaces: int = 0
    customers: int = 0
    invoices: int = 0
    subscriptions: int = 0
    captured_emails: int = 0
    resource_subscriptions: int = 0
    resumed_at: int = 0  # customers an earlier, interrupted run of this seed had written
    finished_before: bool = False  # an earlier run of this seed had finished: nothing done


def demo_items(rng: random.Random, kind: str, currency: str) -> list[dict[str, Any]]:
    """1–3 invoice or subscription lines from the demo catalog."""
    items = []
    for item_id, description, unit in rng.sample(_CATALOG, rng.randint(1, 3)):
        quantity = rng.randint(1, 3)
        discount = rng.choice([0, 0, 0, 100])
        line: dict[str, Any] = {
            "object": f"{kind}_item",
            "item_id": item_id,
            "description": description,
            "quantity": quantity,
            "discount": discount,
            "unit_amount": unit,
            "total_amount": unit * quantity - discount,
        }
        if kind == "invoice":
            line |= {"currency": currency, "date_range_start": None, "date_range_end": None}
        items.append(line)
    return items


MONTH = 30 * 24 * 3600


def _billing_periods(items: list[dict[str, Any]], created: int) -> list[dict[str, Any]]:
    """A plan billed on an invoice covers the month from the invoice date (the other lines have
    no date range)."""
    for item in items:
        if item["description"] == "Monthly plan":
            item |= {"date_range_start": created, "date_range_end": created + MONTH}
    return items


class _Clock:
    def __init__(self, start: int) -> None:
        self.now = start

    def tick(self, rng: random.Random) -> int:
        self.now += rng.randint(1, 3600)
        return self.now


def _customer(
    tx: Transaction,
    account_id: int,
    space: tuple[int, str],
    n: int,
    rng: random.Random,
    clock: _Clock,
    summary: SeedSummary,
) -> None:
    space_seq, currency = space
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    cust_seq = writes.create_customer(
        tx,
        account_id,
        space_seq,
        name=f"{first} {last}",
        email=f"{first}.{last}.{n}@example.com".lower(),
        created=clock.tick(rng),
        rng=rng,
        history=True,
    ).seq
    summary.customers += 1
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        shipping = rng.random() < 0.3
        items = demo_items(rng, "invoice", currency)
        billing = rng.choice([*_ADDRESSES, None])
        shipping_address = rng.choice(_ADDRESSES) if shipping else None
        shipped = shipping and rng.random() < 0.5
        created = clock.tick(rng)
        inv_seq = writes.create_invoice(
            tx,
            account_id,
            cust_seq,
            items=_billing_periods(items, created),
            currency=currency,
            billing_address=billing,
            shipping_address=shipping_address,
            shipped=shipped,
            shipping_details="Shipped with tracking number 1Z999" if shipping else None,
            created=created,
            rng=rng,
            history=True,
        ).seq
        summary.invoices += 1
        if rng.random() < 0.5:
            writes.pay_invoice(
                tx, account_id, inv_seq, created=clock.tick(rng), rng=rng, history=True
            )
    for _ in range(rng.choice([0, 0, 1, 1, 2])):
        writes.create_subscription(
            tx,
            account_id,
            cust_seq,
            items=demo_items(rng, "subscription", currency),
            currency=currency,
            created=clock.tick(rng),
            rng=rng,
            history=True,
        )
        summary.subscriptions += 1
    if rng.random() < 0.5:
        writes.capture_email(
            tx,
            account_id,
            space_seq,
            email=f"lead.{n}@example.org",
            created=clock.tick(rng),
            rng=rng,
            history=True,
        )
        summary.captured_emails += 1


class SeedError(Exception):
    """A seed that cannot run as asked (one clear line: the CLI's error message)."""


class SeedIncomplete(SeedError):
    """A seed stopped part-way: what it committed stays, and the same call resumes it."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__(
            f"seeding stopped after {done:,} of {total:,} customers (those are kept);"
            " run the same command again to finish it"
        )
        self.done, self.total = done, total


@dataclasses.dataclass
class _Run:
    """Where a seed run stands between chunks: what `seed_runs.state` holds."""

    rng: random.Random
    clock: _Clock
    spaces: list[tuple[int, str]]  # (seq, currency) of the run's Spaces
    summary: SeedSummary
    done: int = 0  # customers written

    def dump(self) -> str:
        version, internal, gauss = self.rng.getstate()
        return json.dumps(
            {
                "rng": [version, list(internal), gauss],
                "clock": self.clock.now,
                "spaces": self.spaces,
            }
        )

    @classmethod
    def load(cls, state: str, summary: SeedSummary, done: int) -> _Run:
        data = json.loads(state)
        rng = random.Random()
        version, internal, gauss = data["rng"]
        rng.setstate((version, tuple(internal), gauss))
        spaces = [(int(seq), str(currency)) for seq, currency in data["spaces"]]
        return cls(rng, _Clock(int(data["clock"])), spaces, summary, done)


def _start(
    tx: Transaction, account_id: int, seed: int, flags: dict[str, Any], every_event_hook: bool
) -> _Run:
    """The run's first transaction: its resource subscriptions and Spaces (the customers come
    in chunks after)."""
    rng = random.Random(f"spaces-seed:{seed}:{account_id}")
    clock = _Clock(BASE_TIME)
    summary = SeedSummary()
    # Data of this seed written before runs were recorded: its first id is taken already.
    probe = random.Random()
    probe.setstate(rng.getstate())
    probe.randint(1, 3600)  # the clock's tick of the demo subscription, then its id
    if hooks.resource_subscription_id_taken(tx, account_id, new_id("resource_subscription", probe)):
        raise SeedError(
            f"account {account_id} already holds the data of --seed {seed}"
            " (seeded by an earlier version); use another --seed"
        )
    hooks.create_resource_subscription(
        tx,
        account_id,
        event="customer.created",
        target_url=DEMO_TARGET_URL,
        created=clock.tick(rng),
        rng=rng,
    )
    summary.resource_subscriptions += 1
    # Optionally the demo URL hears of every other event type too, so that webhooks of each
    # type exist (their own generator: the rest of the data stays the same for a seed).
    hook_rng = random.Random(f"spaces-seed-hooks:{seed}:{account_id}")
    for event in EVENT_TYPES if every_event_hook else ():
        if event != "customer.created":
            hooks.create_resource_subscription(
                tx,
                account_id,
                event=event,
                target_url=DEMO_TARGET_URL,
                created=BASE_TIME,
                rng=hook_rng,
            )
            summary.resource_subscriptions += 1
    made: list[tuple[int, str]] = []
    for i in range(int(flags["spaces"])):
        url = None if i % 3 == 2 else f"https://spaces.pe/s/demo-{seed}-{account_id}-{i + 1}"
        made.append(
            (
                writes.create_space(tx, account_id, url=url, created=clock.tick(rng)),
                rng.choice(["USD", "USD", "EUR", "SEK"]),
            )
        )
        summary.spaces += 1
    run = _Run(rng, clock, made, summary)
    seed_runs.create_seed_run(
        tx, account_id, seed, flags=json.dumps(flags), summary=_counts(summary), state=run.dump()
    )
    return run


_COUNTS = ("spaces", "customers", "invoices", "subscriptions", "captured_emails")


def _counts(summary: SeedSummary) -> str:
    return json.dumps(
        {name: getattr(summary, name) for name in (*_COUNTS, "resource_subscriptions")}
    )


def seed_account(
    db: Database,
    account_id: int,
    *,
    spaces: int = 3,
    customers: int = 30,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
    every_event_hook: bool = False,
    chunk_seconds: float = CHUNK_SECONDS,
) -> SeedSummary:
    """Add demo data to `account_id`; `progress(n)` is called as customers are written.
    `every_event_hook`: subscribe the demo URL to every event type, not only customer.created
    (so webhooks of every type exist).

    Written in chunks, each one write transaction held about `chunk_seconds` at most, with a
    pause between them on SQLite, so a server beside the seed keeps writing (a delivery
    worker's record among them). A run is recorded with its chunks (`seed_runs`): the same
    call again resumes a run that stopped part-way (SeedIncomplete says how far it got) and
    does nothing for one that finished (`SeedSummary.finished_before`); the data is the same as
    if it had run at once. A different --spaces/--customers for the same seed is a SeedError.
    """
    if spaces < 1 or customers < 0:
        raise ValueError("need at least one Space and a non-negative number of customers")
    flags = {"spaces": spaces, "customers": customers, "every_event_hook": every_event_hook}
    name = f"seed {seed} of account {account_id}"
    with db.write() as tx:
        if not accounts.account_exists(tx, account_id):
            raise LookupError(f"no account {account_id}")
        tx.lock(name)  # one run of a seed at a time (PostgreSQL; SQLite's writer is one)
        row = seed_runs.find_seed_run(tx, account_id, seed)
        if row is None:
            run = _start(tx, account_id, seed, flags, every_event_hook)
        else:
            if json.loads(row["flags"]) != flags:
                was = json.loads(row["flags"])
                raise SeedError(
                    f"account {account_id} was seeded with --seed {seed} and --spaces"
                    f" {was['spaces']} --customers {was['customers']}"
                    + (" (every event type)" if was["every_event_hook"] else "")
                    + ("; run that again to finish it," if row["state"] else ";")
                    + " or use another --seed"
                )
            summary = SeedSummary(**json.loads(row["summary"]))
            if row["state"] is None:
                summary.finished_before = True
                return summary
            run = _Run.load(row["state"], summary, int(row["done"]))
            run.summary.resumed_at = run.done
    # One writer at a time (no row locks: SQLite's one write lock): let queued writers in.
    pause = 0.0 if db.capabilities.row_locks else PAUSE_SECONDS
    committed, chunks = run.done, 0
    while True:
        try:
            if chunks:
                # Let the writers queued behind the last chunk in: SQLite's lock is not handed
                # over, each waiter polls it, and one that has waited long polls every 100 ms.
                time.sleep(pause)
            with db.write() as tx:
                tx.lock(name)
                if seed_runs.seed_run_done(tx, account_id, seed) != run.done:
                    raise SeedError(f"another `spaces seed --seed {seed}` is writing this account")
                began = time.monotonic()
                first = run.done
                while run.done < customers and (
                    run.done == first or time.monotonic() - began < chunk_seconds
                ):
                    space = run.spaces[run.done % len(run.spaces)]
                    _customer(tx, account_id, space, run.done + 1, run.rng, run.clock, run.summary)
                    run.done += 1
                    if progress is not None and (
                        run.done % PROGRESS_EVERY == 0 or run.done == customers
                    ):
                        progress(run.done)
                finished = run.done >= customers
                seed_runs.record_seed_chunk(
                    tx,
                    account_id,
                    seed,
                    done=run.done,
                    summary=_counts(run.summary),
                    state=None if finished else run.dump(),
                )
        except SeedError:
            raise
        except BaseException as exc:  # the chunk rolled back; the ones before it stay
            raise SeedIncomplete(committed, customers) from exc
        committed, chunks = run.done, chunks + 1
        if finished:
            return run.summary
