"""One contract run: find the server (or start the embedded one), probe it, fuzz it, judge it."""

from __future__ import annotations

import contextlib
import logging
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from spaces_toolkit.console import DETAIL
from spaces_toolkit.contract.apispec import CheckedApi, SpecError, SpecProblem, load_model
from spaces_toolkit.contract.defaults import (
    DEFAULT_MAX_EXAMPLES,
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    DEFAULT_WALK_BUDGET,
    PHASES,
    PROBE_LIST,
    PROBES,
)
from spaces_toolkit.contract.engine import build_config, run_engine
from spaces_toolkit.contract.http import ProbeClient, ProbeFailed, basic
from spaces_toolkit.contract.inputs import CursorPool
from spaces_toolkit.contract.listing import read_prefix
from spaces_toolkit.contract.model import Crash, Credentials, SuiteResult
from spaces_toolkit.errors import CLIError
from spaces_toolkit.server.settings import api_prefix
from spaces_toolkit.spec import SPEC_PATH

__all__ = ["ContractOptions", "PROBES", "run_contract", "Target"]


Progress = Callable[[str], None]


def _stderr(line: str) -> None:
    print(f"contract: {line}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class ContractOptions:
    """Everything a run can be told. `base_url=None` runs against the embedded reference server."""

    base_url: str | None = None
    token: str | None = None
    second_token: str | None = None
    max_examples: int = DEFAULT_MAX_EXAMPLES
    workers: int = 1
    seed: int | None = None
    phases: tuple[str, ...] = PHASES
    operations: tuple[str, ...] | None = None
    checks: tuple[str, ...] | None = None
    probes: tuple[str, ...] | None = None
    mutant: str | None = None
    variant: str | None = None
    spec: Path | str = SPEC_PATH  # a file or a URL (e.g. what a server serves at /openapi.json)
    walk_budget: int = DEFAULT_WALK_BUDGET  # pages per list walk
    timeout: float = DEFAULT_TIMEOUT  # seconds per request
    retries: int = DEFAULT_RETRIES  # per request, on transient network errors
    strict: bool = False  # deviations from the spec's decisions fail the run too
    # Where base_url came from ("--base-url", "SPACES_BASE_URL"); reports name it.
    base_url_source: str = "--base-url"


@dataclass(frozen=True)
class Target:
    base_url: str
    credentials: Credentials
    embedded: bool


@contextlib.contextmanager
def _embedded(options: ContractOptions, progress: Progress) -> Iterator[Target]:
    from spaces_toolkit.server.run.embedded import serve_in_thread

    wrap = None
    customers = 30
    if options.mutant is not None:
        from spaces_toolkit.contract.mutants import get_mutant

        wrap = get_mutant(options.mutant).wrap
    if options.variant is not None:
        from spaces_toolkit.contract.variants import get_variant

        variant = get_variant(options.variant)
        wrap, customers = variant.wrap, variant.customers
    with tempfile.TemporaryDirectory(prefix="spaces-contract-") as tmp:
        progress("starting the embedded reference server on a fresh SQLite file")
        db_path = Path(tmp) / "contract.db"
        tokens = _seed_embedded(db_path, customers)
        app = _embedded_app(db_path)
        with serve_in_thread(wrap(app) if wrap else app) as root:
            # Schemathesis probes the server with a malformed request first; uvicorn (configured
            # as the server starts) would log a warning about it amid the suite's own output.
            uvicorn_log = logging.getLogger("uvicorn.error")
            level = uvicorn_log.level
            uvicorn_log.setLevel(logging.ERROR)
            base_url = root + api_prefix()
            progress(f"embedded server at {base_url}")
            try:
                yield Target(base_url, Credentials(tokens[0], tokens[1]), embedded=True)
            finally:
                uvicorn_log.setLevel(level)
        progress("embedded server stopped")


def _seed_embedded(db_path: Path, customers: int) -> list[str]:
    """Two seeded accounts, with webhooks of every event type (for coverage)."""
    from spaces_toolkit.server.sandbox.seed import seed_account
    from spaces_toolkit.server.storage.database import open_database
    from spaces_toolkit.server.storage.repo.accounts import create_account

    db = open_database(db_path)
    try:
        tokens = []
        for n in (1, 2):
            account_id, token = create_account(
                db, name=f"Contract User {n}", email=f"contract{n}@example.com"
            )
            seed_account(db, account_id, customers=customers, seed=n, every_event_hook=True)
            tokens.append(token)
        return tokens
    finally:
        db.close()


def _embedded_app(db_path: Path) -> Any:
    from spaces_toolkit.server.app import create_app
    from spaces_toolkit.server.settings import Settings

    # Private webhook targets allowed (the suite's own are on loopback); no retry storm.
    settings = Settings(db_path=db_path, allow_private_targets=True, webhook_retry_interval=3600.0)
    return create_app(settings)


def _preflight(target: Target, timeout: float) -> None:
    """Could-not-run problems, each as one clear line: unreachable, wrong base URL, bad token."""
    tokens = [("--token", target.credentials.token)]
    if target.credentials.second_token:
        tokens.append(("--second-token", target.credentials.second_token))
    url = target.base_url.rstrip("/") + "/account"
    for option, token in tokens:
        try:
            response = _get_retrying(url, token, timeout)
        except httpx.HTTPError as exc:
            raise CLIError(f"cannot reach {target.base_url}: {exc or type(exc).__name__}") from None
        if response.status_code == 401:
            raise CLIError(f"the server refused {option} (GET /account answered 401)")
        if response.status_code == 404:
            raise CLIError(
                f"GET {url} answered 404: is {target.base_url} the API's base URL (…/api/v1)?"
            )


def _get_retrying(url: str, token: str, timeout: float) -> httpx.Response:
    for attempt in range(DEFAULT_RETRIES + 1):
        try:
            return httpx.get(url, headers={"Authorization": basic(token)}, timeout=timeout)
        except httpx.TransportError:
            if attempt == DEFAULT_RETRIES:
                raise
            time.sleep(0.25 * 2**attempt)
    raise AssertionError("unreachable")


def _cursor_pools(client: ProbeClient, model: CheckedApi) -> dict[str, CursorPool]:
    """Real cursors of every list (a sample: its first page), for generated requests."""
    pools: dict[str, CursorPool] = {}
    for lst in model.lists:
        try:
            objects = read_prefix(client, lst, None, 1).objects
        except ProbeFailed:
            objects = ()  # the probes report it; generated cases then go without cursors
        cursors = [c for c in map(lst.cursor_of, objects) if c is not None]
        pools[lst.path] = CursorPool(lst.cursors, cursors)
    return pools


@dataclass(frozen=True)
class _ProbeContext:
    """What a probe is called with (Probe.needs names these)."""

    client: ProbeClient
    model: CheckedApi
    budget: int
    second: str | None


def _run_probes(client: ProbeClient, options: ContractOptions, target: Target, progress: Progress):
    model = load_model(options.spec)
    wanted = PROBES if options.probes is None else options.probes
    context = _ProbeContext(client, model, options.walk_budget, target.credentials.second_token)
    for probe in PROBE_LIST:
        if probe.name not in wanted:
            continue
        if "second" in probe.needs and not context.second:
            client.result.notes.append(f"{probe.title} not checked: no --second-token given")
            continue
        progress("probes: " + probe.title.format(budget=options.walk_budget))
        before = _counts(client.result)
        _guarded(client.result, f"probe {probe.name}", partial(probe.run, context))
        progress(DETAIL + _found(before, _counts(client.result)))


def _counts(result: SuiteResult) -> tuple[int, int, int]:
    return len(result.hard_failures), len(result.deviations), len(result.crashes)


def _found(before: tuple[int, int, int], after: tuple[int, int, int]) -> str:
    """What one step found, e.g. "2 failures, 1 deviation" or "no violation"."""
    words = ("failure", "deviation", "internal error")
    parts = [
        f"{n} {word}{'s' * (n != 1)}"
        for word, n in zip(words, (a - b for a, b in zip(after, before, strict=True)), strict=True)
        if n
    ]
    return ", ".join(parts) or "no violation"


def _guarded(result: SuiteResult, where: str, step: Callable[[], None]) -> None:
    """Run one probe: a failure it recorded stops it (ProbeFailed); any other exception is the
    suite's own, kept with its traceback (the run then ends in exit 2, its reports written)."""
    try:
        step()
    except ProbeFailed:
        pass
    except Exception as exc:
        import traceback

        summary = f"{type(exc).__name__}: {exc}"
        result.crashes.append(Crash(where, summary, traceback.format_exc()))


def _execute(
    target: Target, options: ContractOptions, seed: int, progress: Progress
) -> SuiteResult:
    result = SuiteResult(
        base_url=target.base_url,
        seed=seed,
        embedded=target.embedded,
        strict=options.strict,
        target_source="embedded" if target.embedded else options.base_url_source,
    )
    started = time.monotonic()
    _preflight(target, options.timeout)
    progress(f"seed {seed} (repeat this run with --seed {seed})")
    model = load_model(options.spec)
    result.coverage.bind(model)
    client = ProbeClient(
        target.base_url,
        target.credentials,
        result,
        timeout=options.timeout,
        retries=options.retries,
    )
    with client:
        pools = _cursor_pools(client, model)
        _run_probes(client, options, target, progress)
    if options.phases:
        config = build_config(
            base_url=target.base_url,
            token=target.credentials.token,
            seed=seed,
            max_examples=options.max_examples,
            workers=options.workers,
            phases=options.phases,
            checks=options.checks,
            timeout=options.timeout,
            retries=options.retries,
        )
        _guarded(
            result,
            "schemathesis",
            lambda: run_engine(
                model=model,
                config=config,
                credentials=target.credentials,
                pools=pools,
                result=result,
                operations=options.operations,
                progress=progress,
            ),
        )
    result.duration = time.monotonic() - started
    ran = {label: set(t.checks_run) for label, t in result.tallies.items()}
    result.coverage_report = result.coverage.report(model, ran)
    if result.transient_errors:
        kinds = ", ".join(f"{k} ×{n}" for k, n in sorted(result.transient_errors.items()))
        result.notes.append(f"transient network errors retried (not failures): {kinds}")
    if result.rate_limited_cases:
        result.notes.append(
            f"{result.rate_limited_cases} generated case(s) answered 429 Too Many Requests:"
            " not checked (a refusal of the moment says nothing of the case)"
        )
    return result


def _check_spec(source: Path | str) -> None:
    """An unreadable or invalid spec is a could-not-run, named in one line."""
    try:
        load_model(source)
    except (SpecError, SpecProblem) as exc:
        reason = " ".join(str(exc).split())[:300] or type(exc).__name__
        raise CLIError(f"invalid spec {source}: {reason}") from None


def _check_operations(options: ContractOptions) -> None:
    """An --operation the spec does not have would silently test nothing: could not run."""
    if not options.operations:
        return
    labels = {op.label for op in load_model(options.spec).operations}
    unknown = [name for name in options.operations if name not in labels]
    if unknown:
        raise CLIError(
            f"unknown --operation {', '.join(map(repr, unknown))} "
            f"(the spec has: {', '.join(sorted(labels))})"
        )


def run_contract(options: ContractOptions, progress: Progress = _stderr) -> SuiteResult:
    """Run the suite. Raises CLIError (exit 2) when it cannot run at all."""
    _check_spec(options.spec)
    _check_operations(options)
    seed = options.seed if options.seed is not None else random.SystemRandom().randrange(2**31)
    if options.base_url is None:
        with _embedded(options, progress) as target:
            return _execute(target, options, seed, progress)
    if not options.token:
        raise CLIError("--token (or SPACES_ACCESS_TOKEN) is required with --base-url")
    credentials = Credentials(options.token, options.second_token or None)
    target = Target(options.base_url.rstrip("/"), credentials, embedded=False)
    progress(f"target: {target.base_url} (from {options.base_url_source})")
    return _execute(target, options, seed, progress)
