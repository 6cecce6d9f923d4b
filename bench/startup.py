"""Benchmark 3: start-up. `import spaces_client` vs `import httpx, pydantic` in fresh
interpreters (the time of the import statement, measured inside the child), how long
constructing a client takes: the first one in a process, and every one after it; and the
`spaces` command's start (`spaces --version`) against Schemathesis' `st --version`."""

from __future__ import annotations

import os
import resource
import subprocess
import time
from pathlib import Path

from .context import Options
from .procs import GENERATED, PYTHON, import_client
from .report import Row, Section
from .stats import Goal, paired_ratios, summarize, time_calls

__all__ = ["run", "child_seconds"]

# CPU time of the statement inside the child (time.process_time): on a shared machine the
# wall clock also counts the time spent waiting for a core.
_TIMED = "import time; t = time.process_time(); {stmt}; print(time.process_time() - t)"
_FIRST_CLIENT = (
    "import time; {imports}; t = time.process_time(); c = {make}; "
    "print(time.process_time() - t); c.close()"
)
BASE_URL = "http://127.0.0.1:8000/api/v1"


def child_seconds(code: str) -> float:
    """Run `code` in a fresh interpreter (generated/python importable); it prints seconds."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(GENERATED), os.environ.get("PYTHONPATH", "")]).rstrip(
            os.pathsep
        ),
    }
    out = subprocess.run(
        [PYTHON, "-c", code], capture_output=True, text=True, env=env, timeout=120, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def command_seconds(argv: list[str]) -> float:
    """CPU time (user + system) of one run of a command, interpreter start-up included."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, capture_output=True, timeout=120, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _commands(cases: dict[str, list[str]], reps: int) -> dict[str, list[float]]:
    for argv in cases.values():  # warm-up: byte-code caches, page cache
        command_seconds(argv)
    out: dict[str, list[float]] = {k: [] for k in cases}
    for rep in range(reps):
        for key in list(cases) if rep % 2 == 0 else list(reversed(cases)):
            out[key].append(command_seconds(cases[key]))
    return out


def _series(cases: dict[str, str], reps: int) -> dict[str, list[float]]:
    for code in cases.values():  # warm-up: byte-code caches, page cache
        child_seconds(code)
    out: dict[str, list[float]] = {k: [] for k in cases}
    for rep in range(reps):
        order = list(cases) if rep % 2 == 0 else list(reversed(cases))
        for key in order:
            out[key].append(child_seconds(cases[key]))
    return out


def run(opts: Options) -> Section:
    spaces_client = import_client()
    section = Section("startup", "3. Start-up and client construction")
    reps = opts.reps(11)
    imports = _series(
        {
            "ours": _TIMED.format(stmt="import spaces_client"),
            "baseline": _TIMED.format(stmt="import httpx, pydantic"),
            "basemodel": _TIMED.format(stmt="import httpx; from pydantic import BaseModel"),
        },
        reps,
    )
    section.rows.append(
        Row(
            "import spaces_client (fresh interpreter)",
            summarize(imports["ours"], "s"),
            summarize(imports["baseline"], "s"),
            "import httpx, pydantic",
            Goal("<=", 1.2, text="≤ 1.2×"),
            paired_ratios(imports["ours"], imports["baseline"]),
        )
    )
    section.rows.append(
        Row(
            "import spaces_client (fresh interpreter)",
            summarize(imports["ours"], "s"),
            summarize(imports["basemodel"], "s"),
            "import httpx + pydantic.BaseModel",
            paired=paired_ratios(imports["ours"], imports["basemodel"]),
        )
    )

    first = _series(
        {
            "ours": _FIRST_CLIENT.format(
                imports="from spaces_client import SpacesClient",
                make=f"SpacesClient('sk_bench', base_url={BASE_URL!r})",
            ),
            "baseline": _FIRST_CLIENT.format(
                imports="import httpx", make=f"httpx.Client(base_url={BASE_URL!r})"
            ),
        },
        opts.reps(5),
    )
    section.rows.append(
        Row(
            "first client in a process: construction",
            summarize(first["ours"], "s"),
            summarize(first["baseline"], "s"),
            "httpx.Client()",
            paired=paired_ratios(first["ours"], first["baseline"]),
        )
    )

    import httpx

    def ours() -> None:
        spaces_client.SpacesClient("sk_bench", base_url=BASE_URL).close()

    def bare() -> None:
        httpx.Client(base_url=BASE_URL).close()

    ours()  # the first one builds the shared SSL context
    count = opts.count(300)
    later: dict[str, list[float]] = {"ours": [], "baseline": []}
    for rep in range(opts.reps(9)):
        pairs = [("ours", ours), ("baseline", bare)]
        for key, fn in pairs if rep % 2 == 0 else reversed(pairs):
            n = count if key == "ours" else max(1, count // 20)
            later[key].append(time_calls(fn, n, time.process_time_ns))
    section.rows.append(
        Row(
            "each later client: construction",
            summarize(later["ours"], "s"),
            summarize(later["baseline"], "s"),
            "httpx.Client()",
            Goal("<", 1e-3, on="ours", text="< 1 ms"),
            paired_ratios(later["ours"], later["baseline"]),
        )
    )
    scripts = Path(PYTHON).parent
    cli = _commands(
        {
            "ours": [str(scripts / "spaces"), "--version"],
            "baseline": [str(scripts / "st"), "--version"],
        },
        reps,
    )
    section.rows.append(
        Row(
            "`spaces --version` (a fresh process)",
            summarize(cli["ours"], "s"),
            summarize(cli["baseline"], "s"),
            "Schemathesis' `st --version`",
            Goal("<=", 1.0, text="not slower"),
            paired_ratios(cli["ours"], cli["baseline"]),
        )
    )
    section.notes.append(
        "`spaces --version` and `st --version` are each process's CPU time (user + system,"
        " interpreter start-up included), interleaved; every `spaces COMMAND --help` starts the"
        " same way (tests/toolkit/test_startup.py: no Starlette, uvicorn, Schemathesis or spec)"
    )
    section.notes.append(
        "import times are the import statement's CPU time, measured inside each fresh interpreter"
        f" ({reps} interleaved runs each); `import pydantic` is lazy, BaseModel is not, and"
        " spaces_client defines its models at import, so the BaseModel row is the fairer pair"
    )
    section.notes.append(
        "a bare httpx.Client() loads the CA bundle into a new SSL context every time; SpacesClient"
        " shares one per process, so only its first construction pays for it"
    )
    return section
