"""Benchmark 7: generated cases per second of `spaces contract` (its Schemathesis engine with
the suite's inputs and checks) vs plain `st run` with the same settings (seed, examples per
operation, phases, all checks, one worker, basic auth), each against an embedded reference
server seeded the same way.

"ours" runs the suite through its Python API with the probes off, against the same server as
st, so both sides do the same kind of work; the whole suite as `spaces contract` runs by
default (its own embedded server, probes on) is shown once beside it. Rates are generated
cases per second of wall time, start-up included."""

from __future__ import annotations

import dataclasses
import json
import logging
import subprocess
import time
from pathlib import Path

from spaces_toolkit.server.run.embedded import EmbeddedServer, run_embedded

from .context import Options, Skip
from .procs import PYTHON, ROOT
from .report import Row, Section
from .stats import paired_ratios, summarize

__all__ = ["run"]

SEED = 1
PHASES = "examples,coverage,fuzzing,stateful"


def _st_run(base_url: str, token: str, max_examples: int, report_dir: Path) -> tuple[int, float]:
    st = Path(PYTHON).parent / "st"
    argv = [str(st), "run", str(ROOT / "spec" / "openapi.yaml"), "--url", base_url]
    argv += ["--seed", str(SEED), "--workers", "1", "--max-examples", str(max_examples)]
    argv += ["--continue-on-failure", "--request-timeout", "15", "--auth", f"{token}:"]
    argv += ["--generation-with-security-parameters", "false", "--generation-database", "none"]
    argv += ["--phases", PHASES, "--checks", "all", "--no-color"]
    argv += ["--report", "json", "--report-json-path", str(report_dir / "st.json")]
    t0 = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=900)
    elapsed = time.perf_counter() - t0
    if done.returncode not in (0, 1):  # 1 = failures found, still a complete run
        raise RuntimeError(f"st run could not run ({done.returncode}): {done.stderr[-1500:]}")
    report = json.loads((report_dir / "st.json").read_text(encoding="utf-8"))
    return int(report["test_cases"]["generated"]), elapsed


def _ours(
    max_examples: int, probes: tuple[str, ...] | None, server: EmbeddedServer | None = None
) -> tuple[int, float]:
    """One run of the suite: against `server` (as st runs), or its own embedded server."""
    from spaces_toolkit.contract.runner import ContractOptions, run_contract

    options = ContractOptions(max_examples=max_examples, seed=SEED, workers=1, probes=probes)
    if server is not None:
        options = dataclasses.replace(
            options,
            base_url=server.base_url,
            token=server.tokens[0],
            second_token=server.tokens[1],
        )
    t0 = time.perf_counter()
    result = run_contract(options, progress=lambda line: None)
    return result.total_cases, time.perf_counter() - t0


def run(opts: Options) -> Section:
    try:
        import spaces_toolkit.contract.runner  # noqa: F401
    except ImportError as exc:
        raise Skip(f"the contract suite is not importable yet ({exc})") from None

    # The fuzzing makes the server log every 500 it answers; the run's report is enough here.
    logging.getLogger("spaces.server").setLevel(logging.CRITICAL)
    section = Section("contract", "7. Contract suite throughput")
    max_examples = 2 if opts.quick else 20
    reps = 1 if opts.quick else 2
    st_runs: list[tuple[int, float]] = []
    our_runs: list[tuple[int, float]] = []
    with run_embedded(opts.workdir / "st.db") as server:  # the server both sides test
        for rep in range(reps):
            order = ["st", "ours"] if rep % 2 == 0 else ["ours", "st"]
            for who in order:
                if who == "st":
                    st_runs.append(
                        _st_run(server.base_url, server.tokens[0], max_examples, opts.workdir)
                    )
                else:
                    our_runs.append(_ours(max_examples, probes=(), server=server))
                opts.log(f"  {who}: {(st_runs if who == 'st' else our_runs)[-1]}")
    full = _ours(max_examples, probes=None)

    def rate(runs: list[tuple[int, float]]) -> list[float]:
        return [n / s for n, s in runs]

    section.rows.append(
        Row(
            f"spaces contract --base-url (probes off), max-examples {max_examples}: cases/s",
            summarize(rate(our_runs), "cases/s"),
            summarize(rate(st_runs), "cases/s"),
            "st run",
            paired=paired_ratios(rate(our_runs), rate(st_runs)),
        )
    )
    section.rows.append(
        Row(
            "spaces contract, embedded server, probes on: cases/s",
            summarize(rate([full]), "cases/s"),
            summarize(rate(st_runs), "cases/s"),
            "st run",
        )
    )
    section.notes.append(
        "cases per run: st "
        + ", ".join(f"{n} in {s:.0f} s" for n, s in st_runs)
        + "; ours "
        + ", ".join(f"{n} in {s:.0f} s" for n, s in our_runs)
        + f"; whole suite {full[0]} in {full[1]:.0f} s. The first row's two sides both test the"
        " server that the benchmark's process serves; plain `spaces contract` starts its"
        " embedded server in a thread of its own process (second row), where suite and server"
        " share one interpreter lock"
    )
    return section
