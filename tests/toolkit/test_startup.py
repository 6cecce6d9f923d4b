"""`spaces --version`, `spaces --help` and every `spaces COMMAND --help` start without the heavy
parts: no Starlette, uvicorn or Schemathesis, and no spec model (the spec is read and validated
when a command runs, not to describe it). Each command line runs in a fresh interpreter, which
reports what `sys.modules` holds when it exits; the commands come from the one CLI registry
(every subcommand the `spaces` parser has, nested ones included)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import pytest

from spaces_toolkit.cli import build_parser

HEAVY = ("starlette", "uvicorn", "schemathesis", "rich", "spaces_toolkit.spec")

_PROBE = """
import json, sys
from spaces_toolkit.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
heavy = {heavy!r}
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in heavy or m in heavy)))
"""


def _commands(
    parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()
) -> list[tuple[str, ...]]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append((*prefix, name))
                found += _commands(sub, (*prefix, name))
    return found


COMMANDS = _commands(build_parser({}))


def _loaded(argv: list[str]) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(heavy=HEAVY), *argv],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return list(json.loads(result.stdout.strip().splitlines()[-1]))


def test_the_registry_has_the_commands() -> None:
    assert {("serve",), ("contract",), ("diff",), ("listen",), ("token", "create")} <= set(COMMANDS)


def test_the_probe_sees_a_heavy_import() -> None:
    """The check itself: a command that runs does load the spec model."""
    assert "spaces_toolkit.spec" in _loaded(["diff", "spec/openapi.yaml", "spec/openapi.yaml"])


@pytest.mark.parametrize("argv", [["--version"], ["--help"]], ids=" ".join)
def test_the_spaces_command_starts_light(argv: list[str]) -> None:
    assert _loaded(argv) == []


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_help_starts_light(command: tuple[str, ...]) -> None:
    assert _loaded([*command, "--help"]) == []
