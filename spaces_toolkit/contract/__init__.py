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

from spaces_toolkit.contract.cli import register
from spaces_toolkit.contract.model import Failure, OperationTally, SuiteResult
from spaces_toolkit.contract.runner import ContractOptions, run_contract

__all__ = [
    "ContractOptions",
    "Failure",
    "OperationTally",
    "SuiteResult",
    "register",
    "run_contract",
]
