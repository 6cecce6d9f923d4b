"""`mypy --strict` over the generated packages and over typed use of the client."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from generator_helpers import GENERATED, ROOT

USAGE = ROOT / "tests" / "client" / "typecheck_usage.py"


def test_mypy_strict_passes_on_generated_code_and_typed_use(
    widget_build: Path, tmp_path: Path
) -> None:
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\nstrict = True\npython_version = 3.11\n", encoding="utf-8")
    env = {
        **os.environ,
        "MYPYPATH": os.pathsep.join([str(GENERATED / "python"), str(widget_build)]),
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(config),
            "--cache-dir",
            str(ROOT / ".mypy_cache" / "generated"),
            str(GENERATED / "python" / "spaces_client"),
            str(widget_build / "widget_store_client"),
            str(USAGE),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout
