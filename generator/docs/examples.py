"""Example values for the docs: the spec's own examples first, synthesised ones only as a fallback.

A model's example is, in order: its schema `examples`, the example of an operation or webhook
that returns it, the first item of an example page of it, or one built from its attributes
(required attributes only, each from its own model's example or a placeholder of its type).
"""

from __future__ import annotations

import copy
from typing import Any

from .. import ir

__all__ = ["ExampleIndex"]

_PLACEHOLDERS = {"string": "string", "integer": 0, "number": 0, "boolean": False}


class ExampleIndex:
    def __init__(self, api: ir.Api) -> None:
        self._api = api
        self._models = {m.name: m for m in api.models}
        self._found: dict[str, Any] = {}
        for model in api.models:
            if model.examples:
                self._found.setdefault(model.name, model.examples[0].value)
        for op in api.operations:
            response = op.response
            if response.model and response.examples:
                self._found.setdefault(response.model, response.examples[0].value)
        for op in api.operations:
            page = op.response.examples[0].value if op.response.examples else None
            if op.pagination and isinstance(page, dict):
                items = page.get(op.pagination.items_attr) or []
                for name in op.pagination.item.models[:1]:
                    if items:
                        self._found.setdefault(name, items[0])
        for hook in api.webhooks:
            if hook.payload_model and hook.examples:
                self._found.setdefault(hook.payload_model, hook.examples[0].value)

    def for_model(self, name: str) -> Any:
        """A deep copy: callers may change it."""
        return copy.deepcopy(self._value(name, frozenset()))

    def for_response(self, response: ir.ClientResponse) -> Any:
        if response.examples:
            return copy.deepcopy(response.examples[0].value)
        if response.model:
            return self.for_model(response.model)
        return None

    def _value(self, name: str, seen: frozenset[str]) -> Any:
        if name in self._found:
            return self._found[name]
        model = self._models.get(name)
        if model is None or name in seen:
            return None
        seen = seen | {name}
        if model.kind == "enum":
            return model.enum[0].value if model.enum else None
        if model.kind == "union":
            return self._value(model.variants[0].model, seen) if model.variants else None
        if model.kind == "scalar":
            return _placeholder(model.type.display)
        value = {a.name: self._attribute(a, seen) for a in model.attributes if a.required}
        self._found[name] = value
        return value

    def _attribute(self, attr: ir.Attribute, seen: frozenset[str]) -> Any:
        if attr.has_const:
            return attr.const
        if attr.enum:
            return attr.enum[0]
        if attr.ref:
            value = self._value(attr.ref, seen)
            if attr.type.display.startswith("array of"):
                return [value] if value is not None else []
            return value
        if attr.type.nullable:
            return None
        return _placeholder(attr.type.display)


def _placeholder(display: str) -> Any:
    first = display.split(" | ")[0]
    if first.startswith("array of"):
        return []
    return copy.copy(_PLACEHOLDERS.get(first, "string"))
