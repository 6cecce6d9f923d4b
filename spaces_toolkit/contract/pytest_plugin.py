"""The contract suite inside a user's own pytest run (registered as a `pytest11` entry point).

    pytest --spaces-base-url http://127.0.0.1:8000/api/v1 --spaces-token "$SPACES_ACCESS_TOKEN"

adds test items under one node per operation of the spec and per probe, so `--junitxml` names
them `classname="spaces_contract.<operation or probe>" name="<check>"`:

    spaces_contract::GET /customers::checks          the operation's generated cases, all checks
    spaces_contract::probe:pagination::pagination_walk   one item per check of a probe
    spaces_contract::run                             errors, crashes, --spaces-min-coverage

The suite runs once, when the first of them runs; each item then fails with the failures that
are its own. Every item carries the marker `spaces_contract` (`-m "not spaces_contract"` leaves
the suite out), an operation's `spaces_operation`, a probe's `spaces_probe` and
`spaces_probe_<name>`. A user's own tests can use the fixtures `spaces_target` (the base URL
tested, where it came from, the tokens) and `spaces_result` (the suite's `SuiteResult`, run on
first use if no item ran it yet). Exit status as with `spaces contract`: 0 passed, 1 contract
failures, 2 could not run. Without --spaces-base-url the plugin adds no items and its fixtures
skip.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from spaces_toolkit.contract.defaults import PROBE_LIST, PROBES, probe_named
from spaces_toolkit.envdefaults import SECOND_TOKEN_VARS, access_token

__all__ = [
    "SpacesTarget",
    "pytest_addoption",
    "pytest_collection_modifyitems",
    "pytest_configure",
    "spaces_result",
    "spaces_target",
]

SUITE = "spaces_contract"  # the root node of the items, their junit classname's prefix, a marker
SOURCE = "--spaces-base-url"  # where the plugin's target comes from


def _markers() -> dict[str, str]:
    """Every marker the plugin puts on its items (registered, so no PytestUnknownMarkWarning)."""
    marks = {
        SUITE: "an item of the Spaces API contract suite (the pytest plugin's)",
        "spaces_operation": "a contract item judging one operation's generated cases",
        "spaces_probe": "a contract item judging one check of one of the suite's probes",
    }
    for probe in PROBE_LIST:
        marks[f"spaces_probe_{probe.name}"] = f"a contract item of the {probe.name} probe"
    return marks


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
    add(
        "--spaces-min-coverage",
        type=float,
        help="fail the spaces_contract::run item below this coverage %",
    )
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
        "base_url_source": SOURCE,
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


_RUN = pytest.StashKey["_Run"]()


def pytest_configure(config: pytest.Config) -> None:
    for name, text in _markers().items():
        config.addinivalue_line("markers", f"{name}: {text}")
    if config.getoption("spaces_base_url", None):
        config.stash[_RUN] = _Run(config)


def _active_run(request: pytest.FixtureRequest) -> _Run:
    run = request.config.stash.get(_RUN, None)
    if run is None:
        pytest.skip(f"the Spaces contract suite is off (no {SOURCE})")
    return run


@dataclass(frozen=True)
class SpacesTarget:
    """What the plugin's suite runs against: the API base URL, where it came from (the option
    that named it), and the tokens it uses (the second: another account, or None)."""

    base_url: str
    source: str
    token: str | None
    second_token: str | None


@pytest.fixture(scope="session")
def spaces_target(request: pytest.FixtureRequest) -> SpacesTarget:
    """The API the contract suite tests; skips when the plugin is off. Does not run the suite."""
    config = _active_run(request).config
    return SpacesTarget(
        base_url=config.getoption("spaces_base_url").rstrip("/"),
        source=SOURCE,
        token=config.getoption("spaces_token"),
        second_token=config.getoption("spaces_second_token"),
    )


@pytest.fixture(scope="session")
def spaces_result(request: pytest.FixtureRequest) -> Any:
    """The suite's `SuiteResult` (spaces_toolkit.contract.model): the one run the items share,
    started here if none of them ran yet; skips when the plugin is off."""
    return _active_run(request).get()


class SpacesNode(pytest.Collector):
    """The suite, or one operation or probe of it: a node the items hang under (their node id,
    and so junit's classname). Its items are made at collection's end, never by collect()."""

    def collect(self) -> list[pytest.Item | pytest.Collector]:
        return []


class SpacesItem(pytest.Item):
    """One check (or all checks of an operation) of the contract suite."""

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
        return SUITE, None, self.nodeid


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


@pytest.hookimpl(tryfirst=True)  # before -m and -k deselect: they see the suite's items
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    run = config.stash.get(_RUN, None)
    if run is None:
        return
    from spaces_toolkit.contract.apispec import load_model

    model = load_model(config.getoption("spaces_spec") or _default_spec())
    wanted = _csv(config.getoption("spaces_probes")) or PROBES
    unknown = [name for name in wanted if name not in PROBES]
    if unknown:
        raise pytest.UsageError(
            f"--spaces-probes: unknown {', '.join(unknown)} (choose from {', '.join(PROBES)})"
        )

    suite = SpacesNode.from_parent(session, name=SUITE, nodeid=SUITE)
    before = len(items)

    def item(
        parent: SpacesNode, name: str, select: Callable[[Any], list[Any]], *marks: str
    ) -> SpacesItem:
        made = SpacesItem.from_parent(parent, name=name, run=run, select=select)
        for mark in (SUITE, *marks):
            made.add_marker(mark)
        return made

    for op in model.operations:
        node = SpacesNode.from_parent(suite, name=op.label)
        items.append(item(node, "checks", _operation_failures(op.label), "spaces_operation"))
    for name in wanted:
        node = SpacesNode.from_parent(suite, name=f"probe:{name}")
        marks = ("spaces_probe", f"spaces_probe_{name}")
        items += [
            item(node, check, _probe_failures((check,)), *marks)
            for check in probe_named(name).checks
        ]
    items.append(item(suite, "run", _run_problems))
    # Reported as collected, so "collected N items" counts the suite's items too.
    added = items[before:]
    config.hook.pytest_collectreport(
        report=pytest.CollectReport(suite.nodeid, "passed", None, list(added))
    )


def _default_spec() -> Any:
    from spaces_toolkit.spec import SPEC_PATH

    return SPEC_PATH
