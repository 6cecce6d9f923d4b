"""`spaces contract`: hold a Spaces API server to spec/openapi.yaml.

Exit status: 0 every check passed, 1 contract failures, 2 could not run.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

from spaces_toolkit.contract.engine import PHASES
from spaces_toolkit.contract.runner import DEFAULT_MAX_EXAMPLES, PROBES, ContractOptions
from spaces_toolkit.errors import CLIError

__all__ = ["register", "handler"]

DEFAULT_REPORT_DIR = Path("reports/contract")

_EPILOG = """\
Without --base-url the suite starts the embedded reference server on a fresh SQLite file,
seeds two accounts, runs against it over HTTP on 127.0.0.1 and stops it.

Tokens may also come from SPACES_TOKEN and SPACES_SECOND_TOKEN; curl lines in the output name
them as $SPACES_TOKEN and $SPACES_SECOND_TOKEN. Exit status: 0 passed, 1 contract failures,
2 could not run.
"""


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return value


def _csv(choices: tuple[str, ...]):
    def parse(text: str) -> tuple[str, ...]:
        items = tuple(item.strip() for item in text.split(",") if item.strip())
        unknown = [item for item in items if item not in choices]
        if unknown:
            raise argparse.ArgumentTypeError(
                f"unknown: {', '.join(unknown)} (choose from {', '.join(choices)})"
            )
        return items

    return parse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "contract",
        help="run the contract suite against a server (default: the embedded one)",
        description="Hold an implementation of the Spaces API to spec/openapi.yaml: "
        "Schemathesis (all checks, positive and negative data, stateful links) plus "
        "pagination, envelope, error, credential, tenancy and subscription probes.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    env = os.environ.get
    parser.add_argument("--base-url", help="the API's base URL, e.g. http://127.0.0.1:8000/api/v1")
    parser.add_argument("--token", default=env("SPACES_TOKEN"), help="access token (Basic user)")
    parser.add_argument(
        "--second-token",
        default=env("SPACES_SECOND_TOKEN"),
        help="a token of another account: enables the tenant isolation probe",
    )
    parser.add_argument(
        "--max-examples",
        type=_positive,
        default=DEFAULT_MAX_EXAMPLES,
        help=f"generated cases per operation and phase (default {DEFAULT_MAX_EXAMPLES})",
    )
    parser.add_argument("--workers", type=_positive, default=1, help="concurrent workers")
    parser.add_argument("--seed", type=int, help="seed: the same seed repeats the same run")
    parser.add_argument(
        "--report-dir",
        type=Path,
        default=DEFAULT_REPORT_DIR,
        help=f"where junit.xml and report.html go (default {DEFAULT_REPORT_DIR})",
    )
    parser.add_argument(
        "--phases", type=_csv(PHASES), default=PHASES, help="Schemathesis phases (default: all)"
    )
    parser.add_argument(
        "--probes", type=_csv(PROBES), default=PROBES, help="the suite's probes (default: all)"
    )
    parser.add_argument(
        "--operation",
        action="append",
        metavar="'METHOD /path'",
        help="fuzz only this operation (repeatable)",
    )
    parser.add_argument(
        "--mutant",
        metavar="NAME",
        help="run against the embedded server with a seeded fault (see --list-mutants)",
    )
    parser.add_argument("--list-mutants", action="store_true", help="list the seeded faults")
    parser.add_argument("--spec", type=Path, help=argparse.SUPPRESS)
    parser.set_defaults(func=handler)


def _validate(args: argparse.Namespace) -> ContractOptions:
    from spaces_toolkit.contract.mutants import MUTANTS
    from spaces_toolkit.spec import SPEC_PATH

    if args.base_url is not None:
        parts = urlsplit(args.base_url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise CLIError(f"--base-url must be an http(s) URL, got {args.base_url!r}")
        if args.mutant:
            raise CLIError("--mutant runs the embedded server: it cannot go with --base-url")
        if not args.token:
            raise CLIError("--token (or SPACES_TOKEN) is required with --base-url")
    if args.mutant and args.mutant not in MUTANTS:
        raise CLIError(f"unknown mutant {args.mutant!r} (see --list-mutants)")
    return ContractOptions(
        base_url=args.base_url,
        token=args.token,
        second_token=args.second_token,
        max_examples=args.max_examples,
        workers=args.workers,
        seed=args.seed,
        phases=args.phases,
        probes=args.probes,
        operations=tuple(args.operation) if args.operation else None,
        mutant=args.mutant,
        spec_path=args.spec or SPEC_PATH,
    )


def handler(args: argparse.Namespace) -> int:
    from spaces_toolkit.contract.report import render_summary, write_reports
    from spaces_toolkit.contract.runner import run_contract

    if args.list_mutants:
        from spaces_toolkit.contract.mutants import MUTANTS

        for mutant in MUTANTS.values():
            print(f"{mutant.name:<28} caught by {mutant.caught_by:<26} {mutant.description}")
        return 0
    options = _validate(args)
    result = run_contract(options)
    print(render_summary(result))
    try:
        paths = write_reports(result, args.report_dir)
    except OSError as exc:
        print(f"contract: could not write reports: {exc}", file=sys.stderr)
    else:
        print("reports: " + ", ".join(str(p) for p in paths))
    return result.exit_code
