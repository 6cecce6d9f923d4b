"""The contract suite inside a user's own pytest run (registered as a `pytest11` entry point).

    pytest --spaces-base-url http://127.0.0.1:8000/api/v1 --spaces-token "$SPACES_ACCESS_TOKEN"

adds one test item per operation of the spec (its generated cases and the checks on them) and
one per probe (pagination, auth, tenancy, ...), plus `spaces[run]` (errors, --min-coverage).
The suite runs once, when the first of them runs; each item then fails with the failures that
are its own. Exit status as with `spaces contract`: 0 passed, 1 contract failures, 2 could not
run. Without --spaces-base-url the plugin does nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from spaces_toolkit.contract.defaults import PROBE_LIST, PROBES, probe_named
from spaces_toolkit.envdefaults import SECOND_TOKEN_VARS, access_token

__all__ = ["pytest_addoption", "pytest_collection_modifyitems"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("spaces", "Spaces API contract suite")
    add = group.addoption
    add("--spaces-base-url", help="run the contract suite against this API base URL")
    add("--spaces-token", default=access_token(), help="access token [env: SPACES_ACCESS_TOKEN]")
    add(
        "--spaces-second-token",
        default=access_token(names=SECOND_TOKEN_VARS),
        help="a token of another account (tenant isolation probe)",
    )
    add("--spaces-spec", help="the OpenAPI document (path or URL); default: the shipped spec")
    add("--spaces-seed", type=int, help="seed: the same seed repeats the same run")
    add("--spaces-max-examples", type=int, help="generated cases per operation and phase")
    add("--spaces-walk-budget", type=int, help="pages per pagination walk and list")
    add("--spaces-timeout", type=float, help="seconds per request")
    add("--spaces-phases", help="Schemathesis phases, comma-separated (default: all)")
    add("--spaces-probes", help="the suite's probes, comma-separated (default: all)")
    add("--spaces-min-coverage", type=float, help="fail spaces[run] below this coverage %")
    add(
        "--spaces-strict",
        action="store_true",
        help="deviations from the spec's decisions fail their items too",
    )


def _csv(text: str | None) -> tuple[str, ...] | None:
    return None if text is None else tuple(t.strip() for t in text.split(",") if t.strip())


def _options(config: pytest.Config) -> Any:
    from spaces_toolkit.contract.runner import ContractOptions

    get = config.getoption
    given: dict[str, Any] = {
        "base_url": get("spaces_base_url"),
        "token": get("spaces_token"),
        "second_token": get("spaces_second_token"),
        "seed": get("spaces_seed"),
        "max_examples": get("spaces_max_examples"),
        "walk_budget": get("spaces_walk_budget"),
        "timeout": get("spaces_timeout"),
        "phases": _csv(get("spaces_phases")),
        "probes": _csv(get("spaces_probes")),
        "spec": get("spaces_spec"),
        "strict": get("spaces_strict") or None,
    }
    return ContractOptions(**{k: v for k, v in given.items() if v is not None})


class _Run:
    """The one suite run all items share, started by the first item that needs it."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.result: Any = None

    def progress(self, line: str) -> None:
        """The suite's progress on pytest's terminal (a run takes a while)."""
        from spaces_toolkit.console import DETAIL

        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            detail = line.startswith(DETAIL)
            text = line.removeprefix(DETAIL)
            reporter.write_line(f"spaces contract: {'  ' if detail else ''}{text}")

    def get(self) -> Any:
        if self.result is None:
            from spaces_toolkit.contract.runner import run_contract
            from spaces_toolkit.errors import CLIError

            try:
                self.result = run_contract(_options(self.config), progress=self.progress)
            except CLIError as exc:
                pytest.exit(f"spaces contract could not run: {exc}", returncode=2)
            self.result.min_coverage = self.config.getoption("spaces_min_coverage")
        return self.result


class SpacesItem(pytest.Item):
    """One operation or probe of the contract suite."""

    def __init__(self, *, run: _Run, select: Callable[[Any], list[Any]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.run = run
        self.select = select

    def runtest(self) -> None:
        problems = self.select(self.run.get())
        if problems:
            raise ContractFailed(problems)

    def repr_failure(self, excinfo: Any, style: Any = None) -> str:
        if isinstance(excinfo.value, ContractFailed):
            return "\n\n".join(excinfo.value.lines)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[str, int | None, str]:
        return "spaces-contract", None, self.name


class ContractFailed(Exception):
    def __init__(self, problems: list[Any]) -> None:
        super().__init__(f"{len(problems)} contract failures")
        self.lines = [
            p if isinstance(p, str) else _describe(p)
            for p in problems  # Failures, or plain messages
        ]


def _describe(failure: Any) -> str:
    decided = f" (deviation, NOTES {', '.join(map(str, failure.decisions))})" * bool(
        failure.decisions
    )
    text = (
        f"{failure.code} [{failure.check}] {failure.operation}: {failure.title}{decided}\n"
        f"{failure.message}"
    )
    return text + (f"\nreproduce: {failure.curl}" if failure.curl else "")


def _failing(result: Any) -> list[Any]:
    """What fails an item: failures, and deviations under --spaces-strict."""
    return result.failures if result.strict else result.hard_failures


def _operation_failures(label: str) -> Callable[[Any], list[Any]]:
    return lambda r: [f for f in _failing(r) if f.source != "probe" and f.operation == label]


def _probe_failures(checks: tuple[str, ...]) -> Callable[[Any], list[Any]]:
    return lambda r: [f for f in _failing(r) if f.source == "probe" and f.check in checks]


def _run_problems(result: Any) -> list[Any]:
    known = {label for label in result.tallies}
    probed = {check for probe in PROBE_LIST for check in probe.checks}
    stray = [
        f
        for f in _failing(result)
        if (f.source != "probe" and f.operation not in known)
        or (f.source == "probe" and f.check not in probed)
    ]
    problems: list[Any] = [*result.errors, *stray]
    problems += [f"the suite itself failed in {c.where}: {c.summary}" for c in result.crashes]
    if result.coverage_too_low:
        problems.append(
            f"coverage {result.coverage_percent:.1f}% is below {result.min_coverage:g}%"
        )
    return problems


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    if not config.getoption("spaces_base_url"):
        return
    from spaces_toolkit.contract.apispec import load_model

    model = load_model(config.getoption("spaces_spec") or _default_spec())
    run = _Run(config)
    wanted = _csv(config.getoption("spaces_probes")) or PROBES
    unknown = [name for name in wanted if name not in PROBES]
    if unknown:
        raise pytest.UsageError(
            f"--spaces-probes: unknown {', '.join(unknown)} (choose from {', '.join(PROBES)})"
        )

    def item(name: str, select: Callable[[Any], list[Any]]) -> SpacesItem:
        return SpacesItem.from_parent(session, name=name, nodeid=name, run=run, select=select)

    items += [item(f"spaces[{op.label}]", _operation_failures(op.label)) for op in model.operations]
    items += [
        item(f"spaces[probe:{name}]", _probe_failures(probe_named(name).checks)) for name in wanted
    ]
    items.append(item("spaces[run]", _run_problems))


def _default_spec() -> Any:
    from spaces_toolkit.spec import SPEC_PATH

    return SPEC_PATH
