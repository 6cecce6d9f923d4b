"""`spaces contract`: hold a Spaces API server to spec/openapi.yaml.

Exit status: 0 every check passed, 1 contract failures, 2 could not run.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from spaces_toolkit.clihelp import Duration, positive_int
from spaces_toolkit.contract.defaults import (
    DEFAULT_MAX_EXAMPLES,
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    DEFAULT_WALK_BUDGET,
    PHASES,
    PROBES,
)
from spaces_toolkit.envdefaults import (
    ACCESS_TOKEN_VARS,
    SECOND_TOKEN_VARS,
    access_token,
    set_variable,
)
from spaces_toolkit.errors import CLIError

if TYPE_CHECKING:
    from spaces_toolkit.contract.runner import ContractOptions

__all__ = ["register", "handler"]

DEFAULT_REPORT_DIR = Path("reports/contract")

_EPILOG = """\
Without --base-url the suite starts the embedded reference server on a fresh SQLite file,
seeds two accounts, runs against it over HTTP on 127.0.0.1 and stops it.

Tokens may also come from SPACES_ACCESS_TOKEN and SPACES_SECOND_ACCESS_TOKEN (or the older
SPACES_TOKEN and SPACES_SECOND_TOKEN); curl lines in the output name them as
$SPACES_ACCESS_TOKEN and $SPACES_SECOND_ACCESS_TOKEN. Exit status: 0 passed, 1 contract failures,
2 could not run.

Each violation's exchange is saved in the report directory: failures.har (credentials redacted;
re-check it offline with --replay) and reproduce.sh (its curl lines).
"""


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


def _percent(text: str) -> float:
    try:
        value = float(text.rstrip("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a percentage: {text!r}") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"must be between 0 and 100: {value:g}")
    return value


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
    # Its variable is weighed by _base_url (which also says where the target came from).
    set_variable(
        parser.add_argument(
            "--base-url",
            help="the API's base URL, e.g. http://127.0.0.1:8000/api/v1 (default:"
            " $SPACES_BASE_URL; without either, the embedded reference server)",
        ),
        None,
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="deviations from the spec's decisions (spec/NOTES.md) fail the run too; without "
        "it only failures of what the docs state do",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print a JSON summary on stdout (failures and deviations, codes, verdict) instead "
        "of the text report",
    )
    parser.add_argument(
        "--token",
        default=access_token(os.environ, ACCESS_TOKEN_VARS),
        help="access token (Basic user)",
    )
    parser.add_argument(
        "--second-token",
        default=access_token(os.environ, SECOND_TOKEN_VARS),
        help="a token of another account: enables the tenant isolation probe",
    )
    parser.add_argument(
        "--max-examples",
        type=positive_int,
        default=DEFAULT_MAX_EXAMPLES,
        help=f"generated cases per operation and phase (default {DEFAULT_MAX_EXAMPLES})",
    )
    parser.add_argument("--workers", type=positive_int, default=1, help="concurrent workers")
    parser.add_argument("--seed", type=int, help="seed: the same seed repeats the same run")
    parser.add_argument(
        "--report-dir",
        type=Path,
        default=DEFAULT_REPORT_DIR,
        help=f"where junit.xml, report.html and coverage.json go (default {DEFAULT_REPORT_DIR})",
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
    parser.add_argument(
        "--spec",
        metavar="PATH|URL",
        help="the OpenAPI document to hold the server to (a file, or a URL such as the "
        "server's /openapi.json); default: the spec this toolkit ships",
    )
    parser.add_argument(
        "--walk-budget",
        type=positive_int,
        default=DEFAULT_WALK_BUDGET,
        help=f"pages per pagination walk and list (default {DEFAULT_WALK_BUDGET}); a list "
        "longer than that is walked in part, with a notice, never a failure",
    )
    parser.add_argument(
        "--timeout",
        type=Duration(maximum=3600),
        default=DEFAULT_TIMEOUT,
        help=f"per request, e.g. 15s or 500ms (default {DEFAULT_TIMEOUT:g}s); timeouts and "
        f"connection resets are retried up to {DEFAULT_RETRIES} times, counted and reported",
    )
    parser.add_argument(
        "--min-coverage",
        type=_percent,
        metavar="PCT",
        help="exit 1 when the run covered less than PCT%% of the coverage cells",
    )
    parser.add_argument(
        "--variant",
        metavar="NAME",
        help="run against the embedded server changed in a way the spec allows (--list-variants)",
    )
    parser.add_argument("--list-variants", action="store_true", help="list the valid variants")
    parser.add_argument(
        "--replay",
        type=Path,
        metavar="FILE",
        help="re-check a HAR recording offline instead of testing a server: `spaces proxy "
        "--record FILE` traffic, or a run's failures.har (same exit status and reports)",
    )
    parser.set_defaults(func=handler)


BASE_URL_VAR = "SPACES_BASE_URL"  # the variable the client and `spaces listen` read too


def _base_url(args: argparse.Namespace) -> tuple[str | None, str]:
    """The target's URL and where it came from: --base-url, else $SPACES_BASE_URL."""
    if args.base_url is not None:
        return args.base_url, "--base-url"
    from_env = os.environ.get(BASE_URL_VAR, "").strip()
    if from_env and not (args.mutant or args.variant):
        return from_env, BASE_URL_VAR
    return None, "embedded"


