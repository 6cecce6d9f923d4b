"""The try-it form of an operation, as data: one input per parameter, filled from the spec.

Path parameters and body fields start with the values the samples use (the spec's examples);
optional query parameters start empty, with the default or example as the input's placeholder, so
a request sends only what the user typed. Enumerations become a choice of their values. The page's
script (templates/docs/try.js) sends the form to the sandbox that served the page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .. import ir
from .fields import Field

__all__ = ["TryField", "TryForm", "try_form"]


@dataclass(frozen=True)
class TryField:
    name: str
    location: str  # "path", "query", "body"
    value: str  # what the input starts with
    placeholder: str
    required: bool
    type: str  # as the docs word it: "integer", "string"
    choices: tuple[str, ...] = ()  # an enumeration's values, as sent
    anchor: str = ""  # the parameter's entry in the reference


@dataclass(frozen=True)
class TryForm:
    method: str
    path: str  # "/customers/{id}", relative to the base URL
    fields: tuple[TryField, ...]
    body_type: str  # the media type a body is sent as ("" without a body)


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


def _choices(field: Field) -> tuple[str, ...]:
    return tuple(_text(json.loads(literal)) for literal, _ in field.values)


def try_form(
    op: ir.ClientMethod,
    values: dict[str, Any],
    shown: dict[str, tuple[Field, ...]],
) -> TryForm:
    """`values`: the samples' value of each path parameter and body field; `shown`: the Fields
    the reference shows per location, for their type wording, enumerations and anchors."""
    fields: list[TryField] = []
    groups = (
        ("path", op.path_params),
        ("query", op.query_params),
        ("body", op.body.fields if op.body else ()),
    )
    for location, params in groups:
        by_name = {f.name: f for f in shown.get(location, ())}
        for param in params:
            doc = by_name.get(param.name)
            hint = param.default if param.has_default else param.example
            start = values.get(param.name) if location != "query" or param.required else None
            fields.append(
                TryField(
                    name=param.name,
                    location=location,
                    value=_text(start),
                    placeholder=_text(hint),
                    required=param.required,
                    type=doc.type if doc else param.type.display,
                    choices=_choices(doc) if doc else (),
                    anchor=doc.anchor if doc else "",
                )
            )
    body_type = ""
    if op.body is not None:
        form = "application/x-www-form-urlencoded"
        body_type = form if form in op.body.content_types else op.body.content_type
    return TryForm(op.http_method, op.path, tuple(fields), body_type)
