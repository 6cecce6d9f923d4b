"""The spec's operations as the server serves them: a view over the spec model that adds what
routing needs at request time (parameter parsers, body and response validators). Routing,
validation and the served-routes test all start from here."""

from __future__ import annotations

import dataclasses
import functools

from jsonschema import Draft202012Validator
from jsonschema.protocols import Validator

from ... import spec as model
from .validation import FORMATS, JSON, BodySpec, ParamSpec

__all__ = ["ServedOperation", "served_operations", "view"]

# The parameter locations the server reads (the model refuses nothing; the server does).
_LOCATIONS = ("path", "query")


@dataclasses.dataclass(frozen=True)
class ServedOperation:
    spec: model.Operation
    params: tuple[ParamSpec, ...]
    body: BodySpec | None
    # status ("200", "4XX", "default") -> validator of that response's JSON body
    responses: dict[str, Draft202012Validator]
    listing: model.ListOperation | None = None  # its cursor semantics, if it is a list

    @property
    def operation_id(self) -> str:
        return self.spec.operation_id or ""

    @property
    def method(self) -> str:
        return self.spec.method

    @property
    def path(self) -> str:
        return self.spec.path

    def response_validator(self, status: int) -> Draft202012Validator | None:
        return self.responses.get(str(status)) or self.responses.get(f"{str(status)[0]}XX")


def _param(spec: model.Spec, param: model.Parameter) -> ParamSpec:
    if param.location not in _LOCATIONS:
        raise ValueError(f"{param.pointer}: parameters in {param.location} are not supported")
    return ParamSpec(
        name=param.name,
        location=str(param.location),
        required=param.required,
        schema=param.schema.resolved,
        validator=spec.validator(param.schema.pointer),
    )


def _body(spec: model.Spec, body: model.RequestBody | None) -> BodySpec | None:
    if body is None:
        return None
    media: dict[str, Validator] = {
        m.media_type: spec.validator(m.schema.pointer).evolve(format_checker=FORMATS)
        for m in body.content
        if m.schema is not None
    }
    schemas = [m.schema for m in body.content if m.schema is not None]
    fields = frozenset(name for schema in schemas for name in schema.get("properties", {}))
    return BodySpec(required=body.required, media_types=media, fields=fields)


def _responses(spec: model.Spec, op: model.Operation) -> dict[str, Draft202012Validator]:
    out = {}
    for response in op.responses:
        media = response.media(JSON)
        if media is not None and media.schema is not None:
            out[response.status] = spec.validator(media.schema.pointer)
    return out


def view(spec: model.Spec) -> tuple[ServedOperation, ...]:
    """Every operation of `spec`, in document order, ready to serve."""
    return tuple(
        ServedOperation(
            spec=op,
            params=tuple(_param(spec, p) for p in op.parameters),
            body=_body(spec, op.request_body),
            responses=_responses(spec, op),
            listing=spec.list_of(op),
        )
        for op in spec.operations
    )


@functools.cache
def served_operations() -> tuple[ServedOperation, ...]:
    """The shipped spec's operations (built once per process)."""
    return view(model.default_spec())
