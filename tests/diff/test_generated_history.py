"""The generator turns the release history into the client's version, CHANGELOG.md and the
docs' Changes section (HTML and Markdown), from snapshots alone."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.build import build_api
from spaces_toolkit.spec import Document, SpecError, load_spec


def test_generated_client_and_docs_follow_the_history(tmp_path: Path) -> None:
    spec_dir = tmp_path / "spec"
    (spec_dir / "releases").mkdir(parents=True)
    first = copy.deepcopy(load_spec())
    first["info"]["x-contract-version"] = "0.1.0"
    (spec_dir / "releases" / "0.1.0.yaml").write_text(yaml.safe_dump(first), encoding="utf-8")
    second = copy.deepcopy(first)
    customer = second["components"]["schemas"]["Customer"]
    del customer["properties"]["email"]
    customer["required"].remove("email")
    second["info"]["x-contract-version"] = "1.0.0"
    (spec_dir / "openapi.yaml").write_text(yaml.safe_dump(second), encoding="utf-8")

    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "generator", "--spec", str(spec_dir / "openapi.yaml"), "--out",
         str(out)],
        capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2], timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr

    assert 'version = "1.0.0"' in (out / "python" / "pyproject.toml").read_text()
    assert (
        '__version__: Final = "1.0.0"'
        in (out / "python" / "spaces_client" / "_metadata.py").read_text()
    )
    changelog = (out / "python" / "CHANGELOG.md").read_text()
    newest, older = changelog.split("## 0.1.0")
    assert "## 1.0.0 (unreleased)" in newest and "### Breaking changes for clients" in newest
    assert "`#/components/schemas/Customer/properties/email`" in newest
    assert "First release." in older
    assert (out / "docs" / "markdown" / "CHANGES.md").read_text() == changelog
    html = (out / "docs" / "index.html").read_text()
    assert '<a href="#changes">Changes</a>' in html and 'id="changes-1-0-0"' in html
    assert "<code>#/components/schemas/Customer/properties/email</code>" in html


def test_a_bad_contract_version_is_a_spec_problem() -> None:
    doc = copy.deepcopy(load_spec())
    doc["info"]["x-contract-version"] = "v1"
    with pytest.raises(SpecError) as caught:
        build_api(Document(doc, "", "spec"))
    assert [p.pointer for p in caught.value.problems] == ["/info/x-contract-version"]
