"""Command-line entry point (`spaces`); placeholder until the real subcommands land."""

import argparse


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="spaces", description="Spaces API contract toolkit")
    parser.add_subparsers(dest="command", metavar="COMMAND")
    parser.parse_args(argv)
    parser.print_help()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
