"""The contract suite: hold any implementation of the Spaces API to spec/openapi.yaml.

`spaces contract` (see `cli`) runs it; `run_contract(ContractOptions(...))` is the same from
Python. Schemathesis 4 generates and checks requests from the spec (`engine`, with the extra
checks in `checks`); the suite's own probes (`walks`, `probes`) cover what a single request
cannot show: pagination walks, credentials on every operation, tenancy, subscription round trips.
`mutants` holds deliberately broken variants of the reference server that the suite must catch,
`variants` correct ones (differing only where the spec allows) that it must pass. Every spec
fact comes through `apispec` (a view over `spaces_toolkit.spec`); `coverage` records what a run
exercised; `pytest_plugin` runs the suite as pytest items; `st_hooks` serves plain `st run`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from spaces_toolkit._lazy import lazy_exports

if TYPE_CHECKING:
    from .model import Failure, OperationTally, SuiteResult
    from .runner import ContractOptions, run_contract

# Names load on first use (PEP 562), so importing a submodule, or `spaces --help`, does not
# import Schemathesis.
_LAZY = {
    "ContractOptions": ".runner",
    "Failure": ".model",
    "OperationTally": ".model",
    "SuiteResult": ".model",
    "run_contract": ".runner",
}
__all__ = [
    "ContractOptions",
    "Failure",
    "OperationTally",
    "SuiteResult",
    "run_contract",
]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
