"""`pip install generated/python` in a clean venv gives a working client (opt-in: needs PyPI).

Run with SPACES_INSTALL_TEST=1; skipped otherwise, since it downloads httpx, pydantic and
flit_core and takes longer than the rest of the generator tests together.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from generator_helpers import GENERATED

SMOKE = """
import httpx, spaces_client
body = {"object": "list", "data": [{"object": "space", "id": 1, "created": 1, "url": None}],
        "has_more": False, "count": 1}
transport = httpx.MockTransport(lambda request: httpx.Response(200, json=body))
with spaces_client.SpacesClient("t", http_client=httpx.Client(transport=transport)) as client:
    assert [space.id for space in client.spaces.list()] == [1]
print("ok", spaces_client.__file__)
"""


@pytest.mark.skipif(
    os.environ.get("SPACES_INSTALL_TEST") != "1", reason="set SPACES_INSTALL_TEST=1"
)
def test_pip_install_in_a_clean_venv(tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / ("Scripts" if sys.platform == "win32" else "bin") / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", str(GENERATED / "python")],
        check=True,
        timeout=600,
        cwd=tmp_path,
    )
    result = subprocess.run(
        [str(python), "-c", SMOKE],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.stdout.startswith("ok ") and str(env_dir) in result.stdout
    listed = subprocess.run(
        [str(python), "-m", "pip", "list", "--format=freeze"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    names = {line.split("==")[0].lower() for line in listed.splitlines()}
    allowed = {
        "spaces-client",
        "httpx",
        "httpcore",
        "h11",
        "anyio",
        "idna",
        "certifi",
        "sniffio",
        "pydantic",
        "pydantic-core",
        "pydantic_core",
        "annotated-types",
        "typing-extensions",
        "typing_extensions",
        "typing-inspection",
        "pip",
        "setuptools",
    }
    assert names <= allowed, names - allowed