def _validate(args: argparse.Namespace) -> ContractOptions:
    from spaces_toolkit.contract.mutants import MUTANTS
    from spaces_toolkit.contract.runner import ContractOptions
    from spaces_toolkit.contract.variants import VARIANTS
    from spaces_toolkit.spec import SPEC_PATH

    if args.mutant and args.variant:
        raise CLIError("--mutant and --variant each change the embedded server: pick one")
    base_url, source = _base_url(args)
    if base_url is not None:
        parts = urlsplit(base_url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise CLIError(f"{source} must be an http(s) URL, got {base_url!r}")
        if args.mutant or args.variant:
            raise CLIError("--mutant and --variant run the embedded server, not --base-url")
        if not args.token:
            raise CLIError(f"--token (or SPACES_ACCESS_TOKEN) is required with {source}")
    if args.mutant and args.mutant not in MUTANTS:
        raise CLIError(f"unknown mutant {args.mutant!r} (see --list-mutants)")
    if args.variant and args.variant not in VARIANTS:
        raise CLIError(f"unknown variant {args.variant!r} (see --list-variants)")
    return ContractOptions(
        base_url=base_url,
        base_url_source=source,
        strict=args.strict,
        token=args.token,
        second_token=args.second_token,
        max_examples=args.max_examples,
        workers=args.workers,
        seed=args.seed,
        phases=args.phases,
        probes=args.probes,
        operations=tuple(map(_operation_label, args.operation)) if args.operation else None,
        mutant=args.mutant,
        variant=args.variant,
        spec=args.spec or SPEC_PATH,
        walk_budget=args.walk_budget,
        timeout=args.timeout,
    )


def _operation_label(text: str) -> str:
    method, _, path = text.strip().partition(" ")
    return f"{method.upper()} {path.strip()}"


def _writable(directory: Path) -> None:
    """Reports that cannot be written are a run nobody can read: refuse before testing."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe = directory / ".spaces-contract-write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise CLIError(f"cannot write reports to {directory}: {exc.strerror or exc}") from None


def handler(args: argparse.Namespace) -> int:
    from spaces_toolkit.console import Status
    from spaces_toolkit.contract.console import print_summary
    from spaces_toolkit.contract.replay_cli import write_failures
    from spaces_toolkit.contract.report import CRASH_LOG, render_json, write_reports
    from spaces_toolkit.contract.runner import run_contract

    if args.list_mutants:
        from spaces_toolkit.contract.mutants import MUTANTS

        for mutant in MUTANTS.values():
            print(f"{mutant.name:<28} caught by {mutant.caught_by:<26} {mutant.description}")
        return 0
    if args.list_variants:
        from spaces_toolkit.contract.variants import VARIANTS

        for variant in VARIANTS.values():
            print(f"{variant.name:<24} {variant.description}")
        return 0
    if args.replay is not None:
        from spaces_toolkit.contract.replay_cli import replay_recording

        _writable(args.report_dir)
        return replay_recording(args)
    options = _validate(args)
    _writable(args.report_dir)
    try:
        with Status("contract", sys.stderr) as progress:
            result = run_contract(options, progress)
    except CLIError:
        raise
    except Exception:  # the suite's own bug outside any probe: still exit 2, never a traceback
        import traceback

        log = args.report_dir / CRASH_LOG
        log.write_text(traceback.format_exc())
        raise CLIError(f"the suite itself failed; could not run (traceback in {log})") from None
    if args.min_coverage is not None:
        result.min_coverage = args.min_coverage

    def show() -> None:
        if args.json:
            print(render_json(result))
        else:
            print_summary(result)

    try:
        paths = write_reports(result, args.report_dir)
        paths += write_failures(result, args.report_dir, str(options.spec))
    except OSError as exc:
        print(f"spaces: error: could not write reports: {exc}", file=sys.stderr)
        show()
        return 2
    show()
    print("reports: " + ", ".join(str(p) for p in paths), file=sys.stderr if args.json else None)
    if result.crashes:
        log = args.report_dir / CRASH_LOG
        print(
            f"spaces: error: the suite itself failed ({len(result.crashes)} internal errors, "
            f"e.g. {result.crashes[0].where}: {result.crashes[0].summary[:200]}); could not run "
            f"to the end. Tracebacks in {log}",
            file=sys.stderr,
        )
    return result.exit_code
