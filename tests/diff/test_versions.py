"""Versions follow changes: the bump each change needs, `make check` against the release
snapshots, `make check-compat` against a git base (full and shallow clones), `make release`."""

from __future__ import annotations

import copy
import functools
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.__main__ import load_history
from generator.changes import render_changelog
from spaces_toolkit.diff import compare_documents
from spaces_toolkit.diff.compat import main as compat
from spaces_toolkit.diff.versions import required_bump
from spaces_toolkit.spec import load_spec
from spaces_toolkit.spec.versions import VERSION_KEY

from .corpus import CASES

ROOT = Path(__file__).resolve().parents[2]

Doc = dict[str, Any]


def _case(name: str) -> Doc:
    (case,) = [c for c in CASES if c.name == name]
    return case.sides(load_spec())[1]


@pytest.mark.parametrize(
    ("name", "bump"),
    [
        ("response field removed", "major"),  # breaks clients
        ("path added", "minor"),  # breaks servers only
        ("optional response field added", "minor"),  # compatible
        ("operation summary reworded", "patch"),  # documentation
    ],
)
def test_required_bump(name: str, bump: str) -> None:
    assert required_bump(compare_documents(load_spec(), _case(name)).changes) == bump


def test_no_change_needs_no_bump() -> None:
    assert required_bump(compare_documents(load_spec(), load_spec()).changes) is None


def _write(path: Path, doc: Doc, version: str | None = None) -> None:
    doc = copy.deepcopy(doc)
    if version is not None:
        doc["info"][VERSION_KEY] = version
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A spec with release 0.1.0 (the spec as it is) under spec/releases/."""
    _write(tmp_path / "spec" / "openapi.yaml", load_spec(), "0.1.0")
    assert compat(["--spec", str(tmp_path / "spec" / "openapi.yaml"), "--release"]) == 0
    return tmp_path


@pytest.mark.parametrize(
    ("name", "version", "code"),
    [
        ("response field removed", "0.1.0", 1),
        ("response field removed", "0.2.0", 1),
        ("response field removed", "1.0.0", 0),
        ("optional response field added", "0.1.0", 1),
        ("optional response field added", "0.1.1", 1),
        ("optional response field added", "0.2.0", 0),
        ("path added", "0.1.1", 1),
        ("path added", "0.2.0", 0),
        ("operation summary reworded", "0.1.0", 1),
        ("operation summary reworded", "0.1.1", 0),
        ("operation summary reworded", "0.0.9", 1),  # a downgrade never passes
    ],
)
def test_check_against_last_release(project: Path, capsys, name: str, version: str, code: int):
    spec = project / "spec" / "openapi.yaml"
    _write(spec, _case(name), version)
    assert compat(["--spec", str(spec)]) == code
    err = capsys.readouterr().err
    if code:
        assert err.startswith("versions: since release 0.1.0: a ") and err.count("\n") == 1


def test_unchanged_spec_is_its_release(project: Path, capsys) -> None:
    assert compat(["--spec", str(project / "spec" / "openapi.yaml")]) == 0
    assert "spec is release 0.1.0" in capsys.readouterr().out


def test_release_history_and_changelog(project: Path, capsys) -> None:
    spec = project / "spec" / "openapi.yaml"
    _write(spec, _case("response field removed"), "1.0.0")
    assert compat(["--spec", str(spec), "--release"]) == 0
    assert (project / "spec" / "releases" / "1.0.0.yaml").read_bytes() == spec.read_bytes()
    _write(spec, _case("optional response field added"), "1.0.0")  # same version, new text
    assert compat(["--spec", str(spec), "--release"]) == 1  # already released: bump first
    assert "already released" in capsys.readouterr().err
    added = _case("optional response field added")
    _remove_email(added)
    _write(spec, added, "1.1.0")
    history = load_history(spec, yaml.safe_load(spec.read_text(encoding="utf-8")))
    assert [(r.version, r.released) for r in history] == [
        ("1.1.0", False),
        ("1.0.0", True),
        ("0.1.0", True),
    ]
    text = render_changelog(history, "Spaces API")
    unreleased, rest = text.split("## 1.0.0\n")
    assert "## 1.1.0 (unreleased)" in unreleased and "properties/phone" in unreleased
    assert "### Breaking changes for clients" in rest and "properties/email" in rest
    assert "properties/email" not in unreleased, unreleased
    assert f"#/info/{VERSION_KEY}" not in text
    assert text.index("## 1.0.0") < text.index("## 0.1.0\n\nFirst release.")


def _remove_email(doc: Doc) -> None:
    customer = doc["components"]["schemas"]["Customer"]
    del customer["properties"]["email"]
    customer["required"].remove("email")


def test_history_needs_no_git(project: Path, monkeypatch) -> None:
    def no_git(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("generation ran a subprocess")

    monkeypatch.setattr(subprocess, "run", no_git)
    monkeypatch.setattr(subprocess, "Popen", no_git)
    spec = project / "spec" / "openapi.yaml"
    assert load_history(spec, yaml.safe_load(spec.read_text(encoding="utf-8")))


def test_generated_client_takes_the_contract_version() -> None:
    version = load_spec()["info"][VERSION_KEY]
    pyproject = (ROOT / "generated" / "python" / "pyproject.toml").read_text()
    assert f'version = "{version}"' in pyproject


# --- against a git base: a full clone and a shallow one


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return done.stdout.strip()


@pytest.fixture
def repo(project: Path) -> Path:
    """main: release 0.1.0 tagged v0.1.0; branch `feature` removes `email` without a bump."""
    git = functools.partial(_git, project)
    git("init", "-q", "-b", "main")
    git("add", ".")
    git("commit", "-qm", "release 0.1.0")
    git("tag", "v0.1.0")
    git("checkout", "-qb", "feature")
    doc = _case("response field removed")
    _write(project / "spec" / "openapi.yaml", doc, "0.1.0")
    # The snapshot check alone would catch this; make the release snapshot agree with the
    # branch so that only the git comparison can.
    _write(project / "spec" / "releases" / "0.1.0.yaml", doc, "0.1.0")
    git("commit", "-qam", "drop email")
    return project


def test_check_compat_full_clone(repo: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(repo)
    assert compat(["--base", "auto"]) == 1
    err = capsys.readouterr().err
    assert "since v0.1.0: a major change" in err and "Customer/properties/email" in err
    assert compat(["--base", "main"]) == 1
    assert compat(["--base", "HEAD"]) == 0  # nothing changed since itself
    assert compat(["--base", "nosuch"]) == 2


def test_check_compat_shallow_clone_skips_with_a_message(repo: Path, tmp_path, monkeypatch, capsys):
    clone = tmp_path / "shallow"
    _git(tmp_path, "clone", "-q", "--depth", "1", "--no-tags", "--single-branch", "--branch",
         "feature", f"file://{repo}", str(clone))  # fmt: skip
    monkeypatch.chdir(clone)
    assert compat(["--base", "auto"]) == 0
    out = capsys.readouterr().out
    assert "spec is release 0.1.0" in out and "skipped the git comparison" in out
