"""Correct at any size: a correct server holding 100,000 customers in one list passes, in
bounded time. Lists longer than the walk budget are walked in part, with a notice."""

from __future__ import annotations

import time
from pathlib import Path

from spaces_toolkit.contract.report import render_summary
from spaces_toolkit.contract.runner import ContractOptions, run_contract
from spaces_toolkit.server.app import create_app
from spaces_toolkit.server.run.embedded import serve_in_thread
from spaces_toolkit.server.settings import Settings, api_prefix
from spaces_toolkit.server.storage.database import open_database
from testing.support import seed_accounts

CUSTOMERS = 100_000
BOUND_SECONDS = 300  # the bound for the whole run on 2 cores (generous, not a benchmark)


def _seed(db_path: Path) -> list[str]:
    db = open_database(db_path)
    try:
        made = seed_accounts(db, [CUSTOMERS, 30], spaces=3, seeds=[1, 2], label="Big")
        return [token for _, token in made]
    finally:
        db.close()


def test_a_hundred_thousand_customers(tmp_path: Path) -> None:
    db_path = tmp_path / "big.db"
    first, second = _seed(db_path)
    app = create_app(Settings(db_path=db_path))
    with serve_in_thread(app) as root:
        started = time.monotonic()
        options = ContractOptions(
            base_url=root + api_prefix(),
            token=first,
            second_token=second,
            seed=20261202,
            max_examples=20,
        )
        result = run_contract(options, progress=lambda line: None)
        elapsed = time.monotonic() - started
    summary = render_summary(result)
    assert result.passed and result.exit_code == 0, summary
    assert any(
        "GET /customers: the forward walk" in n and "without reaching the end" in n
        for n in result.notes
    ), summary
    assert elapsed < BOUND_SECONDS, f"{elapsed:.0f}s\n{summary}"
