"""Golden output: the committed generated/python is what the generator makes from the spec."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from generator_helpers import GENERATED, ROOT, run

from generator.emitters.python import RUNTIME
from generator.write import IGNORED, generated_files

PACKAGE = GENERATED / "python" / "spaces_client"


def test_committed_output_matches_a_fresh_generation(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("--check", "--only", "python") == 0, capsys.readouterr().err


def test_drift_fails_and_prints_the_fix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "out" / "python"
    shutil.copytree(
        GENERATED / "python", copy, ignore=shutil.ignore_patterns(*IGNORED, "*.pyc", "*.egg-info")
    )
    client = copy / "spaces_client" / "_client.py"
    client.write_text(client.read_text() + "# a hand edit\n")
    (copy / "spaces_client" / "resources" / "events.py").unlink()
    (copy / "spaces_client" / "extra.py").write_text("x = 1\n")
    (copy / "spaces_client" / "__pycache__").mkdir()  # left by imports: not drift
    (copy / "spaces_client" / "__pycache__" / "m.cpython-311.pyc").write_bytes(b"\0")
    (copy / ".ruff_cache").mkdir()  # left by a tool run inside the output: not drift either
    (copy / ".ruff_cache" / "CACHEDIR.TAG").write_text("x")
    assert run("--check", "--only", "python", "--out", tmp_path / "out") == 1
    err = capsys.readouterr().err
    assert "missing: python/spaces_client/resources/events.py" in err
    assert "not generated: python/spaces_client/extra.py" in err
    assert "differs: python/spaces_client/_client.py" in err
    assert "-# a hand edit" in err
    assert "__pycache__" not in err and ".ruff_cache" not in err
    assert err.rstrip().endswith("run `make` to regenerate it")


def test_every_file_is_stamped_with_the_spec_hash_or_its_source() -> None:
    """Generated files name the spec and its hash; files copied from the hand-written runtime
    name the file to edit instead (they do not change when the spec does)."""
    sha = __import__("hashlib").sha256((ROOT / "spec" / "openapi.yaml").read_bytes()).hexdigest()
    files = list(generated_files(GENERATED / "python"))  # the writer's own idea of its files
    assert len(files) > 20
    runtime = {p.name for p in RUNTIME.glob("_*.py")}
    copies = 0
    for rel in files:
        head = (GENERATED / "python" / rel).read_text(encoding="utf-8")[:300]
        if (
            rel.startswith("spaces_client/")
            and rel.split("/")[-1] in runtime
            and "/" not in rel[14:]
        ):
            source = f"generator/runtime/{rel.split('/')[-1]}"
            assert f"Copied verbatim from {source}" in head, rel
            assert f"edit {source} and run `make`" in head, rel
            assert (ROOT / source).is_file()
            assert sha not in head, rel
            copies += 1
        else:
            assert f"Generated from spec/openapi.yaml (sha256 {sha})" in head, rel
            assert "Do not edit: change the spec" in head, rel
    assert copies == len(runtime)


def test_generated_code_is_ruff_clean() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--isolated",
            "--no-cache",
            "--select",
            "E,F,W,I,B",
            "--ignore",
            "E501",  # long docstring lines come from the spec's descriptions
            "--line-length",
            "100",  # as the generator formats it
            "--target-version",
            "py311",
            str(GENERATED / "python"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout


def test_the_package_imports_only_httpx_pydantic_and_the_standard_library() -> None:
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    third_party = {name for name in found if name not in sys.stdlib_module_names}
    assert third_party == {"httpx", "pydantic"}


def test_the_distribution_depends_only_on_httpx_and_pydantic() -> None:
    meta = tomllib.loads((GENERATED / "python" / "pyproject.toml").read_text(encoding="utf-8"))
    project = meta["project"]
    assert project["name"] == "spaces-client"
    assert sorted(d.split(">")[0].split("=")[0] for d in project["dependencies"]) == [
        "httpx",
        "pydantic",
    ]
    assert meta["tool"]["flit"]["module"]["name"] == "spaces_client"
    assert (GENERATED / "python" / project["readme"]).exists()
