"""Pydantic models from the spec's component schemas, by datamodel-code-generator (pinned).

Two things are prepared here before datamodel-code-generator runs, so the models stay forward
compatible: a discriminated `oneOf` (e.g. `Event`) is left out of its input and referenced by name,
because the generated module defines it itself as a union with a fallback model for tags this
client does not know (`UnknownEvent`); and that fallback model's schema is added to the input.
"""

from __future__ import annotations

import copy
import importlib.metadata
import json
import warnings
from typing import Any

import datamodel_code_generator as dmcg
from datamodel_code_generator.format import Formatter, PythonVersion

from spaces_toolkit.spec import Spec

from . import ir

__all__ = ["DMCG_VERSION", "generate_models", "dmcg_input"]

DMCG_VERSION = "0.89.0"  # pinned exactly in pyproject.toml: its output changes between versions
_OPTIONS: dict[str, Any] = {
    "input_file_type": dmcg.InputFileType.OpenAPI,
    "output_model_type": dmcg.DataModelType.PydanticV2BaseModel,
    "target_python_version": PythonVersion.PY_311,
    "disable_timestamp": True,
    "use_field_description": True,
    "use_schema_description": True,
    "extra_fields": "allow",  # responses with fields this client does not know still parse
    "use_union_operator": True,
    "use_standard_collections": True,
    "use_specialized_enum": True,
    "collapse_root_models": True,
    "use_annotated": True,
    "keep_model_order": True,
    "formatters": [Formatter.BUILTIN],
    "custom_file_header": f"# Models: datamodel-code-generator {DMCG_VERSION}.",
    "additional_imports": [
        "typing.Annotated",
        "typing.Any",
        "collections.abc.Callable",
        "enum.Enum",
        "pydantic.Discriminator",
        "pydantic.Tag",
    ],
}


def dmcg_input(document: dict[str, Any], api: ir.Api) -> dict[str, Any]:
    """The OpenAPI document datamodel-code-generator reads: component schemas, unions taken out."""
    schemas = copy.deepcopy((document.get("components") or {}).get("schemas") or {})
    unions = {m.name: m for m in api.models if m.kind == "union"}
    for name, model in unions.items():
        del schemas[name]
        if model.unknown_variant:
            schemas[model.unknown_variant] = _unknown_schema(model, document)

    def replace(node: Any) -> Any:
        if isinstance(node, dict):
            target = Spec.schema_name(node)
            if target is not None and target in unions:
                stand_in = {k: replace(v) for k, v in node.items() if k != "$ref"}
                stand_in.setdefault("description", unions[target].description)
                return {**stand_in, "type": "object", "x-python-type": target}
            return {k: replace(v) for k, v in node.items()}
        if isinstance(node, list):
            return [replace(v) for v in node]
        return node

    return {
        "openapi": "3.1.0",
        "info": {"title": "models", "version": "0"},
        "paths": {},
        "components": {"schemas": replace(schemas)},
    }


def _unknown_schema(model: ir.Model, document: dict[str, Any]) -> dict[str, Any]:
    """A schema for variants whose discriminator this client does not know: the common fields."""
    schemas = document["components"]["schemas"]
    variants = [schemas[v.model] for v in model.variants]
    first = variants[0].get("properties") or {}
    common = {
        k: v
        for k, v in first.items()
        if k != model.discriminator
        and all((s.get("properties") or {}).get(k) == v for s in variants)
    }
    required = [k for k in common if all(k in (s.get("required") or ()) for s in variants)]
    disc = model.discriminator or "type"
    return {
        "type": "object",
        "description": f"An `{model.name}` whose `{disc}` this client does not know "
        "(added to the API after "
        "the client was generated). Its fields are kept as they are.",
        "required": [disc, *required],
        "properties": {
            disc: {"type": "string", "description": f"The `{disc}`, not one this client knows."},
            **common,
        },
    }


def _check_version() -> None:
    installed = importlib.metadata.version("datamodel-code-generator")
    if installed != DMCG_VERSION:  # its output differs between versions: `make check` would drift
        raise RuntimeError(
            f"datamodel-code-generator {installed} is installed but the generator is pinned to "
            f"{DMCG_VERSION}; run `make .venv/.installed`"
        )


def generate_models(document: dict[str, Any], api: ir.Api) -> str:
    """The models module's code as datamodel-code-generator writes it."""
    _check_version()
    source = json.dumps(dmcg_input(document, api), sort_keys=False)
    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore"
        )  # e.g. "Pydantic does not take pattern on AnyUrl": not ours to fix
        code = dmcg.generate(source, **_OPTIONS)
    if not isinstance(code, str):
        raise RuntimeError("datamodel-code-generator produced several modules; expected one")
    return code
