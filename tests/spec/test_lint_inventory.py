"""The spec lint fails, with the linter's message, when a documented operation or field goes."""

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from spaces_toolkit.spec import load_spec

ROOT = Path(__file__).resolve().parents[2]
SPECTRAL = ROOT / "node_modules" / ".bin" / "spectral"

pytestmark = pytest.mark.skipif(not SPECTRAL.exists(), reason="npm tools not installed (make lint)")


def _spectral(spec: dict, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return subprocess.run(
        [str(SPECTRAL), "lint", "--ruleset", str(ROOT / ".spectral.yaml"), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deleting_an_operation_and_a_required_field_fails_the_lint(tmp_path):
    spec = yaml.safe_load(yaml.safe_dump(load_spec()))
    del spec["paths"]["/webhooks"]
    spec["components"]["schemas"]["Invoice"]["required"].remove("currency")
    result = _spectral(spec, tmp_path)
    assert result.returncode != 0
    assert 'must have required property "/webhooks"' in result.stdout
    assert "spaces-documented-attributes-invoice" in result.stdout


def test_the_committed_spec_passes(tmp_path):
    shutil.copy(ROOT / "spec" / "openapi.yaml", tmp_path / "openapi.yaml")
    result = _spectral(load_spec(), tmp_path)
    assert result.returncode == 0, result.stdout
