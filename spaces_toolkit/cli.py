"""The `spaces` command: one entry point, subcommands contributed by each part of the toolkit."""

from __future__ import annotations

import argparse
import importlib
import sys

from spaces_toolkit.errors import CLIError

__all__ = ["main"]

# Modules that contribute subcommands through `register(subparsers)`.
_COMMAND_MODULES = (
    "spaces_toolkit.server.cli",
    "spaces_toolkit.contract.cli",
    "spaces_toolkit.webhooks.cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="spaces",
        description="Spaces API contract toolkit: reference server, sandbox and contract suite.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue  # that part of the toolkit is not installed in this tree
            raise
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    try:
        return int(func(args) or 0)
    except CLIError as exc:
        print(f"spaces: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("spaces: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
