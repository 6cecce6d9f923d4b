"""`spaces worker`, `spaces serve --workers`: bad flags and databases get one clear line."""

from __future__ import annotations

import pytest

from spaces_toolkit.cli import main


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["worker", "--webhook-retry-interval", "0"], "--webhook-retry-interval"),
        (["worker", "--webhook-timeout", "-1"], "--webhook-timeout"),
        (["worker", "--webhook-concurrency", "0"], "--webhook-concurrency"),
        (["worker", "--db", "mysql://x/y"], "unsupported database URL"),
        (["worker", "--db", "postgresql://nobody@127.0.0.1:1/none"], "cannot open database"),
        (["serve", "--workers", "0"], "--workers: must be at least 1"),
        (["db", "migrate", "--db", "postgresql://nobody@127.0.0.1:1/none"], "Connection refused"),
    ],
)
def test_bad_flags_are_one_line(tmp_path, capsys, args, words):
    if "--db" not in args:
        args = [*args, "--db", str(tmp_path / "s.db")]
    try:
        status = main(args)
    except SystemExit as exc:  # a value the flag's type refuses (argparse: exit 2)
        status = exc.code
    assert status != 0
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
