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
    "CheckedApi",
    "CheckedOperation",
    "CheckedParameter",
    "ListWalk",
    "PageSize",
    "SpecError",
    "SpecProblem",
    "expected_object_problems",
    "load_model",
    "model_of",
]


class SpecProblem(ValueError):
    """The spec lacks a fact the suite needs (e.g. a list without a page-size parameter)."""


def _view_of() -> Any:
    # The field holding the spec model's object a view is built from (left out of repr: it
    # holds the document's own schema nodes).
    return field(kw_only=True, repr=False)


@dataclass(frozen=True)
class CheckedParameter:
    """A query or path parameter as the suite fills it in: the model's parameter."""

    spec: specmodel.Parameter = _view_of()

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def location(self) -> str:
        return str(self.spec.location)

    @property
    def schema(self) -> Any:
        """Its schema, resolved."""
        return self.spec.schema.resolved

    @property
    def required(self) -> bool:
        return self.spec.required


@dataclass(frozen=True)
class CheckedOperation:
    """One operation of the spec, as the suite addresses and checks it."""

    parameters: tuple[CheckedParameter, ...] = ()  # its path and query parameters
    body_example: Any = None  # the first example the spec gives for its request body
    spec: specmodel.Operation = _view_of()

    @property
    def method(self) -> str:
        return self.spec.method

    @property
    def path(self) -> str:
        return self.spec.path

    @property
    def operation_id(self) -> str:
        return self.spec.operation_id or self.spec.label

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def path_params(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.spec.params_in("path"))

    @property
    def body_media_types(self) -> tuple[str, ...]:
        body = self.spec.request_body
        return body.media_types if body else ()

    @property
    def success_schema(self) -> Any:
        """The success body's schema as written (with `$ref`s): checks walk it through the
        model."""
        success = self.spec.success
        media = success.media() if success else None
        return media.schema.node if media and media.schema else None

    @property
    def statuses(self) -> tuple[str, ...]:
        return tuple(r.status for r in self.spec.responses)

    @property
    def body_schema(self) -> Any:
        """The schema of the request body's first media type, resolved."""
        body = self.spec.request_body
        first = body.content[0] if body and body.content else None
        return first.schema.resolved if first and first.schema else None

    @property
    def links(self) -> tuple[str, ...]:
        success = self.spec.success
        return tuple(link.name for link in success.links) if success else ()


@dataclass(frozen=True)
class PageSize:
    """The page-size parameter of a list: its name and the bounds its schema gives (unlike
    `spec.Bounds`, all three are required and integers: the suite walks by them)."""

    minimum: int
    maximum: int
    default: int
    spec: specmodel.Parameter = _view_of()

    @property
    def name(self) -> str:
        return self.spec.name


@dataclass(frozen=True)
class ListWalk:
    """A paginated list as the suite walks it, and how its objects are retrieved one by one
    (if the spec links it)."""

    operation: CheckedOperation
    limit: PageSize
    retrieve: CheckedOperation | None = None
    link_name: str | None = None
    # retrieve path parameter -> JSON pointer inside one listed object
    retrieve_params: tuple[tuple[str, str], ...] = ()
    spec: specmodel.ListOperation = _view_of()

    @property
    def cursor_is_integer(self) -> bool:
        return self.spec.cursor_type == "integer"

    @property
    def after(self) -> str:
        """The cursor parameter that pages forwards."""
        return self.spec.after.name

    @property
    def before(self) -> str | None:
        """... and backwards, if the list has one."""
        return self.spec.before.name if self.spec.before else None

    @property
    def cursor_fields(self) -> tuple[str, ...]:
        """The listed objects' properties a cursor names, in order of preference (the spec
        model's declaration per list: e.g. `id`, else `token`): an object's cursor is the first
        it has."""
        return self.spec.cursor_fields

    @property
    def cursor_maximum(self) -> int | None:
        """The largest cursor the spec allows (integer cursors)."""
        value = self.spec.after.bounds.maximum
        return int(value) if isinstance(value, int | float) else None

    @property
    def envelope_pointer(self) -> str:
        """Where the page's schema is, in the document."""
        return self.spec.envelope.target

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
        """The cursor naming a listed object (None if it has none of the cursor fields; an
        empty string is none either)."""
        if isinstance(obj, dict):
            for name in self.cursor_fields:
                if obj.get(name) is not None and obj.get(name) != "":
                    return obj[name]
        return None


