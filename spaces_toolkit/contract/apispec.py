"""What the contract suite needs to know about the spec, read from the spec the run uses.

This is the suite's ONE reader of spec facts: nothing elsewhere in the suite names a path, a
parameter, a bound or a field of the Spaces API. List operations are the GET operations whose 200
body is a `{"object": "list", ...}` envelope; their page size is the integer query parameter with
bounds (its minimum, maximum and default come from its schema); their cursors are the other query
parameters (the one named for "after" walks forwards); the cursor field is the listed objects'
property the cursor's description names; the way from a listed object to its retrieve operation
is the spec's own `links` (`$response.body#/data/0/...`). Request bodies come from the spec's
examples, the auth scheme from `securitySchemes`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spaces_toolkit.spec import SPEC_PATH, load_spec, resolve

__all__ = [
    "ApiModel",
    "Bounds",
    "ListOperation",
    "Operation",
    "Parameter",
    "SpecProblem",
    "expected_object_problems",
    "load_model",
]


class SpecProblem(ValueError):
    """The spec lacks a fact the suite needs (e.g. a list without a page-size parameter)."""


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
    statuses: tuple[str, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    body_example: Any = None
    body_schema: Any = None

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class Parameter:
    """A query or path parameter and its (resolved) schema."""

    name: str
    location: str
    schema: Any
    required: bool = False


@dataclass(frozen=True)
class Bounds:
    """The page-size parameter of a list: its name and the bounds its schema gives."""

    name: str
    minimum: int
    maximum: int
    default: int


@dataclass(frozen=True)
class ListOperation:
    """A paginated list, and how its objects are retrieved one by one (if the spec links it)."""

    operation: Operation
    cursor_is_integer: bool
    limit: Bounds
    after: str  # the cursor parameter that pages forwards
    before: str | None  # ... and backwards, if the list has one
    cursor_field: str  # the listed objects' property a cursor names
    retrieve: Operation | None = None
    link_name: str | None = None
    # retrieve path parameter -> JSON pointer inside one listed object
    retrieve_params: tuple[tuple[str, str], ...] = ()

    @property
    def path(self) -> str:
        return self.operation.path

    @property
    def label(self) -> str:
        return self.operation.label

    @property
    def cursors(self) -> tuple[str, ...]:
        return (self.after,) if self.before is None else (self.after, self.before)

    def cursor_of(self, obj: Any) -> Any:
        """The cursor naming a listed object (None if it lacks the cursor field)."""
        if isinstance(obj, dict) and obj.get(self.cursor_field) is not None:
            return obj[self.cursor_field]
        return None


@dataclass(frozen=True)
class ApiModel:
    spec: dict[str, Any]
    operations: tuple[Operation, ...]
    lists: tuple[ListOperation, ...] = field(default=())
    auth_scheme: str = "basic"  # the HTTP auth scheme of `securitySchemes`

    def list_for(self, label: str) -> ListOperation | None:
        return next((lst for lst in self.lists if lst.label == label), None)

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
            media = body.get("content", {})
            yield (
                Operation(
                    method=method.upper(),
                    path=path,
                    operation_id=raw["operationId"],
                    path_params=tuple(p["name"] for p in params if p.get("in") == "path"),
                    body_media_types=tuple(media),
                    success_schema=schema,
                    statuses=tuple(str(code) for code in raw.get("responses", {})),
                    parameters=tuple(
                        Parameter(
                            p["name"],
                            p.get("in", ""),
                            _deref(spec, p.get("schema", {})),
                            bool(p.get("required")),
                        )
                        for p in params
                    ),
                    body_example=_body_example(spec, media),
                    body_schema=_deref(spec, next(iter(media.values()), {}).get("schema")),
                ),
                raw,
            )


def _deref(spec: dict[str, Any], node: Any) -> Any:
    """`node` with every local $ref inside it replaced by its target (recursion-safe)."""

    def walk(value: Any, seen: tuple[str, ...]) -> Any:
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str):
                if ref in seen:
                    return {}
                return walk(resolve(spec, value), (*seen, ref))
            return {k: walk(v, seen) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, seen) for v in value]
        return value

    return walk(node, ())


def _body_example(spec: dict[str, Any], media: dict[str, Any]) -> Any:
    """The first example the spec gives for a request body (JSON media type preferred)."""
    for _, content in sorted(media.items(), key=lambda kv: "json" not in kv[0]):
        if "example" in content:
            return content["example"]
        for example in (content.get("examples") or {}).values():
            return resolve(spec, example).get("value")
        schema = resolve(spec, content.get("schema", {}))
        for example in schema.get("examples", []):
            return example
    return None


def _is_list_envelope(spec: dict[str, Any], schema: Any) -> bool:
    schema = resolve(spec, schema)
    if not isinstance(schema, dict):
        return False
    props = schema.get("properties", {})
    kind = resolve(spec, props.get("object", {}))
    return kind.get("const") == "list" and "data" in props and "has_more" in props


def _page_size(op: Operation) -> Bounds:
    for param in op.parameters:
        schema = param.schema
        if param.location == "query" and schema.get("type") == "integer":
            if "minimum" in schema and "maximum" in schema:
                low, high = int(schema["minimum"]), int(schema["maximum"])
                return Bounds(param.name, low, high, int(schema.get("default", high)))
    raise SpecProblem(f"{op.label}: a list without a bounded integer page-size parameter")


def _cursor_params(op: Operation, limit: Bounds) -> tuple[Parameter, Parameter | None]:
    cursors = [p for p in op.parameters if p.location == "query" and p.name != limit.name]
    after = next((p for p in cursors if "after" in p.name.lower()), None)
    before = next((p for p in cursors if "before" in p.name.lower()), None)
    if after is None:
        raise SpecProblem(f"{op.label}: a list without a cursor parameter to page forwards")
    return after, before


def _cursor_field(spec: dict[str, Any], op: Operation, cursor: Parameter) -> str:
    """The listed objects' property a cursor names: the one its description calls it by."""
    envelope = resolve(spec, op.success_schema)
    items = resolve(spec, resolve(spec, envelope["properties"]["data"]).get("items", {}))
    names: set[str] = set()
    for branch in [items, *items.get("oneOf", []), *items.get("anyOf", [])]:
        names |= set(resolve(spec, branch).get("properties", {}))
    raw = next((p for p in _raw_params(spec, op) if p.get("name") == cursor.name), {}).get(
        "description", ""
    )
    # "A cursor: the id of the object to paginate after" -> `id`
    named = [w for w in re.findall(r"\bthe `?(\w+)`? of\b", raw) if w in names]
    if not named:
        raise SpecProblem(
            f"{op.label}: the description of `{cursor.name}` does not say which property of"
            " the listed objects it names ('the <property> of ...')"
        )
    return named[0]


