"""Attributes and parameters as the docs show them: plain type words, nested children, links.

Objects that are another resource's object are linked to, not expanded (that also ends every
cycle); other nested objects (an address, an item list) are expanded as child attributes. A
union (the event object) is shown as the attributes its variants share, with the ones that differ
per variant listed under a condition ("when type is invoice.paid").
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from .. import ir
from ..naming import snake_case

__all__ = ["Field", "FieldBuilder", "Link", "type_label"]

MAX_DEPTH = 4


@dataclass(frozen=True)
class Link:
    label: str
    anchor: str


@dataclass(frozen=True)
class Field:
    name: str
    path: str  # dotted path from the object: "items.data"
    anchor: str
    type: str  # "string", "object", "array of objects", "string or integer"
    required: bool
    nullable: bool
    description: str  # Markdown
    values: tuple[tuple[str, str], ...] = ()  # (JSON literal, description) of enums and consts
    notes: tuple[str, ...] = ()  # "default 20", "between 1 and 100"
    condition: str = ""  # "when `type` is `invoice.paid`"
    link: Link | None = None
    children: tuple[Field, ...] = ()

    def walk(self) -> tuple[Field, ...]:
        return (self, *(f for child in self.children for f in child.walk()))


def type_label(type_: ir.TypeRef, models: dict[str, ir.Model]) -> str:
    parts = [p for p in type_.display.split(" | ") if p != "null"] or ["null"]
    return " or ".join(_label(part, models) for part in parts)


def _label(part: str, models: dict[str, ir.Model]) -> str:
    if part.startswith("array of "):
        inner = _label(part[len("array of ") :], models)
        return f"array of {inner}s" if " " not in inner else f"array of ({inner})"
    if part.startswith('"') or part[:1].isdigit() or part in ("true", "false"):
        return _json_type(json.loads(part))
    model = models.get(part)
    if model is None:
        return part
    if model.kind in ("object", "union"):
        return "object"
    if model.kind == "enum":
        kinds = sorted({_json_type(m.value) for m in model.enum})
        return " or ".join(kinds) or "string"
    return type_label(model.type, models)


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "string"


def decision_notes(decisions: tuple[int, ...]) -> tuple[str, ...]:
    """Rules the spec decided where the prose docs are silent or contradict themselves, shown
    as such beside the field (spec/NOTES.md)."""
    if not decisions:
        return ()
    numbers = ", ".join(str(n) for n in decisions)
    return (f"{'Decisions' if len(decisions) > 1 else 'Decision'} {numbers} (spec/NOTES.md)",)


def constraint_notes(constraints: tuple[tuple[str, object], ...]) -> tuple[str, ...]:
    c = dict(constraints)
    notes = []
    if "minimum" in c and "maximum" in c:
        notes.append(f"between {c['minimum']} and {c['maximum']}")
    elif "minimum" in c:
        notes.append(f"at least {c['minimum']}")
    elif "maximum" in c:
        notes.append(f"at most {c['maximum']}")
    if "maxLength" in c:
        notes.append(f"at most {c['maxLength']} characters")
    if "format" in c:
        notes.append(f"format: {c['format']}")
    return tuple(notes)


class FieldBuilder:
    """Builds Fields for one page; anchors are unique across everything it built."""

    def __init__(self, api: ir.Api, object_anchors: dict[str, Link]) -> None:
        self.models = {m.name: m for m in api.models}
        self.object_anchors = object_anchors  # model name -> link to its object section
        self._used: set[str] = set()

    def anchor(self, wanted: str) -> str:
        anchor, n = wanted, 2
        while anchor in self._used:
            anchor, n = f"{wanted}-{n}", n + 1
        self._used.add(anchor)
        return anchor

    def object_fields(self, model_name: str, prefix: str) -> tuple[Field, ...]:
        model = self.models[model_name]
        if model.kind == "union":
            return self._union_fields(model, prefix, "", 0, model.name)
        return tuple(self._attribute(a, prefix, "", 0, model.name) for a in model.attributes)

    def parameter(self, param: ir.Argument, prefix: str) -> Field:
        values = self._enum_values(param.type)
        notes = constraint_notes(param.constraints)
        if param.has_default:
            notes = (f"default {json.dumps(param.default)}", *notes)
        notes = (*notes, *decision_notes(param.decisions))
        return Field(
            name=param.name,
            path=param.name,
            anchor=self.anchor(f"{prefix}-{param.name}"),
            type=type_label(param.type, self.models),
            required=param.required,
            nullable=param.type.nullable,
            description=param.description,
            values=values,
            notes=notes,
        )

    # ------------------------------------------------------------------ internals

    def _enum_values(self, type_: ir.TypeRef) -> tuple[tuple[str, str], ...]:
        for name in type_.models:
            model = self.models.get(name)
            if model is not None and model.kind == "enum":
                return tuple((json.dumps(m.value), m.description) for m in model.enum)
        return ()

    def _attribute(
        self, attr: ir.Attribute, parent: str, path: str, depth: int, owner: str
    ) -> Field:
        path = f"{path}.{attr.name}" if path else attr.name
        values = self._enum_values(attr.type)
        if attr.has_const:
            values = ((json.dumps(attr.const), ""),)
        elif attr.enum and not values:
            values = tuple((json.dumps(v), "") for v in attr.enum)
        link, children = self._nested(attr.ref, parent, path, depth, owner)
        return Field(
            name=attr.name,
            path=path,
            anchor=self.anchor(f"{parent}-{snake_case(path).replace('_', '-')}"),
            type=type_label(attr.type, self.models),
            required=attr.required,
            nullable=attr.nullable,
            description=attr.description,
            values=values,
            notes=constraint_notes(
                tuple((k, v) for k, v in attr.constraints if k not in ("minLength", "minimum"))
            )
            + decision_notes(attr.decisions),
            link=link,
            children=children,
        )

    def _nested(
        self, ref: str | None, parent: str, path: str, depth: int, owner: str
    ) -> tuple[Link | None, tuple[Field, ...]]:
        model = self.models.get(ref or "")
        if model is None or model.kind not in ("object", "union"):
            return None, ()
        if model.name in self.object_anchors and model.name != owner:
            return self.object_anchors[model.name], ()
        if depth >= MAX_DEPTH or model.name == owner:
            return None, ()
        if model.kind == "union":
            return None, self._union_fields(model, parent, path, depth + 1, owner)
        return None, tuple(
            self._attribute(a, parent, path, depth + 1, owner) for a in model.attributes
        )

    def _union_fields(
        self, union: ir.Model, parent: str, path: str, depth: int, owner: str
    ) -> tuple[Field, ...]:
        variants = [(v.tag, self.models[v.model]) for v in union.variants]
        if not variants:
            return ()
        tag_attr = union.discriminator or ""
        shared = [
            a.name
            for a in variants[0][1].attributes
            if all(any(b.name == a.name for b in m.attributes) for _, m in variants)
        ]
        fields = []
        for name in shared:
            attrs = [(tag, next(b for b in m.attributes if b.name == name)) for tag, m in variants]
            first = attrs[0][1]
            if all(a.has_const for _, a in attrs):
                field = self._attribute(first, parent, path, depth, owner)
                values = tuple(dict.fromkeys(json.dumps(a.const) for _, a in attrs))
                fields.append(replace(field, values=tuple((v, "") for v in values)))
            elif len({a.ref for _, a in attrs}) == 1:
                fields.append(self._attribute(first, parent, path, depth, owner))
            else:
                generic = replace(
                    first, ref=None, description=f"Differs by `{tag_attr}`: see its attributes."
                )
                field = self._attribute(generic, parent, path, depth, owner)
                groups: dict[str | None, list[str]] = {}
                for tag, a in attrs:
                    groups.setdefault(a.ref, []).append(str(tag))
                children: list[Field] = []
                for ref, tags in groups.items():
                    when = " or ".join(f"`{t}`" for t in tags)
                    _, sub = self._nested(ref, parent, field.path, depth, owner)
                    children.extend(
                        replace(c, condition=f"when `{tag_attr}` is {when}") for c in sub
                    )
                fields.append(replace(field, type="object", children=tuple(children)))
        return tuple(fields)
