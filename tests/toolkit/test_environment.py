"""Every `spaces` command reads its flags from SPACES_* variables by the same rule
(spaces_toolkit.envdefaults), found through the one CLI registry (spaces_toolkit.cli)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import Any

import pytest

from spaces_toolkit.cli import COMMAND_MODULES, build_parser, main
from spaces_toolkit.envdefaults import env_var

# Flags whose variables their command weighs itself (`trigger`: either flag beats both;
# `contract`: the report says whether the target came from the flag or the variable).
OWN_VARIABLES = {("trigger", "--base-url"), ("trigger", "--db"), ("contract", "--base-url")}


def _commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every command that runs (a parser without subcommands of its own), with its path."""
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs and path:
        yield path, parser
    for action in subs:
        for name, sub in action.choices.items():
            yield from _commands(sub, (*path, name))


def _flags(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [
        a
        for a in parser._actions
        if any(s.startswith("--") for s in a.option_strings)
        and not isinstance(a, argparse._HelpAction)
    ]


def _argv(path: tuple[str, ...], parser: argparse.ArgumentParser) -> list[str]:
    """The command with a placeholder for each required positional."""
    needed = [a for a in parser._actions if not a.option_strings and a.nargs in (None, "+")]
    return [*path, *("customer.created" for _ in needed)]


def _value(action: argparse.Action) -> tuple[str, Any] | None:
    """A variable's text and the value the flag must then have (None: no text converts)."""
    if action.nargs == 0:
        return "1", action.const
    if action.choices is not None:
        choice = next((c for c in action.choices if c != action.default), None)
        return (str(choice), choice) if choice is not None else None
    for raw in ("7d", "7", "from-env"):
        try:
            value = action.type(raw) if callable(action.type) else raw
        except (TypeError, ValueError, argparse.ArgumentTypeError):
            continue
        if value == action.default:
            continue
        if isinstance(action, argparse._AppendAction) or action.nargs in ("+", "*"):
            return raw, [value]
        return raw, value
    return None


def test_every_command_of_the_registry_is_checked() -> None:
    tops = {path[0] for path, _ in _commands(build_parser({}))}
    assert {"serve", "worker", "token", "trigger", "listen", "webhooks", "diff"} <= tops
    assert len(COMMAND_MODULES) >= 4


def test_every_flag_of_every_command_has_its_variable() -> None:
    own = set()
    for path, parser in _commands(build_parser({})):
        for action in _flags(parser):
            name = env_var(action)
            if name is None:
                own.add((" ".join(path), action.option_strings[-1]))
                continue
            assert name.startswith("SPACES_"), name
            assert f"[env: {name}]" in (action.help or ""), (path, action.option_strings)
    assert own == OWN_VARIABLES


def test_every_flag_of_every_command_reads_its_variable() -> None:
    checked = 0
    for path, parser in _commands(build_parser({})):
        for action in _flags(parser):
            name, found = env_var(action), _value(action)
            if name is None or found is None or action.dest in ("token", "second_token"):
                continue
            raw, expected = found
            args = build_parser({name: raw}).parse_args(_argv(path, parser))
            assert getattr(args, action.dest) == expected, (path, name, raw)
            assert not args.environment_problems, args.environment_problems
            checked += 1
    assert checked >= 60


def test_worker_reads_what_serve_reads() -> None:
    env = {
        "SPACES_DB": "shared.db",
        "SPACES_WEBHOOK_TIMEOUT": "2s",
        "SPACES_WEBHOOK_RETRY_INTERVAL": "5m",
        "SPACES_WEBHOOK_RETRY_SCHEDULE": "exponential:30s:1h",
        "SPACES_WEBHOOK_CONCURRENCY": "4",
    }
    parser = build_parser(env)
    serve, worker = parser.parse_args(["serve"]), parser.parse_args(["worker"])
    for dest in (
        "db",
        "webhook_timeout",
        "webhook_retry_interval",
        "webhook_retry_schedule",
        "webhook_concurrency",
    ):
        assert getattr(serve, dest) == getattr(worker, dest)
    assert (worker.db, worker.webhook_timeout, worker.webhook_retry_interval) == (
        "shared.db",
        2.0,
        300.0,
    )
    # the command line still wins
    assert parser.parse_args(["worker", "--webhook-timeout", "3s"]).webhook_timeout == 3.0


def test_the_listener_has_its_own_port_variable() -> None:
    """`spaces serve`'s $SPACES_PORT is not where `spaces listen` listens."""
    args = build_parser({"SPACES_PORT": "8000", "SPACES_LISTEN_PORT": "9100"})
    assert args.parse_args(["listen"]).port == 9100
    assert args.parse_args(["serve"]).port == 8000


def test_a_bad_variable_stops_only_its_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    monkeypatch.setenv("SPACES_WEBHOOK_TIMEOUT", "soon")
    assert main(["worker", "--db", str(tmp_path / "w.db")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("spaces: error: $SPACES_WEBHOOK_TIMEOUT='soon'"), err
    assert main(["token", "create", "--db", str(tmp_path / "t.db")]) == 0
