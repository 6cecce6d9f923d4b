"""One duration grammar (`ms|s|m|h|d`, spaces_toolkit.clihelp) for every duration flag of every
`spaces` subcommand, found through the one CLI registry (spaces_toolkit.cli.COMMAND_MODULES)."""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator

import pytest

from spaces_toolkit.cli import build_parser, main
from spaces_toolkit.clihelp import Duration, format_duration, parse_duration
from spaces_toolkit.server.sandbox.fault_injection import parse_faults
from spaces_toolkit.server.webhook_delivery.retry import parse_schedule

SAMPLES = {"500ms": 0.5, "30s": 30.0, "5m": 300.0, "2h": 7200.0, "7d": 604800.0}
# Flags that take a length of time, by name.
_TIMELY = ("timeout", "interval", "grace", "duration", "expires", "delay", "ttl", "tolerance")
# Duration flags of packages other work streams own, still on their own parsers: remove an entry
# when its flag moves to clihelp.Duration (the test below fails until then).
NOT_YET: set[tuple[str, str]] = set()


def _commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, (*path, name))


def _flags() -> Iterator[tuple[tuple[str, ...], argparse.Action]]:
    for path, parser in _commands(build_parser({})):
        for action in parser._actions:
            if any(s.startswith("--") for s in action.option_strings):
                yield path, action


def _durations() -> list[tuple[tuple[str, ...], argparse.Action]]:
    return [(p, a) for p, a in _flags() if isinstance(a.type, Duration)]


def _label(path: tuple[str, ...], action: argparse.Action) -> str:
    return " ".join([*path, action.option_strings[-1]])


def test_the_duration_flags_are_found() -> None:
    found = {_label(p, a) for p, a in _durations()}
    assert {
        "serve --webhook-retry-interval",
        "serve --webhook-timeout",
        "serve --keep-alive-timeout",
        "serve --header-timeout",
        "serve --body-timeout",
        "worker --webhook-retry-interval",
        "worker --webhook-timeout",
        "token create --expires",
        "webhooks check-receiver --timeout",
        "webhook-secret rotate --grace",
    } <= found


def test_every_flag_that_takes_a_time_is_a_duration() -> None:
    timely = {
        (" ".join(p), a.option_strings[-1])
        for p, a in _flags()
        if any(word in a.dest for word in _TIMELY)
    }
    others = {
        flag
        for flag in timely
        if flag not in {(" ".join(p), a.option_strings[-1]) for p, a in _durations()}
    }
    assert others == NOT_YET


@pytest.mark.parametrize("sample", SAMPLES)
def test_every_duration_flag_takes_every_unit(sample: str) -> None:
    for path, action in _durations():
        kind: Duration = action.type  # type: ignore[assignment]
        in_range = kind.maximum is None or SAMPLES[sample] <= kind.maximum
        if not in_range:
            with pytest.raises(argparse.ArgumentTypeError, match="at most"):
                kind(sample)
            continue
        assert kind.seconds(sample) == SAMPLES[sample], _label(path, action)
        value = kind(sample)  # what the flag stores (`--expires`: a Unix time)
        if action.dest == "expires":
            assert abs(value - (time.time() + SAMPLES[sample])) < 60
        else:
            assert value == SAMPLES[sample], _label(path, action)


def test_the_grammar() -> None:
    assert [parse_duration(t) for t in ("90", "1.5s", " 2m ", ".5h", "0")] == [
        90.0,
        1.5,
        120.0,
        1800.0,
        0.0,
    ]
    for bad in ("", "soon", "5 minutes", "-1s", "1w", "1e3", "s"):
        with pytest.raises(ValueError, match="not a duration"):
            parse_duration(bad)
    with pytest.raises(argparse.ArgumentTypeError, match="positive"):
        Duration()("0s")
    assert Duration(zero=True)("0") == 0.0
    assert [format_duration(s) for s in (0, 0.5, 90, 3600, 604800)] == [
        "0s",
        "500ms",
        "90s",
        "1h",
        "7d",
    ]


def test_durations_inside_other_values() -> None:
    """`--faults latency=1m` and the retry schedule's BASE and CAP read the same grammar."""
    assert parse_faults("latency=1m").latency == (60.0, 60.0)
    assert parse_faults("latency=500ms-2s").latency == (0.5, 2.0)
    schedule = parse_schedule("exponential:500ms:7d", interval=3600)
    assert (schedule.base, schedule.cap) == (0.5, 604800.0)


def test_a_flag_and_its_variable_read_the_same_grammar(tmp_path) -> None:
    args = build_parser({}).parse_args(["webhook-secret", "rotate", "--grace", "7d"])
    assert args.grace == 604800.0
    assert build_parser({}).parse_args(["webhook-secret", "rotate"]).grace == 86400.0


def test_a_bad_duration_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["webhook-secret", "rotate", "--grace", "soon"])
    assert done.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("spaces: error: argument --grace"), err
    assert "500ms, 30s, 5m, 2h, 7d" in err[0]