def _raw_params(spec: dict[str, Any], op: Operation) -> list[dict[str, Any]]:
    item = spec["paths"][op.path]
    raw = item[op.method.lower()]
    return [resolve(spec, p) for p in item.get("parameters", []) + raw.get("parameters", [])]


def _auth_scheme(spec: dict[str, Any]) -> str:
    schemes = [
        resolve(spec, s) for s in spec.get("components", {}).get("securitySchemes", {}).values()
    ]
    http = [s for s in schemes if s.get("type") == "http"]
    if len(http) != 1 or str(http[0].get("scheme", "")).lower() != "basic":
        raise SpecProblem("the suite speaks one auth scheme: HTTP Basic (securitySchemes)")
    return "basic"


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
        link_name: str | None = None
        links = resolve(spec, raw["responses"]["200"]).get("links", {})
        for name, link in links.items():
            link = resolve(spec, link)
            values = link.get("parameters", {})
            target = by_id.get(link.get("operationId", ""))
            if target is None or not values:
                continue
            if all(isinstance(v, str) and v.startswith(_DATA_ITEM) for v in values.values()):
                retrieve, link_name = target, name
                params = tuple((k, "/" + v[len(_DATA_ITEM) :]) for k, v in values.items())
                break
        limit = _page_size(op)
        after, before = _cursor_params(op, limit)
        lists.append(
            ListOperation(
                operation=op,
                cursor_is_integer=after.schema.get("type") == "integer",
                limit=limit,
                after=after.name,
                before=None if before is None else before.name,
                cursor_field=_cursor_field(spec, op, after),
                retrieve=retrieve,
                link_name=link_name,
                retrieve_params=params,
            )
        )
    return ApiModel(
        spec=spec, operations=operations, lists=tuple(lists), auth_scheme=_auth_scheme(spec)
    )


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
