"""The contract suite's choices and defaults, written once: read by the runner, the engine, the
walks and `spaces contract`'s flags. Nothing heavy is imported here, so `spaces contract --help`
does not load Schemathesis or the spec."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from spaces_toolkit.contract.catalogue import code_of

__all__ = [
    "DEFAULT_MAX_EXAMPLES",
    "DEFAULT_RETRIES",
    "DEFAULT_TIMEOUT",
    "DEFAULT_WALK_BUDGET",
    "PHASES",
    "PROBES",
    "PROBE_LIST",
    "Probe",
    "probe_named",
]

PHASES = ("examples", "coverage", "fuzzing", "stateful")  # Schemathesis' phases


@dataclass(frozen=True)
class Probe:
    """One of the suite's probes: what `--probes` names, what the progress line says (`{budget}`:
    the walk budget), the catalogue's checks its violations carry, and its function (in a module
    of this package, imported when the probe runs), called with `needs` from the run's context:
    `client`, `model`, `budget` (pages per walk), `second` (the second account's token)."""

    name: str
    title: str
    checks: tuple[str, ...]
    function: str  # "module:function" in spaces_toolkit.contract
    needs: tuple[str, ...] = ("client", "model")

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(code_of(check) for check in self.checks)

    def load(self) -> Callable[..., None]:
        module, _, name = self.function.partition(":")
        fn: Callable[..., None] = getattr(
            importlib.import_module(f"spaces_toolkit.contract.{module}"), name
        )
        return fn

    def run(self, context: Any) -> None:
        self.load()(*(getattr(context, need) for need in self.needs))


# The one list of probes, in the order a run runs them (tenancy last: it needs a second token).
PROBE_LIST = (
    Probe(
        "pagination",
        "pagination walks (at most {budget} pages each), cursors, list/retrieve identity",
        (
            "pagination_walk",
            "pagination_backward",
            "cursor_refused",
            "list_retrieve_identity",
            "has_more_boundary",
            "pagination_envelope",
        ),
        "walks:probe_pagination",
        ("client", "model", "budget"),
    ),
    Probe("auth", "credentials on every operation", ("auth_required",), "probes:probe_auth"),
    Probe(
        "parent_scope",
        "nested paths scoped to their parent",
        ("parent_scope",),
        "probes:probe_parent_scope",
    ),
    Probe(
        "subscriptions",
        "create round trip",
        ("subscription_roundtrip",),
        "probes:probe_subscriptions",
        ("client", "model", "budget"),
    ),
    Probe("links", "the spec's links, followed", ("link_target",), "linkprobe:probe_links"),
    Probe(
        "bad_input",
        "malformed input refused",
        ("bad_input_refused",),
        "linkprobe:probe_bad_input",
    ),
    Probe(
        "tenancy",
        "tenant isolation between the two tokens",
        ("tenant_isolation",),
        "probes:probe_tenancy",
        ("client", "model", "second"),
    ),
)
PROBES = tuple(probe.name for probe in PROBE_LIST)  # what --probes accepts


def probe_named(name: str) -> Probe:
    return next(probe for probe in PROBE_LIST if probe.name == name)


DEFAULT_MAX_EXAMPLES = 60
DEFAULT_TIMEOUT = 15.0
DEFAULT_RETRIES = 3
DEFAULT_WALK_BUDGET = 100  # pages per walk and list
