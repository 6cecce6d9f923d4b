"""The one place that loads spec/openapi.yaml and validates values against its schemas."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

__all__ = [
    "SPEC_PATH",
    "SPEC_URI",
    "iter_examples",
    "load_document",
    "load_spec",
    "resolve",
    "validator_at",
]

SPEC_PATH = Path(__file__).resolve().parent.parent / "spec" / "openapi.yaml"
SPEC_URI = "urn:spaces-api:openapi"


@functools.cache
def load_spec(path: Path = SPEC_PATH) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        spec = yaml.safe_load(fh)
    if not isinstance(spec, dict):
        raise ValueError(f"{path}: not an OpenAPI document")
    return spec


def load_document(text: str | bytes, source: str) -> dict[str, Any]:
    """Parse an OpenAPI document from YAML/JSON text (a URL's body, a git revision's blob).

    Raises ValueError naming `source` when the text is not YAML or not a mapping.
    """
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ValueError(f"{source}: not valid YAML{where}") from None
    if not isinstance(document, dict):
        raise ValueError(f"{source}: not an OpenAPI document (expected a mapping at the top)")
    return document


def _registry(spec: dict[str, Any]) -> Registry:
    return Registry().with_resource(SPEC_URI, Resource.from_contents(spec, DRAFT202012))


def validator_at(pointer: str, spec: dict[str, Any] | None = None) -> Draft202012Validator:
    """A JSON Schema validator for the schema at `pointer` (e.g. '/components/schemas/Customer')."""
    spec = load_spec() if spec is None else spec
    return Draft202012Validator(
        {"$ref": f"{SPEC_URI}#{pointer}"},
        registry=_registry(spec),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def resolve(spec: dict[str, Any], node: Any) -> Any:
    """Follow local `$ref`s until a node that is not a reference."""
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            raise ValueError(f"only local $refs are supported: {ref}")
        node = spec
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def iter_examples(spec: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """Yield (where, schema_pointer, example) for every example the document carries.

    Covers examples on schemas, on media types (inline or through components/examples) and on
    parameters, so a test can check each against the schema it illustrates.
    """

    def walk(node: Any, pointer: str) -> Iterator[tuple[str, str, Any]]:
        if isinstance(node, dict):
            in_schemas = pointer.startswith("/components/schemas/") and pointer.count("/") == 3
            if in_schemas:
                for i, example in enumerate(node.get("examples", [])):
                    yield f"{pointer}/examples/{i}", pointer, example
            if "schema" in node and ("example" in node or "examples" in node):
                schema_ptr = f"{pointer}/schema"
                if "example" in node:
                    yield f"{pointer}/example", schema_ptr, node["example"]
                for name, ex in (node.get("examples") or {}).items():
                    yield (
                        f"{pointer}/examples/{_escape(name)}",
                        schema_ptr,
                        resolve(spec, ex)["value"],
                    )
            for key, value in node.items():
                yield from walk(value, f"{pointer}/{_escape(str(key))}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from walk(value, f"{pointer}/{i}")

    yield from walk(spec, "")
