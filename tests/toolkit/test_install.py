"""The toolkit installs like any package and works outside the repository.

Builds the wheel and the sdist, installs the wheel (not editable) into a fresh venv, then from a
temporary directory outside the checkout runs `spaces --version`, the contract suite against its
embedded server, and `spaces serve` answering /healthz, /openapi.json, /docs and /llms.txt over
HTTP.
Installing resolves the wheel's dependency ranges through pip's configured indexes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import time
import urllib.request
import venv
import zipfile
from pathlib import Path

import pytest

from testing.support import free_port

REPO = Path(__file__).resolve().parents[2]
PACKAGED = (
    "spaces_toolkit/spec/openapi.yaml",
    "spaces_toolkit/server/storage/migrations/sqlite/0001_initial.sql",
    "spaces_toolkit/server/storage/migrations/postgresql/0001_initial.sql",
    "spaces_toolkit/server/docs.html",
    "spaces_toolkit/server/llms.txt",
    "spaces_toolkit/server/llms-full.txt",
)

pytestmark = pytest.mark.install


def _run(cmd: list[str], cwd: Path, timeout: float, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    assert result.returncode == 0, (
        f"{cmd}: exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    )
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the venv's bin folder, a working directory outside the repository)."""
    root = tmp_path_factory.mktemp("install")
    dist = root / "dist"
    # No --wheel/--sdist: build makes the sdist, then the wheel from the unpacked sdist, so the
    # sdist is proven complete and no stale build/ folder of the checkout reaches the wheel.
    _run([sys.executable, "-m", "build", "--outdir", str(dist), str(REPO)], cwd=root, timeout=300)
    (wheel,) = dist.glob("spaces_toolkit-*.whl")
    (sdist,) = dist.glob("spaces_toolkit-*.tar.gz")
    in_wheel = set(zipfile.ZipFile(wheel).namelist())
    assert set(PACKAGED) <= in_wheel, set(PACKAGED) - in_wheel
    # Test infrastructure (testing/: the PostgreSQL cluster helper, ports, seeded accounts) stays
    # in the repository.
    assert not [n for n in in_wheel if n.startswith("testing/") or "pgcluster" in n]
    # The generator ships inside the toolkit, never as a top-level package named `generator`.
    assert not [name for name in in_wheel if name.startswith("generator/")]
    assert {
        "spaces_toolkit/_generator/build.py",
        "spaces_toolkit/_generator/runtime/_base_client.py",
        "spaces_toolkit/py.typed",
    } <= in_wheel
    assert any(name.startswith("spaces_toolkit/_generator/templates/") for name in in_wheel)
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in in_wheel), sorted(in_wheel)
    in_sdist = {name.split("/", 1)[1] for name in tarfile.open(sdist).getnames() if "/" in name}
    assert {*PACKAGED, "pyproject.toml"} <= in_sdist
    env_dir = root / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / "bin"
    _run([str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)], root, 600)
    work = root / "elsewhere"
    work.mkdir()
    return bin_dir, work


def _clean_env(bin_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SPACES_", "PYTHON"))}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return env


def test_version_and_no_checkout_on_the_path(installed: tuple[Path, Path]) -> None:
    bin_dir, work = installed
    env = _clean_env(bin_dir)
    assert _run([str(bin_dir / "spaces"), "--version"], work, 60, env).startswith("spaces ")
    where = _run(
        [str(bin_dir / "python"), "-c", "import spaces_toolkit.server as s; print(s.__file__)"],
        work,
        60,
        env,
    )
    assert str(REPO) not in where and "site-packages" in where


def test_diff_with_the_base_install_only(installed: tuple[Path, Path]) -> None:
    """`spaces diff` compares the generated client's surface too, without the generator extra
    and without a package named `generator` on the path."""
    bin_dir, work = installed
    env = _clean_env(bin_dir)
    python = str(bin_dir / "python")
    probe = (
        "import importlib.util as u; print([n for n in ('generator', 'jinja2') if u.find_spec(n)])"
    )
    assert _run([python, "-c", probe], work, 60, env).strip() == "[]"
    spec = (REPO / "spec" / "openapi.yaml").read_text(encoding="utf-8")
    (work / "old.yaml").write_text(spec, encoding="utf-8")
    (work / "new.yaml").write_text(
        spec.replace("title: Spaces API", "title: Rooms API", 1), encoding="utf-8"
    )
    out = _run(
        [str(bin_dir / "spaces"), "diff", "old.yaml", "new.yaml", "--format", "json"],
        work,
        120,
        env,
    )
    kinds = {change["kind"] for change in json.loads(out)["changes"]}
    assert "client-renamed" in kinds, out


def test_sandbox_commands(installed: tuple[Path, Path]) -> None:
    """token create, seed and trigger, with the token passed the way the client takes it."""
    bin_dir, work = installed
    env = _clean_env(bin_dir) | {"SPACES_DB": "sandbox.db"}
    token = _run([str(bin_dir / "spaces"), "token", "create"], work, 60, env).split()[0]
    env["SPACES_ACCESS_TOKEN"] = token
    seeded = _run([str(bin_dir / "spaces"), "seed", "--customers", "5"], work, 120, env)
    assert "5 customers" in seeded
    triggered = _run([str(bin_dir / "spaces"), "trigger", "customer.created"], work, 60, env)
    assert triggered.startswith("Triggered customer.created")


def test_contract_suite_against_its_embedded_server(installed: tuple[Path, Path]) -> None:
    bin_dir, work = installed
    out = _run(
        [str(bin_dir / "spaces"), "contract", "--max-examples", "3", "--seed", "1"],
        work,
        240,
        _clean_env(bin_dir),
    )
    assert "Traceback" not in out
    assert (work / "reports" / "contract" / "junit.xml").is_file()


def _get(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.status, answer.headers.get("content-type", ""), answer.read()


def test_serve_answers_health_spec_and_docs(installed: tuple[Path, Path]) -> None:
    bin_dir, work = installed
    port = free_port()
    env = _clean_env(bin_dir) | {"SPACES_PORT": str(port), "SPACES_DB": "served.db"}
    server = subprocess.Popen(
        [str(bin_dir / "spaces"), "serve"],
        cwd=work,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _, body = _get(f"{base}/healthz")
                break
            except OSError:
                assert server.poll() is None, server.communicate()[0]
                assert time.monotonic() < deadline, "spaces serve did not come up in 60 s"
                time.sleep(0.2)
        assert (status, json.loads(body)) == (200, {"status": "ok"})
        status, kind, body = _get(f"{base}/openapi.json")
        assert status == 200 and kind.startswith("application/json")
        assert json.loads(body)["openapi"].startswith("3.1")
        status, kind, body = _get(f"{base}/docs")
        assert status == 200 and kind.startswith("text/html") and b"<html" in body[:2000].lower()
        assert b'<meta name="spaces-sandbox-base" content="/api/v1">' in body[:3000]
        for name in ("llms.txt", "llms-full.txt"):
            status, kind, body = _get(f"{base}/{name}")
            assert status == 200 and kind.startswith("text/plain") and b"\n# " in body, name
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "has no account yet" in output and "spaces token create" in output
    assert (work / "served.db").is_file()
