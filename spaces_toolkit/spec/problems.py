"""Validating a document as OpenAPI 3.1: every problem comes back with its JSON pointer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .refs import RefError, Resolver, join_pointer, walk

__all__ = ["Problem", "SpecError", "validate_document"]


@dataclass(frozen=True, order=True)
class Problem:
    pointer: str  # JSON pointer into the document; "" is the whole document
    message: str

    def __str__(self) -> str:
        return f"#{self.pointer}: {self.message}"


class SpecError(Exception):
    """The document cannot be used; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


def validate_document(document: dict[str, Any]) -> list[Problem]:
    """Every problem of an OpenAPI 3.1 document: references first (the validator cannot walk
    through a dangling one), then openapi-spec-validator's findings."""
    version = str(document.get("openapi", ""))
    if not version.startswith("3.1"):
        return [Problem("/openapi", f"expected an OpenAPI 3.1 document, found {version!r}")]
    problems = list(_ref_problems(document))
    if problems:
        return problems
    from openapi_spec_validator import OpenAPIV31SpecValidator  # slow to import: only when used

    validator = OpenAPIV31SpecValidator(document)
    try:
        for error in validator.iter_errors():
            problems.append(_to_problem(document, error))
    except Exception as exc:  # noqa: BLE001 - a validator crash is one more problem to report
        problems.append(Problem("", f"validator stopped: {type(exc).__name__}: {exc}"))
    return problems


def _ref_problems(document: dict[str, Any]) -> Iterator[Problem]:
    resolver = Resolver(document)
    for pointer, node in walk(document):
        if not isinstance(node, dict) or not isinstance(node.get("$ref"), str):
            continue
        try:
            resolver.target_pointer(node["$ref"])
        except RefError as exc:
            yield Problem(f"{pointer}/$ref", str(exc))


_WHERE = re.compile(r"for '(\w+)' (?:operation )?in '([^']+)'")


def _to_problem(document: dict[str, Any], error: Any) -> Problem:
    message = str(getattr(error, "message", None) or error).strip().splitlines()[0]
    path = [str(p) for p in getattr(error, "absolute_path", ()) or ()]
    if path and path[0] in document:
        return Problem(join_pointer(*path), message)
    if path:  # a schema error, with its path relative to the schema it is in
        resolver = Resolver(document)
        instance = getattr(error, "instance", None)
        for schema_pointer in _schema_pointers(document):
            try:
                found = resolver.lookup(schema_pointer + join_pointer(*path))
            except RefError:
                continue
            if found == instance:
                return Problem(schema_pointer + join_pointer(*path), message)
        return Problem("", f"in a schema, at {'/'.join(path)}: {message}")
    where = _WHERE.search(message)
    if where:
        method, route = where.groups()
        return Problem(join_pointer("paths", route, method), message)
    return Problem("", message)


def _schema_pointers(document: dict[str, Any]) -> Iterator[str]:
    for name in (document.get("components") or {}).get("schemas") or {}:
        yield join_pointer("components", "schemas", name)
    for pointer, node in walk(document):
        if isinstance(node, dict) and isinstance(node.get("schema"), dict):
            yield f"{pointer}/schema"
