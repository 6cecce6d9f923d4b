"""Invalid input: every problem listed with its JSON pointer, exit 2, the output left untouched."""

from __future__ import annotations

from pathlib import Path

import pytest
from generator_helpers import real_spec, run, write_spec

from generator import write as write_mod
from generator.build import build_api
from generator.emitters import EmitContext, Emitter
from spaces_toolkit.spec import SpecError
from spaces_toolkit.spec import load as load_model


def _existing_output(root: Path) -> dict[str, bytes]:
    (root / "python" / "pkg").mkdir(parents=True)
    (root / "python" / "pkg" / "keep.py").write_bytes(b"# generated earlier\n")
    return _snapshot(root)


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_every_problem_is_listed_with_its_pointer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = real_spec()
    del spec["info"]["title"]
    account = spec["paths"]["/account"]["get"]
    del account["operationId"]
    spec["paths"]["/spaces"]["get"]["tags"] = []
    spec["components"]["schemas"]["Customer"]["properties"]["space"] = {
        "$ref": "#/components/schemas/Nope"
    }
    out = tmp_path / "out"
    before = _existing_output(out)
    code = run("--spec", write_spec(tmp_path / "bad.yaml", spec), "--out", out)
    err = capsys.readouterr().err
    assert code == 2
    assert "#/components/schemas/Customer/properties/space/$ref: reference to nothing" in err
    assert "Traceback" not in err
    assert _snapshot(out) == before
    # the dangling reference does not hide the generator's own problems
    assert "#/paths/~1account/get: no operationId" in err
    assert "#/paths/~1spaces/get: no tag" in err
    assert err.strip().splitlines()[-1].endswith("3 problems; nothing was generated")


def test_structural_and_generator_problems_come_together(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = real_spec()
    del spec["info"]["title"]
    del spec["paths"]["/account"]["get"]["operationId"]
    spec["paths"]["/spaces"]["get"]["tags"] = []
    spec["components"]["schemas"]["Space"]["properties"]["id"]["type"] = "int"
    code = run("--spec", write_spec(tmp_path / "bad.yaml", spec), "--out", tmp_path / "out")
    lines = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert lines[:-1] == [
        "#/components/schemas/Space/properties/id/type: "
        "'int' is not valid under any of the given schemas",
        '#/info: "title" is a required property',
        "#/paths/~1account/get: no operationId: the generator names methods after it",
        "#/paths/~1spaces/get: no tag: the generator groups methods into resources by tag",
    ]
    assert lines[-1].endswith("bad.yaml: 4 problems; nothing was generated")
    assert not (tmp_path / "out").exists()


def test_generator_level_problems_are_all_reported(tmp_path: Path) -> None:
    spec = real_spec()
    del spec["paths"]["/account"]["get"]["operationId"]
    spec["paths"]["/spaces"]["get"]["tags"] = []
    spec["paths"]["/customers"]["get"]["parameters"].append(
        {"name": "session", "in": "cookie", "schema": {"type": "string"}}
    )
    spec["paths"]["/customers/{id}"]["get"]["x-method-name"] = "list"
    with pytest.raises(SpecError) as caught:
        build_api(load_model(write_spec(tmp_path / "bad.yaml", spec)))
    found = {(p.pointer, p.message.split(":")[0]) for p in caught.value.problems}
    assert found == {
        ("/paths/~1account/get", "no operationId"),
        ("/paths/~1spaces/get", "no tag"),
        ("/paths/~1customers/get/parameters/3", "cookie parameters are not supported"),
        (
            "/paths/~1customers~1{id}/get",
            "method name 'list' of resource 'customers' is also taken by "
            "'listCustomers'; set x-method-name",
        ),
    }


def test_yaml_errors_name_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("openapi: 3.1.0\ninfo: [unclosed\n", encoding="utf-8")
    assert run("--spec", bad, "--out", tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert err.startswith("#: not valid YAML (line ")
    assert "Traceback" not in err


def test_a_missing_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("--spec", tmp_path / "nope.yaml", "--out", tmp_path / "out") == 2
    assert capsys.readouterr().err.splitlines()[0].startswith("#: cannot read ")


def test_not_openapi_31(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = real_spec()
    spec["openapi"] = "3.0.3"
    assert run("--spec", write_spec(tmp_path / "s.yaml", spec), "--out", tmp_path / "out") == 2
    assert capsys.readouterr().err.startswith("#/openapi: expected an OpenAPI 3.1 document")


def test_a_failing_render_leaves_the_output_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out"
    before = _existing_output(out)

    def explode(ctx: EmitContext) -> dict[str, str]:
        raise RuntimeError("template bug")

    api = build_api(load_model(Path(__file__).resolve().parents[2] / "spec" / "openapi.yaml"))
    with pytest.raises(RuntimeError):
        write_mod.write(Emitter("python", "python", explode), EmitContext(api, {}), out)
    assert _snapshot(out) == before
    assert sorted(p.name for p in out.iterdir()) == ["python"]  # no staging folders left behind


def test_another_datamodel_code_generator_version_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import generator.models as models

    monkeypatch.setattr(models.importlib.metadata, "version", lambda name: "0.1.0")
    out = tmp_path / "out"
    before = _existing_output(out)
    assert run("--only", "python", "--out", out) == 1
    err = capsys.readouterr().err
    assert (
        "datamodel-code-generator 0.1.0 is installed but the generator is pinned to 0.89.0" in err
    )
    assert "Traceback" not in err and _snapshot(out) == before
