"""Run by the openapi-python-client scratch venv's Python (not ours): time its generated
client's parsing of a list page, `CustomerList.from_dict(json.loads(body))` (what its
`_parse_response` does), against `json.loads(body)` alone, interleaved in this one process.

    python bench/opc_parsing.py PACKAGE_PARENT PACKAGE BODY_FILE REPS COUNT

Prints JSON: {"baseline": [seconds per call, ...], "opc": [...], "items": N}. Standard library
only, besides the generated package and its attrs dependency."""

from __future__ import annotations

import importlib
import json
import sys
import time


def _per_call(fn, count):  # type: ignore[no-untyped-def]
    start = time.process_time_ns()
    for _ in range(count):
        fn()
    return (time.process_time_ns() - start) / 1e9 / count


class _Next:
    """Stands for whatever a program allocates next (see bench/stats.py then_allocate)."""


def _then_allocate(result):  # type: ignore[no-untyped-def]
    _Next()  # not a list or dict: those may come from a free list, which the collector skips
    return result


def main() -> None:
    parent, package, body_file, reps, count = sys.argv[1:6]
    sys.path.insert(0, parent)
    model = importlib.import_module(f"{package}.models.customer_list").CustomerList
    with open(body_file, "rb") as fh:
        body = fh.read()
    # One object allocated after each parse, as in bench/parsing.py (collections paid in the
    # timing).
    cases = {
        "baseline": lambda: _then_allocate(json.loads(body)),
        "opc": lambda: _then_allocate(model.from_dict(json.loads(body))),
    }
    items = len(cases["opc"]().data)
    for fn in cases.values():  # warm-up
        _per_call(fn, max(50, int(count) // 10))
    times: dict[str, list[float]] = {k: [] for k in cases}
    for rep in range(int(reps)):
        order = list(cases) if rep % 2 == 0 else list(reversed(cases))
        for key in order:
            times[key].append(_per_call(cases[key], int(count)))
    print(json.dumps({**times, "items": items}))


if __name__ == "__main__":
    main()
