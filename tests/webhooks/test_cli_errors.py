"""Bad input to the webhook commands: one clear line and exit 2, never a traceback."""

from __future__ import annotations

import pytest

from spaces_toolkit.cli import main
from spaces_toolkit.server.storage.database import open_database
from spaces_toolkit.server.storage.repo.accounts import create_account


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "spaces.db"
    db = open_database(path)
    create_account(db)
    db.close()
    return str(path)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["listen", "--token", "t", "--events", "customer.deleted"], "unknown event type"),
        (["listen", "--token", "t", "--forward-to", "ftp://x/"], "--forward-to"),
        (["listen", "--token", "t", "--secret", "whsec_###"], "--secret"),
        (["listen", "--token", "t", "--db", "/nonexistent/spaces.db"], "no sandbox database"),
        (["listen", "--token", "t", "--port", "65536"], "--port"),
        (["listen", "--token", "t", "--port", "-1"], "--port"),
        (["webhook-secret", "rotate", "--grace", "soon"], "--grace"),
        (["webhooks", "check-receiver", "http://127.0.0.1:9/x", "--secret", "nope!"], "--secret"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, says, db_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("SPACES_DB", db_path)
    monkeypatch.delenv("SPACES_WEBHOOK_SECRET", raising=False)
    try:
        status = main(args)
    except SystemExit as exc:  # a flag argparse refuses (its type: --grace's duration)
        status = exc.code
    assert status == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("spaces: error:") and says in err[0], err


def test_listen_with_an_unknown_token_says_so(db_path, capsys) -> None:
    assert main(["listen", "--token", "nope", "--db", db_path]) == 2
    assert "access token" in capsys.readouterr().err


def test_rotate_prints_the_new_secret_once(db_path, capsys) -> None:
    assert main(["webhook-secret", "rotate", "--db", db_path, "--grace", "30m"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("whsec_") and out.count("whsec_") == 1
    assert "30m" in err
