"""The sandbox helpers (/sandbox/v1): authenticated, per account, outside the spec's paths, absent
in production mode; and `spaces trigger` / `spaces listen` / `check-receiver` against a sandbox
in another process reached by its URL and a token alone (no database path given, none in the
working directory)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from spaces_toolkit.server.app import create_app
from spaces_toolkit.server.sandbox.routes import HELPERS, SANDBOX_PREFIX
from spaces_toolkit.server.settings import Settings, api_prefix
from spaces_toolkit.server.storage.repo.signing_secrets import signing_secrets
from spaces_toolkit.spec import default_spec
from testing.support import free_port

from .receivers import Flaws, NaiveReceiver, wait_for_port
from .test_listen import Listen

SPACES = [sys.executable, "-m", "spaces_toolkit.cli"]


def _client(box, token: str | None) -> httpx.AsyncClient:
    return box.client(token, base_url=f"http://testserver{SANDBOX_PREFIX}")


def _concrete(path: str) -> str:
    return SANDBOX_PREFIX + path.replace("{id}", "rs_x")


def test_helpers_are_outside_the_spec_and_the_api_prefix() -> None:
    assert not SANDBOX_PREFIX.startswith(api_prefix())
    spec_paths = set(default_spec().content["paths"])
    for helper in HELPERS:
        assert helper.path not in spec_paths
        assert not (SANDBOX_PREFIX + helper.path).startswith(api_prefix())


async def test_every_helper_needs_the_token(make_sandbox: Callable) -> None:
    box = make_sandbox(accounts=1)
    async with box.client(None, base_url="http://testserver") as anonymous:
        for helper in HELPERS:
            response = await anonymous.request(helper.method, _concrete(helper.path))
            assert response.status_code == 401, helper
            assert "message" in response.json()
            response = await anonymous.request(
                helper.method, _concrete(helper.path), auth=("sk_sandbox_nope", "")
            )
            assert response.status_code == 401, helper


async def test_production_mode_serves_none_of_them(make_sandbox: Callable) -> None:
    box = make_sandbox(accounts=1, sandbox=False)
    async with box.client(box.tokens[0], base_url="http://testserver") as client:
        for helper in HELPERS:
            response = await client.request(helper.method, _concrete(helper.path))
            assert response.status_code == 404, helper
            assert response.json()["message"].startswith("No such route")
        assert (await client.get(f"{api_prefix()}/account")).status_code == 200


async def test_helpers_act_on_the_tokens_account_only(make_sandbox: Callable) -> None:
    box = make_sandbox(accounts=2)
    mine, theirs = box.tokens
    async with box.client(theirs) as api:
        made = await api.post(
            "/resource_subscriptions",
            data={"event": "customer.created", "target_url": "http://127.0.0.1:9/h"},
        )
        their_rs = made.json()["id"]
    async with _client(box, mine) as helpers:
        index = (await helpers.get(f"http://testserver{SANDBOX_PREFIX}")).json()
        assert [h["path"] for h in index["helpers"]] == [SANDBOX_PREFIX + h.path for h in HELPERS]
        # Another account's subscription is not found, and stays.
        gone = await helpers.delete(f"/resource_subscriptions/{their_rs}")
        assert gone.status_code == 404 and their_rs in gone.json()["message"]
        secrets = (await helpers.get("/webhook_secrets")).json()["secrets"]
        assert secrets == signing_secrets(box.db, box.account_ids[0])
        assert secrets != signing_secrets(box.db, box.account_ids[1])
        triggered = await helpers.post("/triggers", data={"event_type": "invoice.paid"})
        assert triggered.status_code == 200, triggered.text
        assert triggered.json()["event_type"] == "invoice.paid"
        for bad in ({"event_type": "customer.deleted"}, {}):
            refused = await helpers.post("/triggers", json=bad)
            assert refused.status_code == 400 and "event_type" in refused.json()["message"]
        assert (await helpers.post("/triggers", content=b"{", headers=_json)).status_code == 400
    async with box.client(theirs) as api:
        assert [s["id"] for s in (await api.get("/resource_subscriptions")).json()["data"]] == [
            their_rs
        ]
        assert (await api.get("/events")).json()["data"] == []  # the trigger was mine
    async with box.client(mine) as api:
        events = (await api.get("/events")).json()["data"]
        assert [e["type"] for e in events] == [
            "invoice.paid",
            "invoice.created",
            "customer.created",
        ]
    async with _client(box, theirs) as helpers:
        assert (await helpers.delete(f"/resource_subscriptions/{their_rs}")).json()["deleted"]
    async with box.client(theirs) as api:
        assert (await api.get("/resource_subscriptions")).json()["data"] == []


_json = {"Content-Type": "application/json"}


def test_sandbox_flag_and_variable() -> None:
    from spaces_toolkit.cli import build_parser
    from spaces_toolkit.server.run.serve import settings_from_args

    parser = build_parser({})
    assert settings_from_args(parser.parse_args(["serve"])).sandbox is True
    assert settings_from_args(parser.parse_args(["serve", "--sandbox", "off"])).sandbox is False
    parser = build_parser({"SPACES_SANDBOX": "0"})
    assert settings_from_args(parser.parse_args(["serve"])).sandbox is False
    assert Settings().sandbox is True
    assert create_app  # the app factory reads the same settings (settings_from_env)


# ---------------------------------------------------------------- a sandbox in another process


@pytest.fixture
def remote(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A `spaces serve` process in its own directory; what a user elsewhere knows of it: the
    environment with its URL and a token, and nothing else."""
    home = tmp_path / "sandbox-host"
    home.mkdir()
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("SPACES_")}
    created = subprocess.run(
        [*SPACES, "token", "create"],
        cwd=home,
        env=base_env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    port = free_port()
    proc = subprocess.Popen(
        [
            *SPACES,
            "serve",
            "--port",
            str(port),
            "--allow-private-targets",
            "--log-level",
            "warning",
        ],
        cwd=home,
        env=base_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        secret = re.search(r"(whsec_\S+)", created.stderr)
        assert secret
        yield {
            **base_env,
            "SPACES_BASE_URL": f"http://127.0.0.1:{port}/api/v1",
            "SPACES_ACCESS_TOKEN": created.stdout.strip(),
            "secret": secret.group(1),
        }
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _elsewhere(tmp_path: Path) -> Path:
    away = tmp_path / "laptop"
    away.mkdir(exist_ok=True)
    return away


def test_trigger_and_listen_by_url_and_token_alone(remote: dict[str, str], tmp_path: Path) -> None:
    env = {k: v for k, v in remote.items() if k != "secret"}
    away = _elsewhere(tmp_path)
    app = NaiveReceiver(remote["secret"], Flaws())  # the user's app, verifying for real
    port = free_port()  # any port: five digits are fine
    listen = Listen.command(
        ["listen", "--forward-to", app.url, "--events", "customer.created", "--port", str(port)],
        env=env,
        cwd=away,
    )
    try:
        ready = listen.wait_for("Ready: listening for customer.created")
        assert f"127.0.0.1:{port}/spaces-listen/" in ready
        triggered = subprocess.run(
            [*SPACES, "trigger", "customer.created"],
            cwd=away,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert triggered.returncode == 0, triggered.stderr
        assert "1 webhook(s) queued" in triggered.stdout
        assert env["SPACES_BASE_URL"] in triggered.stdout
        line = listen.wait_for("customer.created  ")
        assert "verified" in line and f"→ [200] POST {app.url}" in line, line
        assert len(app.processed) == 1  # it verified with the account's secret
        assert listen.stop(signal.SIGINT) in (0, 130)
        listen.wait_for("Removed 1 resource subscription(s)")
    finally:
        app.close()
        if listen.proc.poll() is None:
            listen.proc.kill()
    subs = httpx.get(
        f"{env['SPACES_BASE_URL']}/resource_subscriptions",
        auth=(env["SPACES_ACCESS_TOKEN"], ""),
    ).json()["data"]
    assert subs == []
    assert list(away.iterdir()) == []  # no database was opened or made here


def test_check_receiver_takes_the_secret_from_the_sandbox(
    remote: dict[str, str], tmp_path: Path
) -> None:
    env = {k: v for k, v in remote.items() if k != "secret"}
    app = NaiveReceiver(remote["secret"], Flaws())
    try:
        done = subprocess.run(
            [*SPACES, "webhooks", "check-receiver", app.url],
            cwd=_elsewhere(tmp_path),
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        app.close()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "FAIL" not in done.stdout


def test_listen_print_secret_gives_the_secret_deliveries_are_signed_with(
    remote: dict[str, str], tmp_path: Path
) -> None:
    env = {k: v for k, v in remote.items() if k != "secret"}

    def printed(*extra: str) -> str:
        done = subprocess.run(
            [*SPACES, "listen", "--print-secret", *extra],
            cwd=_elsewhere(tmp_path),
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert printed() == remote["secret"] + "\n"
    db = tmp_path / "sandbox-host" / "spaces.db"  # the sandbox's own machine: its database
    rotated = subprocess.run(
        [*SPACES, "webhook-secret", "rotate", "--db", str(db)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    assert rotated != remote["secret"]
    assert printed() == printed("--db", str(db)) == rotated + "\n"  # the newest signs now
    assert list(_elsewhere(tmp_path).iterdir()) == []


def test_a_production_server_says_so(tmp_path: Path) -> None:
    home = tmp_path / "prod"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPACES_")}
    token = subprocess.run(
        [*SPACES, "token", "create"], cwd=home, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    port = free_port()
    proc = subprocess.Popen(
        [*SPACES, "serve", "--port", str(port), "--log-level", "warning"],
        cwd=home,
        env={**env, "SPACES_SANDBOX": "off"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        env |= {"SPACES_BASE_URL": f"http://127.0.0.1:{port}/api/v1", "SPACES_ACCESS_TOKEN": token}
        for argv in (["trigger", "customer.created"], ["listen"]):
            done = subprocess.run(
                [*SPACES, *argv],
                cwd=_elsewhere(tmp_path),
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert done.returncode == 2, done.stderr
            lines = done.stderr.strip().splitlines()
            assert len(lines) == 1 and "--sandbox off" in lines[0], lines
    finally:
        proc.terminate()
        proc.wait(timeout=30)
