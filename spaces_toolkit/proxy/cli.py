"""`spaces proxy`: hold real traffic to the contract as it passes (see spaces_toolkit.proxy)."""

from __future__ import annotations

import argparse
from pathlib import Path

from spaces_toolkit.clihelp import Duration, Port
from spaces_toolkit.envdefaults import set_variable
from spaces_toolkit.errors import CLIError

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "proxy",
        help="forward real traffic to a server and check every exchange against the contract",
        description="Forward every request unchanged to --upstream and check each exchange"
        " against the spec (client mistakes and server failures apart); or re-check a"
        " recording offline with --replay. Each violation is a failure (the docs forbid it) or"
        " a deviation (only a decision of spec/NOTES.md does, named by its number). Exit 0: no"
        " failure; 1: failures (or deviations, with --strict); 2: could not run or check.",
    )
    parser.add_argument("--upstream", help="the API's base URL, e.g. http://127.0.0.1:8000/api/v1")
    # Not SPACES_PORT/SPACES_HOST: those are `spaces serve`'s, and a proxy runs beside it.
    set_variable(
        parser.add_argument("--port", type=Port(), default=8080, help="port to listen on (8080)"),
        "SPACES_PROXY_PORT",
    )
    set_variable(
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)"),
        "SPACES_PROXY_HOST",
    )
    parser.add_argument("--spec", help="the spec, a path or URL (default: the shipped spec)")
    parser.add_argument(
        "--duration", type=Duration(), help="stop after this long (90s, 5m); default: Ctrl-C"
    )
    parser.add_argument("--log", type=Path, help="write each violation as a JSON line here")
    parser.add_argument("--record", type=Path, help="record the exchanges as HAR (redacted)")
    parser.add_argument(
        "--report-dir", type=Path, help="write the suite's junit.xml and report.html here"
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="deviations from the spec's decisions (spec/NOTES.md) fail the run too (exit 1)",
    )
    parser.add_argument(
        "--replay", type=Path, metavar="FILE", help="re-check a --record file offline instead"
    )
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from spaces_toolkit.proxy.har import RecordingError
    from spaces_toolkit.proxy.run import ProxyOptions, load_spec_source, run_proxy
    from spaces_toolkit.proxy.session import Outputs
    from spaces_toolkit.spec import SPEC_PATH, SpecError

    if (args.replay is None) == (args.upstream is None):
        raise CLIError("give --upstream URL (live) or --replay FILE (a recording), one of them")
    for name in ("log", "record"):
        path = getattr(args, name)
        if path is not None and not path.parent.is_dir():
            raise CLIError(f"--{name}: no such directory: {path.parent}")
    if args.record is not None and args.replay is not None:
        raise CLIError("--record records live traffic: not with --replay")
    spec_source = args.spec or str(SPEC_PATH)
    try:
        spec = load_spec_source(spec_source)
    except SpecError as exc:
        raise CLIError(f"--spec {spec_source}: not a usable spec: {exc.problems[0]}") from exc
    except (OSError, ValueError) as exc:
        raise CLIError(f"--spec {spec_source}: {exc}") from exc
    outputs = Outputs(
        log=args.log, record=args.record, report_dir=args.report_dir, strict=args.strict
    )
    if args.replay is not None:
        from spaces_toolkit.proxy.replay import replay

        try:
            return replay(args.replay, spec, outputs, spec_source=spec_source).exit_code
        except RecordingError as exc:
            raise CLIError(str(exc)) from exc
    options = ProxyOptions(
        upstream=args.upstream,
        port=args.port,
        host=args.host,
        spec=spec_source,
        duration=args.duration,
        outputs=outputs,
    )
    try:
        from spaces_toolkit.proxy.forward import Upstream

        Upstream(args.upstream)
    except ValueError as exc:
        raise CLIError(str(exc)) from exc
    return run_proxy(options, spec)
