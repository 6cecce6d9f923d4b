"""Benchmark 6: regenerating everything (what `make` runs: `python -m generator`, client and
docs) and the Python client alone, vs openapi-python-client generating a client from the same
spec. Each run writes into a fresh scratch folder; both format their output with ruff."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from .context import Options, Skip
from .procs import PYTHON, ROOT
from .report import Row, Section
from .stats import paired_ratios, summarize

__all__ = ["run", "OPC_VENV", "OPC_VERSION"]

OPC_VERSION = "0.29.1"  # keep in step with the Makefile's deps-bench
OPC_VENV = ROOT / "build" / "bench" / "opc-venv"
SPEC = ROOT / "spec" / "openapi.yaml"


def _timed(argv: list[str], out: Path, env: dict[str, str] | None = None) -> float:
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    done = subprocess.run(
        argv, cwd=ROOT, capture_output=True, text=True, timeout=600, env=env, check=False
    )
    elapsed = time.perf_counter() - t0
    if done.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed ({done.returncode}): {done.stderr[-2000:]}")
    return elapsed


def _files(root: Path) -> tuple[int, int]:
    files = [p for p in root.rglob("*.py") if p.is_file()]
    return len(files), sum(len(p.read_text(encoding="utf-8").splitlines()) for p in files)


def run(opts: Options) -> Section:
    opc = OPC_VENV / "bin" / "openapi-python-client"
    if not opc.exists():
        raise Skip(f"openapi-python-client {OPC_VERSION} is not installed (make deps-bench)")
    if not (ROOT / "generator" / "__main__.py").exists():
        raise Skip("the generator is not built yet")
    section = Section("generation", "6. Generation")
    out = opts.workdir
    opc_env = {**os.environ, "PATH": f"{opc.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    cases = {
        "full": ([PYTHON, "-m", "generator", "--out", str(out / "ours")], out / "ours", None),
        "python": (
            [PYTHON, "-m", "generator", "--only", "python", "--out", str(out / "ours-py")],
            out / "ours-py",
            None,
        ),
        "opc": (
            [str(opc), "generate", "--path", str(SPEC), "--output-path", str(out / "opc")]
            + ["--overwrite", "--meta", "setup"],
            out / "opc",
            opc_env,
        ),
    }
    for argv, dest, env in cases.values():  # warm-up: byte-code caches, page cache
        _timed(argv, dest, env)
    times: dict[str, list[float]] = {k: [] for k in cases}
    for rep in range(opts.reps(5)):
        order = list(cases) if rep % 2 == 0 else list(reversed(cases))
        for key in order:
            argv, dest, env = cases[key]
            times[key].append(_timed(argv, dest, env))
    base = summarize(times["opc"], "s")
    section.rows.append(
        Row(
            "make (full regeneration: client + docs)",
            summarize(times["full"], "s"),
            base,
            "openapi-python-client",
            paired=paired_ratios(times["full"], times["opc"]),
        )
    )
    section.rows.append(
        Row(
            "python -m generator --only python",
            summarize(times["python"], "s"),
            base,
            "openapi-python-client",
            paired=paired_ratios(times["python"], times["opc"]),
        )
    )
    ours_files, ours_lines = _files(out / "ours-py")
    opc_files, opc_lines = _files(out / "opc")
    section.notes.append(
        f"output: ours {ours_files} Python files / {ours_lines:,} lines (+ docs in the full run),"
        f" openapi-python-client {OPC_VERSION} {opc_files} files / {opc_lines:,} lines"
        " (it warns that it skipped parts of the spec); each run in a fresh interpreter,"
        " into a fresh folder"
    )
    return section
