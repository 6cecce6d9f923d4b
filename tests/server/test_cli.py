"""The sandbox CLI (`spaces token create`, `seed`, `trigger`, `serve`) and HTTPS handling."""

from __future__ import annotations

import shutil
import socket
import sqlite3
import subprocess
import sys
import time

import httpx
import pytest

from spaces_toolkit.cli import main
from testing.support import free_port


def spaces(*args, capsys=None):
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:  # a value a flag's type refuses: argparse exits 2
        code = exc.code
    out = capsys.readouterr() if capsys else None
    return code, out


async def test_token_create_prints_the_token_once(tmp_path, capsys):
    from spaces_toolkit.server.app import create_app
    from spaces_toolkit.server.settings import Settings

    db = tmp_path / "s.db"
    code, out = spaces("token", "create", "--db", db, "--name", "Ada", capsys=capsys)
    assert code == 0
    token = out.out.strip()
    assert token.startswith("sk_sandbox_") and "\n" not in token
    assert "only once" in out.err
    conn = sqlite3.connect(db)
    dump = "\n".join(conn.iterdump())
    conn.close()
    assert token not in dump and "Ada" in dump
    app = create_app(Settings(db_path=db, run_delivery_worker=False))
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, auth=(token, "")) as client:
            response = await client.get("http://testserver/api/v1/account")
    finally:
        app.state.db.close()
    assert response.status_code == 200 and response.json()["name"] == "Ada"


def _dump(db):
    conn = sqlite3.connect(db)
    rows = {
        t: conn.execute(f"SELECT * FROM {t} ORDER BY seq").fetchall()
        for t in ["spaces", "customers", "invoices", "subscriptions", "captured_emails", "events"]
    }
    conn.close()
    return rows


def test_seed_is_deterministic(tmp_path, capsys):
    dumps = []
    for name, seed in [("a.db", 3), ("b.db", 3), ("c.db", 4)]:
        db = tmp_path / name
        spaces("token", "create", "--db", db, capsys=capsys)
        code, out = spaces(
            "seed", "--db", db, "--spaces", 2, "--customers", 25, "--seed", seed, capsys=capsys
        )
        assert code == 0 and "25 customers" in out.out
        dumps.append(_dump(db))
    assert dumps[0] == dumps[1]
    assert dumps[0]["customers"] != dumps[2]["customers"]
    assert len(dumps[0]["spaces"]) == 2 and len(dumps[0]["customers"]) == 25
    assert dumps[0]["invoices"] and dumps[0]["subscriptions"] and dumps[0]["captured_emails"]


def test_seed_and_trigger_need_an_account(tmp_path, capsys):
    db = tmp_path / "s.db"
    code, out = spaces("seed", "--db", db, capsys=capsys)
    assert code == 2 and "token create" in out.err
    spaces("token", "create", "--db", db, capsys=capsys)
    spaces("token", "create", "--db", db, capsys=capsys)
    code, out = spaces("trigger", "customer.created", "--db", db, capsys=capsys)
    assert code == 2 and "--token" in out.err  # two accounts: which one?
    code, out = spaces("trigger", "customer.created", "--db", db, "--token", "x", capsys=capsys)
    assert code == 2 and "unknown access token" in out.err


def test_trigger(tmp_path, capsys):
    db = tmp_path / "s.db"
    spaces("token", "create", "--db", db, "--webhook-url", "https://example.com/h", capsys=capsys)
    for event_type in ["customer.created", "invoice.paid", "subscription.created"]:
        code, out = spaces("trigger", event_type, "--db", db, "--account", 1, capsys=capsys)
        assert code == 0 and event_type in out.out and "1 webhook(s) queued" in out.out
    code, out = spaces("trigger", "customer.deleted", "--db", db, capsys=capsys)
    assert code == 2 and "customer.deleted" in out.err and "customer.created" in out.err
    conn = sqlite3.connect(db)
    types = [r[0] for r in conn.execute("SELECT type FROM events ORDER BY seq")]
    conn.close()
    assert types == [
        "customer.created",
        "invoice.created",
        "invoice.paid",
        "subscription.created",
    ]


@pytest.mark.parametrize(
    "flags,words",
    [
        (["--certfile", "c.pem"], "go together"),
        (["--certfile", "nope.pem", "--keyfile", "nope.key"], "no such file"),
        (["--trusted-proxy", "not-an-ip"], "--trusted-proxy"),
        (["--webhook-retry-interval", "0"], "positive"),
    ],
)
def test_serve_rejects_bad_flags(tmp_path, capsys, flags, words):
    code, out = spaces("serve", "--db", tmp_path / "s.db", *flags, capsys=capsys)
    assert code == 2 and words in out.err


async def test_require_https_in_process(make_sandbox):
    box = make_sandbox(accounts=1, require_https=True, trusted_proxies=("127.0.0.0/8",))
    from spaces_toolkit.server.settings import parse_networks

    async with box.client(box.tokens[0]) as client:
        plain = await client.get("/account")
        assert plain.status_code == 400 and "HTTPS" in plain.json()["message"]
    async with box.client(box.tokens[0], base_url="https://testserver/api/v1") as client:
        assert (await client.get("/account")).status_code == 200
    # httpx's ASGITransport reports the client as 127.0.0.1
    box = make_sandbox(
        accounts=1,
        require_https=True,
        trusted_proxies=parse_networks(["127.0.0.1"]),
        name="p.db",
    )
    async with box.client(box.tokens[0]) as client:
        proxied = await client.get("/account", headers={"X-Forwarded-Proto": "https"})
        assert proxied.status_code == 200
        lying = await client.get("/account", headers={"X-Forwarded-Proto": "http"})
        assert lying.status_code == 400
    box = make_sandbox(
        accounts=1, require_https=True, trusted_proxies=parse_networks(["10.0.0.0/8"]), name="q.db"
    )
    async with box.client(box.tokens[0]) as client:
        untrusted = await client.get("/account", headers={"X-Forwarded-Proto": "https"})
        assert untrusted.status_code == 400


def _serve(tmp_path, *flags):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "spaces_toolkit.cli", "serve", "--port", str(port), *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=tmp_path,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, port
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise AssertionError(proc.stdout.read().decode()) from None
            time.sleep(0.05)


def _stop(proc):
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_spaces_serve_with_tls_and_require_https(tmp_path, capsys):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    db = tmp_path / "spaces.db"
    code, out = spaces("token", "create", "--db", db, capsys=capsys)
    token = out.out.strip()
    proc, port = _serve(
        tmp_path, "--db", db, "--certfile", cert, "--keyfile", key, "--require-https"
    )
    try:
        response = httpx.get(
            f"https://127.0.0.1:{port}/api/v1/account", auth=(token, ""), verify=False
        )
        assert response.status_code == 200 and response.json()["object"] == "account"
        with pytest.raises(httpx.HTTPError):  # plain HTTP to a TLS port is not even HTTP
            httpx.get(f"http://127.0.0.1:{port}/api/v1/account", auth=(token, ""))
    finally:
        _stop(proc)

    proc, port = _serve(tmp_path, "--db", db, "--require-https", "--trusted-proxy", "127.0.0.1")
    try:
        url = f"http://127.0.0.1:{port}/api/v1/account"
        plain = httpx.get(url, auth=(token, ""))
        assert plain.status_code == 400 and "HTTPS" in plain.json()["message"]
        proxied = httpx.get(url, auth=(token, ""), headers={"X-Forwarded-Proto": "https"})
        assert proxied.status_code == 200
    finally:
        _stop(proc)
