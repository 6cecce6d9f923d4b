"""`spaces contract`'s recordings, both ways.

- Each failing exchange of a run saved replayable in the report directory: `failures.har` (HAR
  1.2, written by the proxy's recorder with its redaction: no token in it; each entry's `comment`
  names the violations it shows) and `reproduce.sh` (the curl lines, tokens as
  `$SPACES_ACCESS_TOKEN` / `$SPACES_SECOND_ACCESS_TOKEN`).
- `spaces contract --replay FILE`: a HAR recording (`spaces proxy --record`, or a run's
  failures.har) re-checked offline with the proxy's checks and replay; the same exit codes and
  report files as a live run.

An entry-point module of the contract command: it may use the proxy package, which itself builds
on the suite's model and reports.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from pathlib import Path
from urllib.parse import urlsplit

from spaces_toolkit.contract.model import Failure, SuiteResult, shell_quote
from spaces_toolkit.errors import CLIError

__all__ = ["FAILURES_HAR", "REPRODUCE_SCRIPT", "replay_recording", "write_failures"]

FAILURES_HAR = "failures.har"
REPRODUCE_SCRIPT = "reproduce.sh"


def _describe(failure: Failure) -> str:
    decided = f" (NOTES {', '.join(map(str, failure.decisions))})" if failure.decisions else ""
    return f"{failure.code} [{failure.check}] {failure.operation}: {failure.title}{decided}"


def write_failures(result: SuiteResult, directory: Path, spec_source: str) -> list[Path]:
    """Write failures.har and reproduce.sh for the run's violations (failures and deviations)
    into `directory`; remove stale ones when there is nothing to write. Return the paths."""
    from spaces_toolkit.proxy.exchange import Exchange, header
    from spaces_toolkit.proxy.har import HarWriter
    from spaces_toolkit.proxy.redact import Redactor

    har, script = directory / FAILURES_HAR, directory / REPRODUCE_SCRIPT
    written: list[Path] = []
    # One entry per distinct exchange, with every violation it shows.
    entries: dict[tuple, tuple[Failure, list[str]]] = {}
    for failure in result.failures:
        ex = failure.exchange
        if ex is None:
            continue
        key = (ex.method, ex.url, ex.request_body, ex.status, ex.response_body)
        entries.setdefault(key, (failure, []))[1].append(_describe(failure))
    if entries:
        redactor = Redactor()
        for failure, _ in entries.values():
            assert failure.exchange is not None
            redactor.learn(header(failure.exchange.request_headers, "authorization"))
        base_path = urlsplit(result.base_url).path.rstrip("/")
        writer = HarWriter(har, redactor, base_path=base_path, spec=spec_source)
        now = datetime.datetime.now(datetime.UTC).isoformat()
        try:
            for n, (failure, _) in enumerate(entries.values(), 1):
                ex = failure.exchange
                assert ex is not None
                url = urlsplit(ex.url)
                writer.write(
                    Exchange(
                        number=n,
                        started=now,
                        method=ex.method,
                        target=url.path + (f"?{url.query}" if url.query else ""),
                        request_headers=ex.request_headers,
                        request_body=ex.request_body,
                        status=ex.status,
                        response_headers=ex.response_headers,
                        response_body=ex.response_body,
                        seconds=ex.seconds,
                        upstream=f"{url.scheme}://{url.netloc}",
                    )
                )
        finally:
            writer.close()
        # HAR 1.2's own `comment` on each entry: which violations it shows (redacted too).
        document = json.loads(har.read_text(encoding="utf-8"))
        for entry, (_, lines) in zip(document["log"]["entries"], entries.values(), strict=True):
            entry["comment"] = redactor.text("\n".join(lines))
        document["log"]["comment"] = (
            f"failing exchanges of a spaces contract run (seed {result.seed}); credentials"
            " redacted; re-check with: spaces contract --replay FILE"
        )
        har.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
        written.append(har)
    else:
        har.unlink(missing_ok=True)
    curls = [f for f in result.failures if f.curl]
    if curls:
        lines = [
            "#!/bin/sh",
            f"# The failing requests of a spaces contract run against {result.base_url}",
            f"# (seed {result.seed}), one curl each. Set SPACES_ACCESS_TOKEN (and, for the",
            "# tenancy checks, SPACES_SECOND_ACCESS_TOKEN) to the run's tokens first.",
            "set -u",
        ]
        seen: set[str] = set()
        for n, failure in enumerate(curls, 1):
            if failure.curl in seen:
                continue
            seen.add(failure.curl or "")
            lines += ["", f"echo {shell_quote(f'== {n}. {_describe(failure)}')}"]
            lines.append(f"{failure.curl} -i; echo")
        script.write_text("\n".join(lines) + "\n", encoding="utf-8")
        script.chmod(0o755)
        written.append(script)
    else:
        script.unlink(missing_ok=True)
    return written


def replay_recording(args: argparse.Namespace) -> int:
    """`spaces contract --replay FILE`: check the recording's exchanges offline; print the
    summary (or, with --json, the verdict), write junit.xml and report.html; exit as a run."""
    from spaces_toolkit.proxy.har import RecordingError
    from spaces_toolkit.proxy.replay import replay
    from spaces_toolkit.proxy.run import load_spec_source
    from spaces_toolkit.proxy.session import Outputs
    from spaces_toolkit.spec import SPEC_PATH, SpecError

    if args.base_url is not None or args.mutant or args.variant:
        raise CLIError("--replay checks a recording: not with --base-url, --mutant or --variant")
    spec_source = str(args.spec) if args.spec else str(SPEC_PATH)
    try:
        spec = load_spec_source(spec_source)
    except SpecError as exc:
        raise CLIError(f"invalid spec {spec_source}: {exc.problems[0]}") from None
    except (OSError, ValueError) as exc:
        raise CLIError(f"invalid spec {spec_source}: {exc}") from None
    stream = sys.stderr if args.json else sys.stdout
    outputs = Outputs(report_dir=args.report_dir, print=lambda line: print(line, file=stream))
    try:
        session = replay(args.replay, spec, outputs, spec_source=spec_source)
    except RecordingError as exc:
        raise CLIError(str(exc)) from None
    code = session.exit_code
    deviations = len(session.violations) - len(session.failures)
    if code == 0 and args.strict and deviations:
        print(f"FAILED under --strict: {deviations} deviations (exit 1)", file=stream)
        code = 1
    if args.json:
        print(json.dumps({"recording": str(args.replay), **session.verdict(), "exit": code}))
    return code
