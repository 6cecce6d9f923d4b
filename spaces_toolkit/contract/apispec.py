"""What the contract suite needs to know about the spec: a view over the spec model.

The suite's one door to spec facts. Everything comes from `spaces_toolkit.spec` (which loads,
validates and resolves the document; nothing here parses YAML or follows a `$ref` itself):
operations, declared statuses, parameters and their bounds, request bodies (media types and the
spec's example), list operations (page-size parameter with its minimum, maximum and default,
forward/backward cursor parameters and their type, the cursor field), the link from a listed
object to its retrieve operation (the spec's own `links`, `$response.body#/data/0/...`), and the
auth scheme. No path, parameter name, bound or field of the Spaces API is written here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spaces_toolkit import spec as specmodel
from spaces_toolkit.spec import SPEC_PATH, Spec, SpecError

__all__ = [
    "ApiModel",
    "Bounds",
    "ListOperation",
    "Operation",
    "Parameter",
    "SpecError",
    "SpecProblem",
    "expected_object_problems",
    "load_model",
    "model_of",
]


class SpecProblem(ValueError):
    """The spec lacks a fact the suite needs (e.g. a list without a page-size parameter)."""


@dataclass(frozen=True)
class Parameter:
    """A query or path parameter and its (resolved) schema."""

    name: str
    location: str
    schema: Any
    required: bool = False


@dataclass(frozen=True)
class Operation:
    """One operation of the spec, as the suite addresses it."""

    method: str
    path: str
    operation_id: str
    path_params: tuple[str, ...]
    body_media_types: tuple[str, ...]
    success_schema: Any  # as written (with `$ref`s): checks walk it through the model
    statuses: tuple[str, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    body_example: Any = None
    body_schema: Any = None  # resolved
    links: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


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
    # The listed objects' properties a cursor names, in order of preference (the spec model's
    # declaration per list: e.g. `id`, else `token`): an object's cursor is the first it has.
    cursor_fields: tuple[str, ...]
    retrieve: Operation | None = None
    link_name: str | None = None
    cursor_maximum: int | None = None  # the largest cursor the spec allows (integer cursors)
    # retrieve path parameter -> JSON pointer inside one listed object
    retrieve_params: tuple[tuple[str, str], ...] = ()
    envelope_pointer: str = ""  # where the page's schema is, in the document

    @property
    def cursor_field(self) -> str:
        return self.cursor_fields[0]

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
        """The cursor naming a listed object (None if it has none of the cursor fields)."""
        if isinstance(obj, dict):
            for name in self.cursor_fields:
                if obj.get(name) is not None and obj.get(name) != "":
                    return obj[name]
        return None


@dataclass(frozen=True)
class ApiModel:
    spec: Spec
    operations: tuple[Operation, ...]
    lists: tuple[ListOperation, ...] = field(default=())
    auth_scheme: str = "basic"  # the HTTP auth scheme of `securitySchemes`

    @property
    def document(self) -> dict[str, Any]:
        """The parsed document itself (what Schemathesis is given)."""
        return self.spec.content

    def by_id(self, operation_id: str) -> Operation:
        for op in self.operations:
            if op.operation_id == operation_id:
                return op
        raise KeyError(operation_id)

    def by_label(self, label: str) -> Operation | None:
        return next((op for op in self.operations if op.label == label), None)

    def list_for(self, label: str) -> ListOperation | None:
        return self._lists_by_label.get(label)

    @functools.cached_property
    def _lists_by_label(self) -> dict[str, ListOperation]:
        """(Asked for every response a check reads: a look-up, not a scan of every list.)"""
        found: dict[str, ListOperation] = {}
        for lst in self.lists:
            found.setdefault(lst.label, lst)
        return found


def _operation(op: specmodel.Operation) -> Operation:
    success = op.success
    media = success.media() if success else None
    body = op.request_body
    first = body.content[0] if body and body.content else None
    return Operation(
        method=op.method,
        path=op.path,
        operation_id=op.operation_id or op.label,
        path_params=tuple(p.name for p in op.params_in("path")),
        body_media_types=body.media_types if body else (),
        success_schema=media.schema.node if media and media.schema else None,
        statuses=tuple(r.status for r in op.responses),
        parameters=tuple(
            Parameter(p.name, str(p.location), p.schema.resolved, p.required)
            for p in op.parameters
            if p.location in {"path", "query"}
        ),
        body_example=_body_example(body),
        body_schema=first.schema.resolved if first and first.schema else None,
        links=tuple(link.name for link in success.links) if success else (),
    )


def _body_example(body: specmodel.RequestBody | None) -> Any:
    """The first example the spec gives for a request body (a JSON media type first)."""
    if body is None:
        return None
    for media in sorted(body.content, key=lambda m: "json" not in m.media_type):
        if media.examples:
            return media.examples[0].value
        for example in (media.schema.get("examples") or []) if media.schema else []:
            return example
    return None


def _page_size(lst: specmodel.ListOperation) -> Bounds:
    param = lst.limit
    if param is None or param.bounds.minimum is None or param.bounds.maximum is None:
        raise SpecProblem(f"{lst.label}: a list without a bounded page-size parameter")
    low, high = int(param.bounds.minimum), int(param.bounds.maximum)
    return Bounds(param.name, low, high, int(param.default) if param.has_default else high)


def _retrieve_link(
    lst: specmodel.ListOperation, by_id: dict[str, Operation]
) -> tuple[Operation | None, str | None, tuple[tuple[str, str], ...]]:
    """The first of the model's item links (one listed item fed to another operation)."""
    for link in lst.item_links:
        target = by_id.get(link.operation_id)
        if target is not None and link.parameters:
            return target, link.name, link.parameters
    return None, None, ()


