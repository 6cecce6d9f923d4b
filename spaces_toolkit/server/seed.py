"""Deterministic demo data: the same flags and seed give the same Spaces, customers, invoices,
subscriptions, captured emails, events and webhooks (ids included) for a given account.

Seeded objects are history: their events are recorded and their webhooks marked delivered, so
seeding never sends a request. Only objects created later (`spaces trigger`) are delivered."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from typing import Any

from .db import Database, Transaction
from .events import EVENT_TYPES
from .repo import hooks, writes

__all__ = ["SeedSummary", "seed_account", "DEMO_TARGET_URL", "demo_items"]

DEMO_TARGET_URL = "https://webhooks.example/spaces-demo"  # .example never resolves (RFC 2606)
BASE_TIME = 1410196557  # the docs' first timestamp (2014-09-08)
PROGRESS_EVERY = 100  # customers between progress calls

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


def seed_account(
    db: Database,
    account_id: int,
    *,
    spaces: int = 3,
    customers: int = 30,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
    every_event_hook: bool = False,
) -> SeedSummary:
    """Add demo data to `account_id`; `progress(n)` is called as customers are written.
    `every_event_hook`: subscribe the demo URL to every event type, not only customer.created
    (so webhooks of every type exist)."""
    if spaces < 1 or customers < 0:
        raise ValueError("need at least one Space and a non-negative number of customers")
    rng = random.Random(f"spaces-seed:{seed}:{account_id}")
    clock = _Clock(BASE_TIME)
    summary = SeedSummary()
    # One write transaction for everything: a commit per object (or per hundred) made seeding
    # 100,000 customers spend most of its time syncing the journal.
    with db.write() as tx:
        if tx.one("SELECT 1 FROM accounts WHERE id = ?", (account_id,)) is None:
            raise LookupError(f"no account {account_id}")
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
        for i in range(spaces):
            url = None if i % 3 == 2 else f"https://spaces.pe/s/demo-{seed}-{account_id}-{i + 1}"
            made.append(
                (
                    writes.create_space(tx, account_id, url=url, created=clock.tick(rng)),
                    rng.choice(["USD", "USD", "EUR", "SEK"]),
                )
            )
            summary.spaces += 1
        for n in range(customers):
            _customer(tx, account_id, made[n % len(made)], n + 1, rng, clock, summary)
            if progress is not None and ((n + 1) % PROGRESS_EVERY == 0 or n + 1 == customers):
                progress(n + 1)
    return summary
