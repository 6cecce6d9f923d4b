"""`python -m bench` (what `make bench` runs): measure the toolkit against its baselines.

    python -m bench                  # every benchmark, full size (~12 min on 2 cores)
    python -m bench server scaling   # some of them
    python -m bench --quick          # everything, small and short (a minute or two)
    python -m bench --list

Prints each benchmark's table as it finishes, then updates bench/results.json and rewrites
bench/RESULTS.md (only the sections that ran are replaced)."""

from __future__ import annotations

import argparse
import datetime
import importlib
import sys
import tempfile
import time
from pathlib import Path

from .context import Options, Skip
from .machine import machine_facts
from .report import Section, format_table, kept_tail, merge_results, render_markdown

HERE = Path(__file__).resolve().parent
RESULTS_JSON = HERE / "results.json"
RESULTS_MD = HERE / "RESULTS.md"

# key → (module, what it measures); the order is the and RESULTS.md's.
BENCHMARKS = {
    "client": ("bench.client", "1. SpacesClient vs bare httpx + json.loads"),
    "parsing": ("bench.parsing", "2. 100-item page into the generated models vs json.loads"),
    "startup": ("bench.startup", "3. import spaces_client and client construction"),
    "server": ("bench.load", "4. reference server vs Prism under wrk"),
    "scaling": ("bench.scaling", "5. page latency at 1k / 100k / 1M customers"),
    "generation": ("bench.generation", "6. make (regeneration) vs openapi-python-client"),
    "contract": ("bench.contract", "7. spaces contract vs plain st run"),
    "postgres": ("bench.postgres", "8. PostgreSQL backend: servers and deep pages"),
    "delivery": ("bench.delivery", "9. webhook delivery vs keep-alive and httpx loops, pre-merge"),
    "proxy": ("bench.proxy", "10. spaces proxy between wrk and the reference server vs direct"),
    "seed": ("bench.seed", "11. spaces seed in chunks vs one transaction"),
}

INTRO = """# Benchmarks

Written by `make bench` (`python -m bench`); do not edit above the notes marker at the end.

Rerun everything with `make bench` (installs wrk and the openapi-python-client scratch venv
first; about 12 minutes on 2 cores, 18 on a loaded one, plus a minute once to build the
1M-customer database of the scaling benchmark into build/bench/, which later runs reuse), or
some of it with `.venv/bin/python -m bench server scaling` (`make bench BENCH_ARGS="server
scaling"`); `--quick` gives a rough pass in two minutes, `--list` names the benchmarks. The
machine is shared and noisy: compare the ratios (baseline and ours run interleaved in the same
run), not absolute figures across runs.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("benchmarks", nargs="*", metavar="NAME", help="which to run (default all)")
    parser.add_argument("--quick", action="store_true", help="small sizes, short runs")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument(
        "--no-write", action="store_true", help="print only; leave RESULTS.md/results.json alone"
    )
    args = parser.parse_args(argv)
    if args.list:
        for key, (_, title) in BENCHMARKS.items():
            print(f"{key:<11} {title}")
        return 0
    unknown = [b for b in args.benchmarks if b not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; see --list")
    chosen = [k for k in BENCHMARKS if not args.benchmarks or k in args.benchmarks]
    sections: list[Section] = []
    failed = 0
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="spaces-bench-") as tmp:
        for key in chosen:
            module_name, title = BENCHMARKS[key]
            opts = Options(quick=args.quick, workdir=Path(tmp) / key)
            opts.workdir.mkdir()
            print(f"\n== {title}", flush=True)
            t0 = time.monotonic()
            try:
                section = importlib.import_module(module_name).run(opts)
            except Skip as exc:
                print(f"skipped: {exc}", flush=True)
                continue
            except Exception as exc:  # one broken benchmark must not lose the others' figures
                failed += 1
                print(f"FAILED: {type(exc).__name__}: {exc}", flush=True)
                continue
            section.date = datetime.date.today().isoformat()
            section.quick = args.quick
            sections.append(section)
            print(format_table(section.rows))
            for note in section.notes:
                print(f"  note: {note}")
            print(f"  ({time.monotonic() - t0:.0f} s)", flush=True)
    print(f"\nall done in {time.monotonic() - started:.0f} s", flush=True)
    if sections and not args.no_write:
        data = merge_results(RESULTS_JSON, sections, machine_facts())
        tail = kept_tail(RESULTS_MD.read_text(encoding="utf-8")) if RESULTS_MD.is_file() else ""
        RESULTS_MD.write_text(render_markdown(data, list(BENCHMARKS), INTRO, tail), "utf-8")
        print(f"wrote {RESULTS_MD.relative_to(HERE.parent)} and {RESULTS_JSON.name}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
