"""`spaces diff` as a command: sides from files, git revisions and URLs; formats; exit codes."""

from __future__ import annotations

import copy
import functools
import http.server
import json
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from spaces_toolkit.cli import main
from spaces_toolkit.spec import SPEC_PATH, load_spec


def _without_customer_email() -> dict[str, Any]:
    doc = copy.deepcopy(load_spec())
    customer = doc["components"]["schemas"]["Customer"]
    del customer["properties"]["email"]
    customer["required"].remove("email")
    return doc


@pytest.fixture
def sides(tmp_path: Path) -> tuple[str, str]:
    new = tmp_path / "new.yaml"
    new.write_text(yaml.safe_dump(_without_customer_email(), sort_keys=False), encoding="utf-8")
    return str(SPEC_PATH), str(new)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["diff", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_text_report_names_pointer_and_side(capsys, sides) -> None:
    code, out, _ = _run(capsys, *sides)
    assert code == 0
    assert "BREAKING FOR CLIENTS (1)" in out
    assert "#/components/schemas/Customer/properties/email" in out
    assert "BREAKING FOR SERVERS" not in out


@pytest.mark.parametrize(("fail_on", "expected"), [("breaking", 1), ("client", 1), ("server", 0)])
def test_fail_on(capsys, sides, fail_on: str, expected: int) -> None:
    assert _run(capsys, *sides, "--fail-on", fail_on)[0] == expected


def test_json_and_markdown(capsys, sides, tmp_path: Path) -> None:
    code, out, _ = _run(capsys, *sides, "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["summary"]["breaking-for-clients"] == 1
    (change,) = [c for c in report["changes"] if c["breaks_clients"]]
    assert change["pointer"] == "/components/schemas/Customer/properties/email"
    assert change["classification"] == ["breaking-for-clients"]
    target = tmp_path / "report.md"
    assert _run(capsys, *sides, "--format", "markdown", "--output", str(target)) == (0, "", "")
    text = target.read_text(encoding="utf-8")
    assert "## Breaking for clients" in text and "| `#/components/schemas/Customer" in text


def test_no_change_and_fail_on_passes(capsys) -> None:
    code, out, _ = _run(capsys, str(SPEC_PATH), str(SPEC_PATH), "--fail-on", "breaking")
    assert code == 0 and "no changes" in out


def test_git_revision_side(capsys, tmp_path: Path, monkeypatch) -> None:
    repo = tmp_path / "repo"
    (repo / "spec").mkdir(parents=True)
    spec = repo / "spec" / "openapi.yaml"
    spec.write_bytes(SPEC_PATH.read_bytes())
    git = functools.partial(subprocess.run, cwd=repo, check=True, capture_output=True)
    git(["git", "init", "-q", "-b", "main"])
    git(["git", "add", "."])
    git(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "spec"])
    spec.write_text(yaml.safe_dump(_without_customer_email()), encoding="utf-8")
    monkeypatch.chdir(repo)
    code, out, _ = _run(
        capsys, "main:spec/openapi.yaml", "spec/openapi.yaml", "--fail-on", "client"
    )
    assert code == 1 and "Customer/properties/email" in out
    code, _, err = _run(capsys, "nosuchrev:spec/openapi.yaml", "spec/openapi.yaml")
    assert code == 2 and err.count("\n") == 1 and err.startswith("spaces: error: nosuchrev:")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "new.yaml").write_text(yaml.safe_dump(_without_customer_email()), "utf-8")
    handler = functools.partial(_QuietHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_url_side(capsys, served: str) -> None:
    code, out, _ = _run(capsys, str(SPEC_PATH), f"{served}/new.yaml", "--fail-on", "breaking")
    assert code == 1 and "Customer/properties/email" in out
    code, _, err = _run(capsys, str(SPEC_PATH), f"{served}/missing.yaml")
    assert code == 2 and "HTTP 404" in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [("a: [unclosed", "not valid YAML"), ("- just\n- a list\n", "not an OpenAPI document")],
)
def test_bad_input_is_one_line(capsys, tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(content, encoding="utf-8")
    code, out, err = _run(capsys, str(SPEC_PATH), str(bad))
    assert code == 2 and out == "" and message in err and err.count("\n") == 1


def test_missing_file(capsys, tmp_path: Path) -> None:
    code, _, err = _run(capsys, str(SPEC_PATH), str(tmp_path / "nope.yaml"))
    assert code == 2 and "no such file" in err and err.count("\n") == 1


def test_surface_skipped_with_a_note_when_the_generator_refuses(capsys, tmp_path: Path) -> None:
    doc = copy.deepcopy(load_spec())
    del doc["paths"]["/events"]["get"]["tags"]  # the generator groups methods by tag
    doc["paths"]["/events"]["get"]["summary"] = "List the events"
    side = tmp_path / "untagged.yaml"
    side.write_text(yaml.safe_dump(doc), encoding="utf-8")
    code, out, _ = _run(capsys, str(SPEC_PATH), str(side))
    assert code == 0
    assert "#/paths/~1events/get/summary" in out
    assert "note: the client surface of the new document was not compared" in out
