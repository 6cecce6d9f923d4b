"""What the contract suite needs to know about spec/openapi.yaml, read from the spec itself.

Nothing here names a path or a field of the Spaces API: list operations are the GET operations
whose 200 body is a `{"object": "list", ...}` envelope, and the way from a listed object to its
retrieve operation is the spec's own `links` (`$response.body#/data/0/...`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spaces_toolkit.spec import SPEC_PATH, load_spec, resolve

__all__ = [
    "Operation",
    "ListOperation",
    "ApiModel",
    "load_model",
    "expected_object_problems",
]

_DATA_ITEM = "$response.body#/data/0/"


@dataclass(frozen=True)
class Operation:
    """One operation of the spec, as the suite addresses it."""

    method: str
    path: str
    operation_id: str
    path_params: tuple[str, ...]
    body_media_types: tuple[str, ...]
    success_schema: Any

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class ListOperation:
    """A paginated list, and how its objects are retrieved one by one (if the spec links it)."""

    operation: Operation
    cursor_is_integer: bool
    retrieve: Operation | None = None
    # retrieve path parameter -> JSON pointer inside one listed object
    retrieve_params: tuple[tuple[str, str], ...] = ()

    @property
    def path(self) -> str:
        return self.operation.path

    @property
    def label(self) -> str:
        return self.operation.label


@dataclass(frozen=True)
class ApiModel:
    spec: dict[str, Any]
    operations: tuple[Operation, ...]
    lists: tuple[ListOperation, ...] = field(default=())

    def by_id(self, operation_id: str) -> Operation:
        for op in self.operations:
            if op.operation_id == operation_id:
                return op
        raise KeyError(operation_id)

    def by_label(self, label: str) -> Operation | None:
        return next((op for op in self.operations if op.label == label), None)


def _iter_operations(spec: dict[str, Any]) -> Iterator[tuple[Operation, dict[str, Any]]]:
    for path, item in spec.get("paths", {}).items():
        for method, raw in item.items():
            if method not in {"get", "put", "post", "delete", "patch"}:
                continue
            params = [
                resolve(spec, p) for p in item.get("parameters", []) + raw.get("parameters", [])
            ]
            body = resolve(spec, raw.get("requestBody", {}))
            ok = resolve(spec, raw.get("responses", {}).get("200", {}))
            schema = ok.get("content", {}).get("application/json", {}).get("schema")
            yield (
                Operation(
                    method=method.upper(),
                    path=path,
                    operation_id=raw["operationId"],
                    path_params=tuple(p["name"] for p in params if p.get("in") == "path"),
                    body_media_types=tuple(body.get("content", {})),
                    success_schema=schema,
                ),
                raw,
            )


def _is_list_envelope(spec: dict[str, Any], schema: Any) -> bool:
    schema = resolve(spec, schema)
    if not isinstance(schema, dict):
        return False
    props = schema.get("properties", {})
    kind = resolve(spec, props.get("object", {}))
    return kind.get("const") == "list" and "data" in props and "has_more" in props


def _cursor_is_integer(spec: dict[str, Any], raw: dict[str, Any]) -> bool:
    for param in raw.get("parameters", []):
        param = resolve(spec, param)
        if param.get("name") == "starting_after":
            return resolve(spec, param.get("schema", {})).get("type") == "integer"
    return False


@functools.cache
def _load(path: str) -> ApiModel:
    spec = load_spec(Path(path))
    pairs = list(_iter_operations(spec))
    operations = tuple(op for op, _ in pairs)
    by_id = {op.operation_id: op for op in operations}
    lists = []
    for op, raw in pairs:
        if op.method != "GET" or not _is_list_envelope(spec, op.success_schema):
            continue
        retrieve: Operation | None = None
        params: tuple[tuple[str, str], ...] = ()
        links = resolve(spec, raw["responses"]["200"]).get("links", {})
        for link in links.values():
            values = link.get("parameters", {})
            target = by_id.get(link.get("operationId", ""))
            if target is None or not values:
                continue
            if all(isinstance(v, str) and v.startswith(_DATA_ITEM) for v in values.values()):
                retrieve = target
                params = tuple((k, "/" + v[len(_DATA_ITEM) :]) for k, v in values.items())
                break
        lists.append(ListOperation(op, _cursor_is_integer(spec, raw), retrieve, params))
    return ApiModel(spec=spec, operations=operations, lists=tuple(lists))


def load_model(path: Path = SPEC_PATH) -> ApiModel:
    return _load(str(path))


def _pick_branch(spec: dict[str, Any], schema: dict[str, Any], instance: Any) -> Any:
    """The oneOf/anyOf branch an instance is meant to be (by discriminator, `const`s or type)."""
    branches = schema.get("oneOf") or schema.get("anyOf") or []
    disc = schema.get("discriminator")
    if disc and isinstance(instance, dict):
        target = disc.get("mapping", {}).get(str(instance.get(disc["propertyName"])))
        if target:
            return resolve(spec, {"$ref": target})
    candidates = []
    for branch in branches:
        branch = resolve(spec, branch)
        if branch.get("type") == "null":
            if instance is None:
                return branch
            continue
        if isinstance(instance, dict) and branch.get("type", "object") == "object":
            consts = {
                k: resolve(spec, v).get("const")
                for k, v in branch.get("properties", {}).items()
                if "const" in resolve(spec, v)
            }
            if all(instance.get(k) == v for k, v in consts.items() if k != "object"):
                candidates.append(branch)
    return candidates[0] if candidates else None


def expected_object_problems(
    spec: dict[str, Any], schema: Any, instance: Any, pointer: str = ""
) -> list[str]:
    """Every place where an object's `object` field does not name the type the spec gives it."""
    schema = resolve(spec, schema)
    if not isinstance(schema, dict):
        return []
    if "oneOf" in schema or "anyOf" in schema:
        branch = _pick_branch(spec, schema, instance)
        return [] if branch is None else expected_object_problems(spec, branch, instance, pointer)
    problems: list[str] = []
    if isinstance(instance, dict):
        props = schema.get("properties", {})
        kind = resolve(spec, props.get("object", {})).get("const")
        where = pointer or "/"
        if kind is not None:
            if "object" not in instance:
                problems.append(f"{where}: no `object` field (expected {kind!r})")
            elif instance["object"] != kind:
                problems.append(f"{where}: `object` is {instance['object']!r}, expected {kind!r}")
        for name, sub in props.items():
            # `object` is the type name, except in an event's `data`, where it holds the object.
            if name in instance and (name != "object" or isinstance(instance[name], dict)):
                problems += expected_object_problems(spec, sub, instance[name], f"{pointer}/{name}")
    elif isinstance(instance, list) and "items" in schema:
        for i, item in enumerate(instance):
            problems += expected_object_problems(spec, schema["items"], item, f"{pointer}/{i}")
    return problems
