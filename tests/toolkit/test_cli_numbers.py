"""Ports and counts have one argparse type each (spaces_toolkit.clihelp): every `--port` flag of
every `spaces` subcommand is a `Port` (whether 0, "any free port", is allowed is the command's
choice), and the count flags are `positive_int`."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from spaces_toolkit.cli import build_parser, main
from spaces_toolkit.clihelp import Port, positive_int

# Where 0 means "any free port": `spaces listen` reports the port it got (its --public-url
# and subscription use it); a server or proxy others must find keeps a fixed port.
ANY_FREE = {"listen --port"}
COUNTS = {
    "contract --max-examples",
    "contract --workers",
    "contract --walk-budget",
    "serve --max-connections",
    "serve --max-request-line",
    "serve --max-headers",
    "serve --max-header-bytes",
    "serve --workers",
}


def _flags(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[str, argparse.Action]]:
    """(`command --flag`, its action) for every flag of every subcommand."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _flags(sub, (*path, name))
        elif any(s.startswith("--") for s in action.option_strings):
            yield " ".join([*path, action.option_strings[-1]]), action


def test_every_port_flag_is_a_port() -> None:
    ports = {label: a.type for label, a in _flags(build_parser({})) if a.dest.endswith("port")}
    assert {"serve --port", "listen --port", "proxy --port"} <= set(ports)
    assert {label: kind for label, kind in ports.items() if not isinstance(kind, Port)} == {}
    assert {label for label, kind in ports.items() if kind.any_free} == ANY_FREE  # type: ignore[union-attr]


def test_the_count_flags_are_positive_ints() -> None:
    counts = {label for label, a in _flags(build_parser({})) if a.type is positive_int}
    assert COUNTS <= counts


def test_the_types() -> None:
    assert Port()("1") == 1 and Port()("65535") == 65535 and Port(any_free=True)("0") == 0
    for bad, says in (("0", "1-65535"), ("65536", "1-65535"), ("-1", "1-65535"), ("x", "not a")):
        with pytest.raises(argparse.ArgumentTypeError, match=says):
            Port()(bad)
    with pytest.raises(argparse.ArgumentTypeError, match="0 .any free one. to 65535"):
        Port(any_free=True)("65536")
    assert positive_int("1") == 1 and positive_int("250") == 250
    for bad, says in (
        ("0", "at least 1"),
        ("-2", "at least 1"),
        ("1.5", "not a whole"),
        ("", "not a whole"),
    ):
        with pytest.raises(argparse.ArgumentTypeError, match=says):
            positive_int(bad)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["serve", "--port", "0"], "argument --port: a port is 1-65535, got 0"),
        (["proxy", "--port", "0"], "argument --port: a port is 1-65535, got 0"),
        (["proxy", "--port", "http"], "argument --port: not a port: 'http'"),
        (["listen", "--port", "70000"], "a port is 0 (any free one) to 65535, got 70000"),
        (["contract", "--workers", "0"], "argument --workers: must be at least 1, got 0"),
        (["serve", "--max-headers", "many"], "argument --max-headers: not a whole number"),
    ],
)
def test_a_bad_number_is_one_line(args, says, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(args)
    assert done.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("spaces: error:") and says in err[0], err


def test_a_variable_reads_the_same_type(monkeypatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SPACES_PROXY_PORT", "0")
    assert main(["proxy", "--upstream", "http://127.0.0.1:9/api/v1"]) == 2
    assert "$SPACES_PROXY_PORT='0': a port is 1-65535, got 0" in capsys.readouterr().err
