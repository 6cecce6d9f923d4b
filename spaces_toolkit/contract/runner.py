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
from pathlib import Path
from typing import Any

import httpx

from spaces_toolkit.contract.apispec import ApiModel, load_model
from spaces_toolkit.contract.engine import PHASES, build_config, run_engine
from spaces_toolkit.contract.http import ProbeClient, ProbeFailed, basic
from spaces_toolkit.contract.listing import cursor_of, list_all
from spaces_toolkit.contract.model import Credentials, SuiteResult
from spaces_toolkit.contract.probes import probe_auth, probe_subscriptions, probe_tenancy
from spaces_toolkit.contract.walks import probe_pagination
from spaces_toolkit.errors import CLIError
from spaces_toolkit.spec import SPEC_PATH

__all__ = ["ContractOptions", "PROBES", "run_contract", "Target"]

PROBES = ("pagination", "auth", "tenancy", "subscriptions")
DEFAULT_MAX_EXAMPLES = 60

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
    spec_path: Path = SPEC_PATH


@dataclass(frozen=True)
class Target:
    base_url: str
    credentials: Credentials
    embedded: bool


@contextlib.contextmanager
def _embedded(options: ContractOptions, progress: Progress) -> Iterator[Target]:
    from spaces_toolkit.server.embedded import run_embedded

    wrap = None
    if options.mutant is not None:
        from spaces_toolkit.contract.mutants import get_mutant

        wrap = get_mutant(options.mutant).wrap
    with tempfile.TemporaryDirectory(prefix="spaces-contract-") as tmp:
        progress("starting the embedded reference server on a fresh SQLite file")
        with run_embedded(Path(tmp) / "contract.db", accounts=2, wrap=wrap) as server:
            # Schemathesis probes the server with a malformed request first; uvicorn (configured
            # as the server starts) would log a warning about it amid the suite's own output.
            uvicorn_log = logging.getLogger("uvicorn.error")
            level = uvicorn_log.level
            uvicorn_log.setLevel(logging.ERROR)
            tokens = list(server.tokens)
            progress(f"embedded server at {server.base_url}")
            try:
                yield Target(server.base_url, Credentials(tokens[0], tokens[1]), embedded=True)
            finally:
                uvicorn_log.setLevel(level)
        progress("embedded server stopped")


def _preflight(target: Target) -> None:
    """Could-not-run problems, each as one clear line: unreachable, wrong base URL, bad token."""
    tokens = [("--token", target.credentials.token)]
    if target.credentials.second_token:
        tokens.append(("--second-token", target.credentials.second_token))
    url = target.base_url.rstrip("/") + "/account"
    for option, token in tokens:
        try:
            response = httpx.get(url, headers={"Authorization": basic(token)}, timeout=10)
        except httpx.HTTPError as exc:
            raise CLIError(f"cannot reach {target.base_url}: {exc or type(exc).__name__}") from None
        if response.status_code == 401:
            raise CLIError(f"the server refused {option} (GET /account answered 401)")
        if response.status_code == 404:
            raise CLIError(
                f"GET {url} answered 404: is {target.base_url} the API's base URL (…/api/v1)?"
            )


def _cursor_pools(client: ProbeClient, model: ApiModel) -> dict[str, list[Any]]:
    """Every list's cursors, for the generated requests that need a real one."""
    pools: dict[str, list[Any]] = {}
    for lst in model.lists:
        try:
            objects = list_all(client, lst, None)
        except ProbeFailed:
            objects = []  # the probes report it; generated cases then go without cursors
        ids = [o["id"] for o in objects if cursor_of(o) is not None]
        pools[lst.path] = ids
    return pools


def _run_probes(client: ProbeClient, options: ContractOptions, target: Target, progress: Progress):
    model = load_model(options.spec_path)
    wanted = PROBES if options.probes is None else options.probes
    second = target.credentials.second_token
    steps = [
        ("pagination", "pagination walks, cursors, list/retrieve identity", probe_pagination),
        ("auth", "credentials on every operation", probe_auth),
        ("subscriptions", "resource subscription round trip", probe_subscriptions),
    ]
    for name, what, probe in steps:
        if name in wanted:
            progress(f"probes: {what}")
            probe(client, model)
    if "tenancy" in wanted:
        if second:
            progress("probes: tenant isolation between the two tokens")
            probe_tenancy(client, model, second)
        else:
            client.result.notes.append("tenant isolation not checked: no --second-token given")


def _execute(
    target: Target, options: ContractOptions, seed: int, progress: Progress
) -> SuiteResult:
    result = SuiteResult(base_url=target.base_url, seed=seed, embedded=target.embedded)
    started = time.monotonic()
    _preflight(target)
    progress(f"seed {seed} (repeat this run with --seed {seed})")
    with ProbeClient(target.base_url, target.credentials, result) as client:
        try:
            pools = _cursor_pools(client, load_model(options.spec_path))
            _run_probes(client, options, target, progress)
        except httpx.TransportError as exc:
            raise CLIError(f"lost contact with {target.base_url}: {exc}") from None
    if options.phases:
        config = build_config(
            base_url=target.base_url,
            token=target.credentials.token,
            seed=seed,
            max_examples=options.max_examples,
            workers=options.workers,
            phases=options.phases,
            checks=options.checks,
        )
        run_engine(
            spec_path=options.spec_path,
            config=config,
            credentials=target.credentials,
            pools=pools,
            result=result,
            operations=options.operations,
            progress=progress,
        )
    result.duration = time.monotonic() - started
    return result


def _check_spec(path: Path) -> None:
    """An unreadable or invalid spec is a could-not-run, named in one line."""
    from openapi_spec_validator import validate
    from openapi_spec_validator.readers import read_from_filename

    try:
        document, _ = read_from_filename(str(path))
        validate(document)
        load_model(path)
    except Exception as exc:  # any reason at all: the suite cannot judge against it
        reason = " ".join(str(exc).split())[:300] or type(exc).__name__
        raise CLIError(f"invalid spec {path}: {reason}") from None


def run_contract(options: ContractOptions, progress: Progress = _stderr) -> SuiteResult:
    """Run the suite. Raises CLIError (exit 2) when it cannot run at all."""
    _check_spec(options.spec_path)
    seed = options.seed if options.seed is not None else random.SystemRandom().randrange(2**31)
    if options.base_url is None:
        with _embedded(options, progress) as target:
            return _execute(target, options, seed, progress)
    if not options.token:
        raise CLIError("--token (or SPACES_TOKEN) is required with --base-url")
    credentials = Credentials(options.token, options.second_token or None)
    target = Target(options.base_url.rstrip("/"), credentials, embedded=False)
    return _execute(target, options, seed, progress)
