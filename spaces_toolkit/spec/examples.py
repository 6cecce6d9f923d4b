"""Every example a document carries, with the schema it illustrates."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .refs import Resolver, escape_token

__all__ = ["iter_examples"]


def iter_examples(spec: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """Yield (where, schema_pointer, example) for every example the document carries.

    Covers examples on schemas, on media types (inline or through components/examples) and on
    parameters, so a test can check each against the schema it illustrates.
    """
    resolver = Resolver(spec)

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
                        f"{pointer}/examples/{escape_token(name)}",
                        schema_ptr,
                        resolver.resolve(ex)["value"],
                    )
            for key, value in node.items():
                yield from walk(value, f"{pointer}/{escape_token(str(key))}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from walk(value, f"{pointer}/{i}")

    yield from walk(spec, "")
