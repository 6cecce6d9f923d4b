"""Generation is byte-identical whatever the hash seed (set iteration order must not leak)."""

from __future__ import annotations

import filecmp
import os
import subprocess
import sys
from pathlib import Path

from generator_helpers import ROOT


def _generate(out: Path, seed: str) -> None:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    subprocess.run(
        [sys.executable, "-m", "generator", "--only", "python", "--out", str(out)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )


def _tree(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_generation_is_byte_identical_under_different_hash_seeds(tmp_path: Path) -> None:
    _generate(tmp_path / "a", "1")
    _generate(tmp_path / "b", "4242")
    a, b = tmp_path / "a" / "python", tmp_path / "b" / "python"
    assert _tree(a) == _tree(b)
    assert len(_tree(a)) > 20
    _, mismatch, errors = filecmp.cmpfiles(a, b, _tree(a), shallow=False)
    assert mismatch == [] and errors == []
