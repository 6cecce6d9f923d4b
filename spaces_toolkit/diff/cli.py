"""`spaces diff OLD NEW`: every change between two revisions of the spec, and whom it breaks.

Exit status: 0 compared (and nothing matched --fail-on), 1 a change matched --fail-on,
2 could not run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from spaces_toolkit.console import wants_rich
from spaces_toolkit.errors import CLIError

from .model import CATEGORY_LIST
from .render import FORMATS, print_rich, render, render_rules

__all__ = ["register"]

FAIL_ON = ("breaking", "client", "server")

_EPILOG = """\
Each side is a file, an http(s) URL, or a git revision and path (main:spec/openapi.yaml).
{categories}
Exit status: 0 compared, 1 a change matched --fail-on, 2 could not run.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "diff",
        help="classify every change between two spec revisions (breaking, compatible, docs)",
        description="Compare two revisions of the OpenAPI spec: every change with its JSON "
        "pointer and one sentence, classified breaking for clients, breaking for servers, "
        "compatible or documentation only.",
        epilog=_EPILOG.format(
            categories="\n".join(f"{c.title}: {c.meaning}." for c in CATEGORY_LIST[:2])
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("old", metavar="OLD", nargs="?", help="the earlier revision")
    parser.add_argument("new", metavar="NEW", nargs="?", help="the later revision")
    parser.add_argument("--format", choices=FORMATS, default="text", help="default: text")
    parser.add_argument(
        "--list-rules",
        action="store_true",
        help="list every kind of change spaces diff reports (id, area, levels, title) and exit",
    )
    parser.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        help="exit 1 if a change breaks anyone (breaking), clients (client) or servers (server)",
    )
    parser.add_argument("--output", type=Path, help="write the report here instead of stdout")
    parser.set_defaults(func=handler)


def handler(args: argparse.Namespace) -> int:
    if args.list_rules:
        text = render_rules(args.format)
    elif args.old is None or args.new is None:
        raise CLIError("diff needs OLD and NEW (or --list-rules)")
    else:
        from .compare import compare_sources  # the spec model: not loaded for --help

        result = compare_sources(args.old, args.new)
        text = render(result.changes, args.format, args.old, args.new, result.notes)
    if args.output is not None:
        try:
            tmp = args.output.with_name(f".{args.output.name}.tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(args.output)
        except OSError as exc:
            raise CLIError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    elif args.format == "text" and not args.list_rules and wants_rich(sys.stdout):
        print_rich(result.changes, args.old, args.new, result.notes, sys.stdout)
    else:
        sys.stdout.write(text)
    return 1 if args.fail_on and not args.list_rules and result.fails(args.fail_on) else 0