@dataclass(frozen=True)
class CheckedApi:
    """The spec as the suite checks it: its operations and lists, and the auth it speaks."""

    spec: Spec
    operations: tuple[CheckedOperation, ...]
    lists: tuple[ListWalk, ...] = field(default=())
    auth_scheme: str = "basic"  # the HTTP auth scheme of `securitySchemes`

    @property
    def document(self) -> dict[str, Any]:
        """The parsed document itself (what Schemathesis is given)."""
        return self.spec.content

    @property
    def error_message(self) -> str:
        """The field of an error answer's body that holds its message (`message`)."""
        return self.spec.error_fields.message

    def by_id(self, operation_id: str) -> CheckedOperation:
        for op in self.operations:
            if op.operation_id == operation_id:
                return op
        raise KeyError(operation_id)

    def by_label(self, label: str) -> CheckedOperation | None:
        return next((op for op in self.operations if op.label == label), None)

    def list_for(self, label: str) -> ListWalk | None:
        return self._lists_by_label.get(label)

    @functools.cached_property
    def _lists_by_label(self) -> dict[str, ListWalk]:
        """(Asked for every response a check reads: a look-up, not a scan of every list.)"""
        found: dict[str, ListWalk] = {}
        for lst in self.lists:
            found.setdefault(lst.label, lst)
        return found


def _operation(op: specmodel.Operation) -> CheckedOperation:
    return CheckedOperation(
        parameters=tuple(
            CheckedParameter(spec=p) for p in op.parameters if p.location in {"path", "query"}
        ),
        body_example=_body_example(op.request_body),
        spec=op,
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


def _page_size(lst: specmodel.ListOperation) -> PageSize:
    param = lst.limit
    if param is None or param.bounds.minimum is None or param.bounds.maximum is None:
        raise SpecProblem(f"{lst.label}: a list without a bounded page-size parameter")
    low, high = int(param.bounds.minimum), int(param.bounds.maximum)
    return PageSize(low, high, int(param.default) if param.has_default else high, spec=param)


def _retrieve_link(
    lst: specmodel.ListOperation, by_id: dict[str, CheckedOperation]
) -> tuple[CheckedOperation | None, str | None, tuple[tuple[str, str], ...]]:
    """The first of the model's item links (one listed item fed to another operation)."""
    for link in lst.item_links:
        target = by_id.get(link.operation_id)
        if target is not None and link.parameters:
            return target, link.name, link.parameters
    return None, None, ()


def _auth_scheme(spec: Spec) -> str:
    http = [s for s in spec.security_schemes if s.type == "http"]
    if len(http) != 1 or http[0].scheme != "basic":
        raise SpecProblem("the suite speaks one auth scheme: HTTP Basic (securitySchemes)")
    return http[0].scheme


def model_of(spec: Spec) -> CheckedApi:
    operations = tuple(_operation(op) for op in spec.operations)
    by_label = {op.label: op for op in operations}
    by_id = {op.operation_id: op for op in operations}
    lists = []
    for lst in spec.lists:
        retrieve, link_name, params = _retrieve_link(lst, by_id)
        lists.append(
            ListWalk(
                operation=by_label[lst.label],
                limit=_page_size(lst),
                retrieve=retrieve,
                link_name=link_name,
                retrieve_params=params,
                spec=lst,
            )
        )
    return CheckedApi(spec, operations, tuple(lists), _auth_scheme(spec))


@functools.cache
def _load(source: str) -> CheckedApi:
    spec = specmodel.default_spec() if source == str(SPEC_PATH) else specmodel.load(source)
    return model_of(spec)


def load_model(source: Path | str = SPEC_PATH) -> CheckedApi:
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
