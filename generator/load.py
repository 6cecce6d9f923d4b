"""Load the spec and validate it: every problem comes back with its JSON pointer."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from openapi_spec_validator import OpenAPIV31SpecValidator

from .naming import join_pointer

__all__ = [
    "LoadedSpec",
    "Problem",
    "SpecError",
    "load_spec",
    "read_spec",
    "resolve_pointer",
    "validate",
]


@dataclass(frozen=True, order=True)
class Problem:
    pointer: str  # JSON pointer into the spec; "" is the whole document
    message: str

    def __str__(self) -> str:
        return f"#{self.pointer}: {self.message}"


class SpecError(Exception):
    """The spec cannot be generated from; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class LoadedSpec:
    document: dict[str, Any]
    sha256: str  # of the file's bytes
    label: str  # how generated files name the spec (relative, never absolute)


def load_spec(path: Path) -> LoadedSpec:
    """Read, parse and validate `path`. Raises SpecError listing every problem found."""
    spec = read_spec(path)
    problems = validate(spec.document)
    if problems:
        raise SpecError(problems)
    return spec


def read_spec(path: Path) -> LoadedSpec:
    """Read and parse `path`, without validating it. Raises SpecError if it is not a mapping."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SpecError([Problem("", f"cannot read {path}: {exc.strerror or exc}")]) from None
    try:
        document = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise SpecError([Problem("", f"not valid YAML{where}: {problem}")]) from None
    if not isinstance(document, dict):
        raise SpecError([Problem("", "not an OpenAPI document (expected a mapping at the top)")])
    return LoadedSpec(document, hashlib.sha256(raw).hexdigest(), spec_label(path))


def spec_label(path: Path) -> str:
    """The spec's path relative to the working directory, or its file name if outside it."""
    try:
        return (
            Path(os.path.relpath(path.resolve(), Path.cwd())).as_posix()
            if _inside_cwd(path)
            else path.name
        )
    except ValueError:
        return path.name


def _inside_cwd(path: Path) -> bool:
    return path.resolve().is_relative_to(Path.cwd().resolve())


def resolve_pointer(document: Any, pointer: str) -> Any:
    """The value at a JSON pointer ('' is the document). Raises KeyError/IndexError if absent."""
    node = document
    if not pointer:
        return node
    for token in pointer[1:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list):
            node = node[int(token)]
        elif isinstance(node, dict):
            node = node[token]
        else:
            raise KeyError(token)
    return node


def validate(document: dict[str, Any]) -> list[Problem]:
    version = str(document.get("openapi", ""))
    if not version.startswith("3.1"):
        return [Problem("/openapi", f"expected an OpenAPI 3.1 document, found {version!r}")]
    problems = list(_ref_problems(document))
    if problems:  # the validator cannot walk through a dangling reference
        return problems
    validator = OpenAPIV31SpecValidator(document)
    try:
        for error in validator.iter_errors():
            problems.append(_to_problem(document, error))
    except Exception as exc:  # noqa: BLE001 - a validator crash is one more problem to report
        problems.append(Problem("", f"validator stopped: {type(exc).__name__}: {exc}"))
    return problems


def _walk(node: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    yield pointer, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, f"{pointer}{join_pointer(str(key))}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{pointer}/{index}")


def _ref_problems(document: dict[str, Any]) -> Iterator[Problem]:
    for pointer, node in _walk(document):
        if not isinstance(node, dict) or not isinstance(node.get("$ref"), str):
            continue
        ref = node["$ref"]
        if not ref.startswith("#"):
            yield Problem(f"{pointer}/$ref", f"only local references are supported: {ref}")
            continue
        try:
            resolve_pointer(document, ref[1:])
        except (KeyError, IndexError, ValueError):
            yield Problem(f"{pointer}/$ref", f"reference to nothing: {ref}")


_WHERE = re.compile(r"for '(\w+)' (?:operation )?in '([^']+)'")


def _to_problem(document: dict[str, Any], error: Any) -> Problem:
    message = str(getattr(error, "message", None) or error).strip().splitlines()[0]
    path = [str(p) for p in getattr(error, "absolute_path", ()) or ()]
    if path and path[0] in document:
        return Problem(join_pointer(*path), message)
    if path:  # a schema error, with its path relative to the schema it is in
        instance = getattr(error, "instance", None)
        for schema_pointer in _schema_pointers(document):
            try:
                found = resolve_pointer(document, schema_pointer + join_pointer(*path))
            except (KeyError, IndexError, ValueError):
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
    for pointer, node in _walk(document):
        if isinstance(node, dict) and isinstance(node.get("schema"), dict):
            yield f"{pointer}/schema"
