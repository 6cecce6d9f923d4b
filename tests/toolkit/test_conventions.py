"""The `spaces` command's conventions: --version, SPACES_* variables for every serve flag (by
one rule, so later flags get theirs too), one access-token variable, the app factory, /healthz,
opt-in CORS and the hint for a database without accounts."""

from __future__ import annotations

import argparse
from pathlib import Path

import httpx
import pytest

from spaces_toolkit import __version__
from spaces_toolkit.cli import build_parser, main
from spaces_toolkit.envdefaults import apply_env_defaults, env_var
from spaces_toolkit.server.app import create_app
from spaces_toolkit.server.run.cli import serve_arguments
from spaces_toolkit.server.run.serve import app_from_env, no_account_hint, settings_from_env
from spaces_toolkit.server.settings import Settings
from spaces_toolkit.server.storage.repo.accounts import create_account


def _serve_parser(environ: dict[str, str]) -> argparse.ArgumentParser:
    parser = build_parser(environ)
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices["serve"]


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"spaces {__version__}"


def test_every_serve_flag_has_its_variable() -> None:
    parser = _serve_parser({})
    flags = [a for a in parser._actions if any(s.startswith("--") for s in a.option_strings)]
    names = {env_var(a) for a in flags} - {None}
    assert {"SPACES_PORT", "SPACES_DB", "SPACES_WEBHOOK_RETRY_INTERVAL"} <= names
    assert len(names) == len(flags) - 1  # all but --help
    for action in flags:
        if env_var(action):
            assert f"[env: {env_var(action)}]" in (action.help or "")


def test_serve_flags_from_the_environment() -> None:
    env = {
        "SPACES_PORT": "9001",
        "SPACES_DB": "other.db",
        "SPACES_ALLOW_PRIVATE_TARGETS": "yes",
        "SPACES_TRUSTED_PROXY": "10.0.0.0/8, 127.0.0.1",
        "SPACES_CORS_ORIGIN": "https://app.example",
        "SPACES_LOG_LEVEL": "warning",
    }
    args = serve_arguments(env)
    assert (args.port, args.db, args.allow_private_targets, args.log_level) == (
        9001,
        "other.db",
        True,
        "warning",
    )
    assert args.trusted_proxy == ["10.0.0.0/8", "127.0.0.1"]
    settings = settings_from_env(env)
    assert settings.cors_origins == ("https://app.example",)
    assert settings.db_path == Path("other.db") and settings.allow_private_targets
    # a flag given on the command line wins over its variable
    given = build_parser(env).parse_args(["serve", "--port", "9002"])
    assert given.port == 9002


def test_a_flag_added_later_gets_its_variable_by_the_same_rule() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--sign-webhooks", action="store_true")
    problems = apply_env_defaults(
        parser, {"SPACES_FAULT_RATE": "0.25", "SPACES_SIGN_WEBHOOKS": "1"}
    )
    args = parser.parse_args([])
    assert (problems, args.fault_rate, args.sign_webhooks) == ([], 0.25, True)


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("SPACES_PORT", "eighty", "$SPACES_PORT='eighty'"),
        ("SPACES_REQUIRE_HTTPS", "maybe", "expected a boolean"),
        ("SPACES_LOG_LEVEL", "loud", "invalid choice"),
    ],
)
def test_a_bad_variable_is_one_clear_line(
    variable: str, value: str, says: str, monkeypatch: pytest.MonkeyPatch, capsys, tmp_path
) -> None:
    monkeypatch.setenv(variable, value)
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("spaces: error: ") and says in err and "Traceback" not in err
    # ...and it does not break the other commands
    assert main(["token", "create", "--db", str(tmp_path / "t.db")]) == 0


@pytest.mark.parametrize(
    ("env", "token"),
    [
        ({"SPACES_ACCESS_TOKEN": "new", "SPACES_TOKEN": "old"}, "new"),
        ({"SPACES_TOKEN": "old"}, "old"),
        ({}, None),
    ],
)
def test_one_token_variable_everywhere(env: dict[str, str], token: str | None) -> None:
    parser = build_parser(env)
    for argv in (["seed"], ["trigger", "customer.created"]):
        assert parser.parse_args(argv).token == token
    if "contract" in parser._subparsers._group_actions[0].choices:  # type: ignore[union-attr]
        assert parser.parse_args(["contract"]).token == token


def _client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def test_healthz_and_cors(tmp_path: Path) -> None:
    settings = Settings(
        db_path=tmp_path / "h.db",
        run_delivery_worker=False,
        cors_origins=("https://app.example",),
    )
    app = create_app(settings)
    _, token = create_account(app.state.db, name="H", email="h@example.com")
    async with _client(app) as client:
        health = await client.get("/healthz")
        assert (health.status_code, health.json()) == (200, {"status": "ok"})
        preflight = await client.options(
            "/api/v1/customers",
            headers={
                "Origin": "https://app.example",
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "Authorization",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://app.example"
        page = await client.get(
            "/api/v1/customers", headers={"Origin": "https://app.example"}, auth=(token, "")
        )
        assert page.headers["access-control-allow-origin"] == "https://app.example"
        other = await client.get(
            "/api/v1/customers", headers={"Origin": "https://evil.example"}, auth=(token, "")
        )
        assert "access-control-allow-origin" not in other.headers
        app.state.db.close()
        broken = await client.get("/healthz")
        assert broken.status_code == 503 and "message" in broken.json()


async def test_no_cors_headers_unless_asked(tmp_path: Path) -> None:
    app = create_app(Settings(db_path=tmp_path / "c.db", run_delivery_worker=False))
    async with _client(app) as client:
        answer = await client.get("/healthz", headers={"Origin": "https://app.example"})
    assert "access-control-allow-origin" not in answer.headers
    app.state.db.close()


async def test_app_factory_reads_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "factory.db"
    monkeypatch.setenv("SPACES_DB", str(db))
    monkeypatch.setenv("SPACES_CORS_ORIGIN", "*")
    app = app_from_env()
    assert app.state.settings.db_path == db and app.state.settings.cors_origins == ("*",)
    assert "has no account yet" in caplog.text and "spaces token create" in caplog.text
    async with _client(app) as client:
        assert (await client.get("/healthz")).status_code == 200
    app.state.db.close()


def test_no_account_hint(tmp_path: Path) -> None:
    app = create_app(Settings(db_path=tmp_path / "n.db", run_delivery_worker=False))
    hint = no_account_hint(app.state.db, "n.db")
    assert hint is not None and "spaces token create --db n.db" in hint
    create_account(app.state.db, name="N", email="n@example.com")
    assert no_account_hint(app.state.db, "n.db") is None
    app.state.db.close()
