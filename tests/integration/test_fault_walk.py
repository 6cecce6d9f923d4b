"""Retries proven end to end: the sync and async clients walk every list of a sandbox that
misbehaves on purpose (`spaces serve --faults`, the issue's plan: 200 ms latency, 5 % 429 with
Retry-After, 2 % 500, 1 % connections dropped mid-answer) and see every object exactly once;
creates through the same faults never write twice. The retry counts are printed (`pytest -s`)."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from spaces_client import APIConnectionError, APIStatusError, AsyncSpacesClient, SpacesClient

from generator.build import build_api
from spaces_toolkit.server.app import create_app
from spaces_toolkit.server.sandbox.seed import seed_account
from spaces_toolkit.server.settings import Settings, api_prefix
from spaces_toolkit.server.storage.database import open_database
from spaces_toolkit.server.storage.repo.accounts import create_account
from spaces_toolkit.spec import load as load_model
from testing.support import free_port

ROOT = Path(__file__).resolve().parents[2]
# Every resource with a paginated list, from the spec.
LIST_RESOURCES = sorted(
    r.name
    for r in build_api(load_model(ROOT / "spec" / "openapi.yaml")).resources
    for op in r.operations
    if op.pagination is not None
)

# Seed 7's fates put a reset, a 500 and a 429 among the first twelve requests (the creates) and
# more of each later: every kind of fault is met on every run (the fates follow arrival order).
FAULTS = "latency=200ms,429=5%,500=2%,reset=1%,seed=7"
LIMIT = 5  # small pages: more requests, so more of them meet a fault
CREATES = 12
# Enough that a request meeting faults several times in a row still succeeds (at 8 % faults
# per attempt, five failures in a row happen once in ~300,000 requests).
MAX_RETRIES = 4


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    """(base URL, token, database) of `spaces serve --faults ...` on a seeded database; on
    teardown, checks the server's own tally: every kind of fault was injected."""
    db_path = tmp_path_factory.mktemp("faults") / "spaces.db"
    db = open_database(db_path)
    try:
        account_id, token = create_account(db, name="Walker", email="walker@example.com")
        seed_account(db, account_id, spaces=2, customers=24, seed=3)
    finally:
        db.close()
    port = free_port()
    argv = [sys.executable, "-m", "spaces_toolkit.cli", "serve", "--db", str(db_path)]
    argv += ["--port", str(port), "--faults", FAULTS, "--log-level", "warning"]
    argv += ["--allow-private-targets"]  # the creates name an unused loopback port
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    root = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:  # the spec is outside the API, never faulted: a clean readiness probe
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{root}/openapi.json", timeout=5).status_code == 200:
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"spaces serve did not start: {proc.stderr.read()!r}")
            time.sleep(0.1)
        yield f"{root}{api_prefix()}", token, db_path
    finally:
        proc.terminate()
        try:
            _, err = proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
    tally = [line for line in err.decode().splitlines() if "Injected faults:" in line]
    print(f"\n[fault walk] server: {tally[-1] if tally else err.decode()[-500:]}")
    assert tally and all(f"{kind}×" in tally[-1] for kind in ("429", "500", "reset"))


def _oracle(db_path: Path, token: str) -> dict[str, list[Any]]:
    """Every id of every list, read in-process from the same database without faults."""
    app = create_app(Settings(db_path=db_path, run_delivery_worker=False))

    async def read() -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url=f"http://oracle{api_prefix()}", auth=(token, "")
        ) as http:
            for resource in LIST_RESOURCES:
                ids: list[Any] = []
                while True:
                    params: dict[str, Any] = {"limit": 100}
                    if ids:
                        params["starting_after"] = ids[-1]
                    body = (await http.get(f"/{resource}", params=params)).json()
                    ids += [item["id"] for item in body["data"]]
                    if not body["has_more"]:
                        break
                out[resource] = ids
        return out

    try:
        return asyncio.run(read())
    finally:
        app.state.db.close()


def _report(who: str, retries: Counter[str], pages: Counter[str]) -> None:
    total = sum(retries.values())
    detail = ", ".join(f"{r} {retries[r]}/{pages[r]}" for r in LIST_RESOURCES)
    print(f"\n[fault walk] {who}: {sum(pages.values())} pages, {total} retries ({detail})")


def test_creates_through_faults_never_write_twice(faulty: tuple[str, str, Path]) -> None:
    """A create is not retried by default (the API has no idempotency keys): a 429 or 500
    (answered in place of the API) writes nothing, a dropped answer may have written once."""
    base_url, token, db_path = faulty
    outcomes: Counter[str] = Counter()
    with SpacesClient(token, base_url=base_url, max_retries=MAX_RETRIES) as client:
        for n in range(CREATES):
            url = f"http://127.0.0.1:9/fault-walk/{n}"
            try:
                made = client.resource_subscriptions.create(
                    event="customer.created", target_url=url
                )
                assert made.target_url == url
                outcomes["created"] += 1
            except APIStatusError as exc:
                assert exc.status_code in (429, 500) and exc.request_id
                outcomes[str(exc.status_code)] += 1
            except APIConnectionError:
                outcomes["dropped"] += 1
    db = open_database(db_path)
    try:
        with db.read() as tx:
            stored = [
                row["target_url"]
                for row in tx.query("SELECT target_url FROM resource_subscriptions")
                if "/fault-walk/" in row["target_url"]
            ]
    finally:
        db.close()
    print(f"\n[fault walk] {CREATES} creates: {dict(outcomes)}; stored {len(stored)}")
    assert len(stored) == len(set(stored)), "a create was written twice"
    assert outcomes["created"] <= len(stored) <= outcomes["created"] + outcomes["dropped"]


def test_sync_and_async_walks_see_every_object_once(faulty: tuple[str, str, Path]) -> None:
    base_url, token, db_path = faulty
    expected = _oracle(db_path, token)
    assert sum(map(len, expected.values())) > 5 * LIMIT  # enough pages to meet faults

    retries: Counter[str] = Counter()
    pages: Counter[str] = Counter()
    with SpacesClient(token, base_url=base_url, max_retries=MAX_RETRIES) as client:
        for resource in LIST_RESOURCES:
            seen: list[Any] = []
            for page in getattr(client, resource).list(limit=LIMIT).iter_pages():
                seen += [item.id for item in page.data]
                retries[resource] += page.retries_taken
                pages[resource] += 1
                assert page.request_id
            assert seen == expected[resource], resource
    _report("sync", retries, pages)
    sync_retries = sum(retries.values())

    async def walk_all() -> tuple[Counter[str], Counter[str]]:
        aretries: Counter[str] = Counter()
        apages: Counter[str] = Counter()
        async with AsyncSpacesClient(token, base_url=base_url, max_retries=MAX_RETRIES) as aclient:

            async def walk(resource: str) -> None:
                seen: list[Any] = []
                async for page in getattr(aclient, resource).list(limit=LIMIT).iter_pages():
                    seen += [item.id for item in page.data]
                    aretries[resource] += page.retries_taken
                    apages[resource] += 1
                assert seen == expected[resource], resource

            await asyncio.gather(*(walk(r) for r in LIST_RESOURCES))
        return aretries, apages

    aretries, apages = asyncio.run(walk_all())
    _report("async", aretries, apages)
    # Faults were met and got past: the walks above could not have matched the oracle otherwise.
    assert sync_retries + sum(aretries.values()) > 0