def _int_or_none(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) else None


def _auth_scheme(spec: Spec) -> str:
    http = [s for s in spec.security_schemes if s.type == "http"]
    if len(http) != 1 or http[0].scheme != "basic":
        raise SpecProblem("the suite speaks one auth scheme: HTTP Basic (securitySchemes)")
    return http[0].scheme


def _cursor_fields(lst: specmodel.ListOperation) -> tuple[str, ...]:
    """The cursor fields the spec model declares for a list (one, or several in order)."""
    declared = getattr(lst, "cursor_fields", None)
    if declared:
        return tuple(declared)
    return (lst.cursor_field,)


def model_of(spec: Spec) -> ApiModel:
    operations = tuple(_operation(op) for op in spec.operations)
    by_label = {op.label: op for op in operations}
    by_id = {op.operation_id: op for op in operations}
    lists = []
    for lst in spec.lists:
        retrieve, link_name, params = _retrieve_link(lst, by_id)
        lists.append(
            ListOperation(
                operation=by_label[lst.label],
                cursor_is_integer=lst.cursor_type == "integer",
                limit=_page_size(lst),
                after=lst.after.name,
                before=lst.before.name if lst.before else None,
                cursor_fields=_cursor_fields(lst),
                retrieve=retrieve,
                link_name=link_name,
                cursor_maximum=_int_or_none(lst.after.bounds.maximum),
                retrieve_params=params,
                envelope_pointer=lst.envelope.target,
            )
        )
    return ApiModel(spec, operations, tuple(lists), _auth_scheme(spec))


@functools.cache
def _load(source: str) -> ApiModel:
    spec = specmodel.default_spec() if source == str(SPEC_PATH) else specmodel.load(source)
    return model_of(spec)


def load_model(source: Path | str = SPEC_PATH) -> ApiModel:
    """The model of the spec at a path or URL (cached per source). Raises SpecError or
    SpecProblem when the document cannot be used."""
    return _load(str(source))


def _pick_branch(spec: Spec, schema: dict[str, Any], instance: Any) -> Any:
    """The oneOf/anyOf branch an instance is meant to be (by discriminator, `const`s or type)."""
    branches = schema.get("oneOf") or schema.get("anyOf") or []
    disc = schema.get("discriminator")
    if disc and isinstance(instance, dict):
        target = disc.get("mapping", {}).get(str(instance.get(disc["propertyName"])))
        if target:
            return spec.resolve({"$ref": target})
    candidates = []
    for branch in branches:
        branch = spec.resolve(branch)
        if branch.get("type") == "null":
            if instance is None:
                return branch
            continue
        if isinstance(instance, dict) and branch.get("type", "object") == "object":
            consts = {
                k: spec.resolve(v).get("const")
                for k, v in branch.get("properties", {}).items()
                if "const" in spec.resolve(v)
            }
            if all(instance.get(k) == v for k, v in consts.items() if k != "object"):
                candidates.append(branch)
    return candidates[0] if candidates else None


def expected_object_problems(
    spec: Spec, schema: Any, instance: Any, pointer: str = ""
) -> list[str]:
    """Every place where an object's `object` field does not name the type the spec gives it."""
    schema = spec.resolve(schema)
    if not isinstance(schema, dict):
        return []
    if "oneOf" in schema or "anyOf" in schema:
        branch = _pick_branch(spec, schema, instance)
        return [] if branch is None else expected_object_problems(spec, branch, instance, pointer)
    problems: list[str] = []
    if isinstance(instance, dict):
        props = schema.get("properties", {})
        kind = spec.resolve(props.get("object", {})).get("const")
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
