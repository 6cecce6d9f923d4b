"""The contract suite's choices and defaults, written once: read by the runner, the engine, the
walks and `spaces contract`'s flags. Nothing heavy is imported here, so `spaces contract --help`
does not load Schemathesis or the spec."""

from __future__ import annotations

__all__ = [
    "DEFAULT_MAX_EXAMPLES",
    "DEFAULT_RETRIES",
    "DEFAULT_TIMEOUT",
    "DEFAULT_WALK_BUDGET",
    "PHASES",
    "PROBES",
]

PHASES = ("examples", "coverage", "fuzzing", "stateful")  # Schemathesis' phases
PROBES = (
    "pagination",
    "auth",
    "tenancy",
    "parent_scope",
    "subscriptions",
    "links",
    "bad_input",
)
DEFAULT_MAX_EXAMPLES = 60
DEFAULT_TIMEOUT = 15.0
DEFAULT_RETRIES = 3
DEFAULT_WALK_BUDGET = 100  # pages per walk and list
