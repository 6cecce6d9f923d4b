"""The `spaces` command: one entry point, subcommands contributed by each part of the toolkit."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Iterator, Mapping
from typing import NoReturn

from spaces_toolkit import __version__
from spaces_toolkit.envdefaults import apply_env_defaults
from spaces_toolkit.errors import CLIError

__all__ = ["COMMAND_MODULES", "build_parser", "main"]

# Modules that contribute subcommands through `register(subparsers)`.
COMMAND_MODULES = (
    "spaces_toolkit.server.run.cli",
    "spaces_toolkit.contract.cli",
    "spaces_toolkit.diff.cli",
    "spaces_toolkit.webhooks.cli",
    "spaces_toolkit.proxy.cli",
)


def build_parser(environ: Mapping[str, str] | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="spaces",
        description="Spaces API contract toolkit: reference server, sandbox and contract suite.",
        epilog="Every flag of every command is also a SPACES_* variable (--some-flag:"
        " $SPACES_SOME_FLAG, named in each --help); --token is $SPACES_ACCESS_TOKEN everywhere.",
    )
    parser.add_argument("--version", action="version", version=f"spaces {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue  # that part of the toolkit is not installed in this tree
            raise
        module.register(subparsers)
    for sub in subparsers.choices.values():
        _apply_environment(sub, environ, [])
    for each in _parsers(parser):
        each.error = _one_line_error(each)  # type: ignore[method-assign,assignment]
    return parser


def _parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """`parser` and every subcommand's parser below it."""
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _parsers(sub)


def _one_line_error(parser: argparse.ArgumentParser) -> Callable[[str], NoReturn]:
    """Bad flags are one line, `spaces: error: ...`, and exit status 2 (SystemExit, as argparse)."""

    def error(message: str) -> NoReturn:
        print(f"spaces: error: {message} (see `{parser.prog} --help`)", file=sys.stderr)
        raise SystemExit(2)

    return error


def _apply_environment(
    parser: argparse.ArgumentParser, environ: Mapping[str, str] | None, inherited: list[str]
) -> None:
    """The one environment rule (spaces_toolkit.envdefaults) on every subcommand, nested ones
    too; the problems of a command's variables are reported when that command runs."""
    problems = [*inherited, *apply_env_defaults(parser, environ)]
    parser.set_defaults(environment_problems=problems)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _apply_environment(sub, environ, problems)


def _check_environment(args: argparse.Namespace) -> None:
    problems = getattr(args, "environment_problems", None)
    if problems:
        raise CLIError("; ".join(problems))


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    try:
        _check_environment(args)
        return int(func(args) or 0)
    except CLIError as exc:
        print(f"spaces: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("spaces: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
