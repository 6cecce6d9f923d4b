"""Run a command against a real multi-process server on a given database (`make contract
DB=postgresql://…` uses it):

    python -m spaces_toolkit.server.run.with_server --db URL [--processes 2] -- spaces contract …

Creates two seeded accounts on the database, starts `spaces serve --workers N` on a free
loopback port, runs the command with SPACES_BASE_URL, SPACES_TOKEN and SPACES_SECOND_TOKEN set
(and `--base-url` appended if the command is `spaces contract`), stops the server, and exits
with the command's code."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time

import httpx

from ...clihelp import positive_int
from ...ports import free_port
from ..settings import api_prefix

__all__ = ["main"]


def _accounts(db_url: str) -> list[str]:
    from ..sandbox.seed import seed_account
    from ..storage.database import open_database
    from ..storage.repo.accounts import create_account

    db = open_database(db_url)
    try:
        tokens = []
        for n in (1, 2):
            account_id, token = create_account(
                db, name=f"Sandbox User {n}", email=f"sandbox{n}@example.com"
            )
            seed_account(db, account_id, spaces=3, customers=30, seed=n)
            tokens.append(token)
        return tokens
    finally:
        db.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spaces_toolkit.server.run.with_server")
    parser.add_argument("--db", required=True, help="database (SQLite file or postgresql://…)")
    parser.add_argument(
        "--processes", type=positive_int, default=2, help="server processes (default 2)"
    )
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND ARGS…")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")
    try:
        tokens = _accounts(args.db)
    except Exception as exc:
        print(f"served: cannot prepare database: {exc}", file=sys.stderr)
        return 2
    port = free_port()
    base_url = f"http://127.0.0.1:{port}{api_prefix()}"
    server = subprocess.Popen(
        [sys.executable, "-m", "spaces_toolkit.cli", "serve", "--db", args.db]
        + ["--port", str(port), "--workers", str(args.processes)]
        + ["--allow-private-targets", "--log-level", "warning"]
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base_url}/account", auth=(tokens[0], "")).status_code == 200:
                    break
            if server.poll() is not None or time.monotonic() > deadline:
                print("served: the server did not start", file=sys.stderr)
                return 2
            time.sleep(0.1)
        print(
            f"served: {args.processes} server processes on {base_url}, running {command[0]}",
            file=sys.stderr,
        )
        if os.path.basename(command[0]) == "spaces" and command[1:2] == ["contract"]:
            command = [*command, "--base-url", base_url]
        env = dict(
            os.environ,
            SPACES_BASE_URL=base_url,
            SPACES_TOKEN=tokens[0],
            SPACES_SECOND_TOKEN=tokens[1],
        )
        return subprocess.run(command, env=env).returncode
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(5)


if __name__ == "__main__":
    raise SystemExit(main())
