"""Token lifecycle: list (prefixes, never secrets), revoke (effective on the very next request,
from another process), expiry, Basic credentials without a colon, and the in-place upgrade of
a database file made before these columns existed."""

from __future__ import annotations

import base64
import sqlite3
import subprocess
import sys
import time

import httpx
import pytest

from spaces_toolkit.cli import main
from spaces_toolkit.server.app import create_app
from spaces_toolkit.server.run.embedded import serve_in_thread
from spaces_toolkit.server.settings import Settings
from spaces_toolkit.server.storage.database import open_database
from spaces_toolkit.server.storage.ids import hash_token
from spaces_toolkit.server.storage.repo.accounts import add_token, create_account, token_prefix

from .test_migrations import OLD_SCHEMA


def spaces_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """`spaces …` in a process of its own, as an operator would run it."""
    code = "import sys; from spaces_toolkit.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60
    )


def test_revoke_from_another_process_is_effective_on_the_next_request(tmp_path):
    db_path = tmp_path / "spaces.db"
    db = open_database(db_path)
    account_id, token = create_account(db)
    other = add_token(db, account_id)
    db.close()
    listed = spaces_cli("token", "list", "--db", str(db_path))
    assert listed.returncode == 0, listed.stderr
    assert token_prefix(token) in listed.stdout and token_prefix(other) in listed.stdout
    assert token not in listed.stdout and hash_token(token) not in listed.stdout

    settings = Settings(db_path=db_path, run_delivery_worker=False)
    with serve_in_thread(create_app(settings)) as root, httpx.Client() as client:
        url = f"{root}/api/v1/account"
        for _ in range(20):  # warm: any per-token memory would now hold the token
            assert client.get(url, auth=(token, "")).status_code == 200
        revoked = spaces_cli("token", "revoke", token_prefix(token), "--db", str(db_path))
        assert revoked.returncode == 0, revoked.stderr
        done = time.monotonic()
        response = client.get(url, auth=(token, ""))  # the very next request
        delay = time.monotonic() - done
        assert response.status_code == 401, response.text
        assert response.json() == {"message": "Access token revoked"}
        assert delay < 1.0  # answered at once, not after a cache expiry (was ~30 s)
        assert client.get(url, auth=(other, "")).status_code == 200  # only that token

        everything = spaces_cli("token", "revoke", "--all", "--db", str(db_path))
        assert everything.returncode == 0, everything.stderr
        assert client.get(url, auth=(other, "")).status_code == 401
    after = spaces_cli("token", "list", "--db", str(db_path))
    assert after.stdout.count("revoked") == 2


def test_revoke_refuses_unknown_ambiguous_and_missing_prefixes(tmp_path, capsys):
    db_path = str(tmp_path / "spaces.db")
    db = open_database(db_path)
    create_account(db)
    db.close()
    for args, says in [
        (["sk_sandbox_ZZZZZZZZ"], "matches no live token"),
        (["sk_sandbox_"], "too short"),
        ([], "PREFIX"),
    ]:
        code = main(["token", "revoke", *args, "--db", db_path])
        err = capsys.readouterr().err
        assert code != 0 and says in err and "Traceback" not in err


def test_expiring_token(tmp_path, capsys):
    db_path = tmp_path / "spaces.db"
    assert main(["token", "create", "--expires", "7d", "--db", str(db_path)]) == 0
    token = capsys.readouterr().out.strip()
    assert main(["token", "list", "--db", str(db_path)]) == 0
    week = capsys.readouterr().out.splitlines()[1]
    assert week.split()[-1] == "active" and len(week.split()) == 7  # created and expires shown
    assert token_prefix(token) in week and token not in week
    with pytest.raises(SystemExit) as refused:
        main(["token", "create", "--expires", "2020-01-01", "--db", str(db_path)])
    assert refused.value.code == 2 and "in the past" in capsys.readouterr().err
    db = open_database(db_path)
    expires_at = int(time.time()) + 2
    _, token = create_account(db, expires_at=expires_at)
    db.close()
    app = create_app(Settings(db_path=db_path, run_delivery_worker=False))
    with serve_in_thread(app) as root, httpx.Client(auth=(token, "")) as client:
        assert client.get(f"{root}/api/v1/account").status_code == 200
        time.sleep(max(0.0, expires_at - time.time()) + 0.05)
        response = client.get(f"{root}/api/v1/account")  # the first request after expiry
    assert response.status_code == 401 and response.json() == {"message": "Access token expired"}
    assert main(["token", "list", "--db", str(db_path)]) == 0
    assert "expired" in capsys.readouterr().out


async def test_basic_credentials_without_the_colon_are_refused(sandbox):
    bare = base64.b64encode(sandbox.tokens[0].encode()).decode()
    async with sandbox.client() as client:
        response = await client.get("/account", headers={"Authorization": f"Basic {bare}"})
        assert response.status_code == 401
        assert "colon" in response.json()["message"]
        fine = base64.b64encode(f"{sandbox.tokens[0]}:".encode()).decode()
        response = await client.get("/account", headers={"Authorization": f"Basic {fine}"})
        assert response.status_code == 200


def test_a_database_from_before_token_states_is_upgraded_in_place(tmp_path):
    db_path = tmp_path / "old.db"
    token = "sk_sandbox_" + "a" * 32
    conn = sqlite3.connect(db_path)  # the schema before migrations (version 1), no token states
    conn.executescript(
        OLD_SCHEMA.read_text()
        + "INSERT INTO accounts VALUES (1, 0, 'Old', 'old@example.com', NULL, 'abcdefg', NULL);"
        f"INSERT INTO access_tokens VALUES ('{hash_token(token)}', 1, 0);"
        "PRAGMA user_version = 1;"
    )
    conn.close()
    app = create_app(Settings(db_path=db_path, run_delivery_worker=False))
    with serve_in_thread(app) as root:
        assert httpx.get(f"{root}/api/v1/account", auth=(token, "")).status_code == 200
        listed = spaces_cli("token", "list", "--db", str(db_path)).stdout
        legacy = f"sha256:{hash_token(token)[:12]}"
        assert legacy in listed
        assert spaces_cli("token", "revoke", legacy, "--db", str(db_path)).returncode == 0
        assert httpx.get(f"{root}/api/v1/account", auth=(token, "")).status_code == 401
