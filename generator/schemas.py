"""JSON Schema -> typed IR: component models, and the Python type of any schema."""

from __future__ import annotations

import json
from typing import Any

from spaces_toolkit.spec import Problem, RefError, Spec

from .ir import Attribute, EnumMember, Example, Model, ModelKind, TypeRef, UnionVariant
from .naming import join_pointer, py_identifier

__all__ = ["SchemaReader"]

_PRIMITIVES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
# The keywords whose provenance the docs show beside a field or parameter.
_RULE_KEYWORDS = (
    "type", "enum", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    "minLength", "maxLength", "pattern", "format", "oneOf", "anyOf", "description", "schema",
)  # fmt: skip
_CONSTRAINTS = (
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "minItems",
    "maxItems",
    "multipleOf",
)


def _union(parts: list[TypeRef]) -> TypeRef:
    seen: dict[str, TypeRef] = {}
    for part in parts:
        for py in part.python.split(" | "):
            seen.setdefault(py, TypeRef(py, part.display, part.models, part.nullable))
    nullable = any(p.nullable for p in parts) or "None" in seen
    pythons = [py for py in seen if py != "None"] + (["None"] if nullable else [])
    displays = list(dict.fromkeys(p.display for p in parts))
    models = tuple(dict.fromkeys(m for p in parts for m in p.models))
    return TypeRef(" | ".join(pythons), " | ".join(displays), models, nullable)


def _literal(values: list[Any]) -> str:
    return "Literal[" + ", ".join(json.dumps(v) for v in values) + "]"


class SchemaReader:
    """Reads `components/schemas` and answers typing questions about any schema."""

    def __init__(self, spec: Spec, problems: list[Problem]) -> None:
        self.spec = spec
        self.schemas: dict[str, Any] = spec.schemas
        self.problems = problems

    # ------------------------------------------------------------------ resolving

    def ref_name(self, schema: Any) -> str | None:
        """The component name a `$ref` schema points at, if it does."""
        return self.spec.schema_name(schema)

    def resolve(self, node: Any) -> Any:
        """Follow `$ref`s (to any part of the document) until a real object ({} for a loop)."""
        try:
            return self.spec.resolve(node)
        except RefError:
            return {}

    def kind(self, name: str) -> ModelKind:
        schema = self.schemas[name]
        if schema.get("type") == "object" or "properties" in schema:
            return "object"
        if "enum" in schema and schema.get("type") in ("string", "integer"):
            return "enum"
        members = schema.get("oneOf") or schema.get("anyOf")
        if members and len(members) > 1 and all(self._is_object_ref(m) for m in members):
            return "union"
        return "scalar"

    def _is_object_ref(self, schema: Any) -> bool:
        name = self.ref_name(schema)
        return name is not None and name in self.schemas and self.kind(name) == "object"

    # ------------------------------------------------------------------ types

    def type_of(self, schema: Any, *, for_input: bool = False) -> TypeRef:
        """The Python type of a schema. `for_input` widens enums to their literal values."""
        if not isinstance(schema, dict):
            return TypeRef("Any", "any")
        name = self.ref_name(schema)
        if name is not None and name in self.schemas:
            kind = self.kind(name)
            if kind == "scalar":
                return self.type_of(self.schemas[name], for_input=for_input)
            if kind == "enum" and for_input:
                values = [v for v in self.schemas[name]["enum"] if v is not None]
                return TypeRef(f"{name} | {_literal(values)}", name, (name,))
            return TypeRef(name, name, (name,))
        if self.spec.is_ref(schema):
            return self.type_of(self.resolve(schema), for_input=for_input)
        if "const" in schema:
            value = schema["const"]
            if value is None:
                return TypeRef("None", "null", nullable=True)
            return TypeRef(_literal([value]), json.dumps(value))
        if "enum" in schema:
            values = schema["enum"]
            non_null = [v for v in values if v is not None]
            ref = TypeRef(_literal(non_null), " | ".join(json.dumps(v) for v in non_null))
            return _union([ref, TypeRef("None", "null", nullable=True)]) if None in values else ref
        members = schema.get("oneOf") or schema.get("anyOf")
        if members:
            return _union([self.type_of(m, for_input=for_input) for m in members])
        all_of = schema.get("allOf")
        if isinstance(all_of, list) and len(all_of) == 1:
            return self.type_of(all_of[0], for_input=for_input)
        types = schema.get("type")
        if isinstance(types, list):
            return _union([self.type_of({**schema, "type": t}, for_input=for_input) for t in types])
        if types == "null":
            return TypeRef("None", "null", nullable=True)
        if types in _PRIMITIVES:
            return TypeRef(_PRIMITIVES[types], types)
        if types == "array":
            item = self.type_of(schema.get("items", {}), for_input=for_input)
            return TypeRef(f"list[{item.python}]", f"array of {item.display}", item.models)
        if types == "object" or "properties" in schema:
            return TypeRef("dict[str, Any]", "object")
        return TypeRef("Any", "any")

    # ------------------------------------------------------------------ models

    def models(self) -> tuple[Model, ...]:
        return tuple(self._model(name) for name in self.schemas)

    def _model(self, name: str) -> Model:
        schema = self.schemas[name]
        pointer = join_pointer("components", "schemas", name)
        kind = self.kind(name)
        examples = tuple(Example(str(i), v) for i, v in enumerate(schema.get("examples") or ()))
        description = (schema.get("description") or "").strip()
        if kind == "object":
            return Model(
                name=name,
                pointer=pointer,
                kind=kind,
                description=description,
                examples=examples,
                type=TypeRef(name, name, (name,)),
                attributes=self.attributes(schema, pointer),
            )
        if kind == "enum":
            notes = schema.get("x-enum-descriptions") or []
            members = tuple(
                EnumMember(v, py_identifier(str(v)), notes[i] if i < len(notes) else "")
                for i, v in enumerate(schema["enum"])
                if v is not None
            )
            return Model(
                name=name,
                pointer=pointer,
                kind=kind,
                description=description,
                examples=examples,
                type=TypeRef(name, name, (name,)),
                enum=members,
            )
        if kind == "union":
            return self._union_model(name, schema, pointer, description, examples)
        return Model(
            name=name,
            pointer=pointer,
            kind=kind,
            description=description,
            examples=examples,
            type=self.type_of(schema),
        )

    def _union_model(
        self,
        name: str,
        schema: dict[str, Any],
        pointer: str,
        description: str,
        examples: tuple[Example, ...],
    ) -> Model:
        # kind() == "union" only with more than one oneOf/anyOf member, so one of them is set
        members: list[Any] = schema.get("oneOf") or schema["anyOf"]
        disc = (schema.get("discriminator") or {}).get("propertyName")
        mapping = (schema.get("discriminator") or {}).get("mapping") or {}
        by_model = {self.ref_name({"$ref": ref}): tag for tag, ref in mapping.items()}
        variants = []
        for i, member in enumerate(members):
            model = self.ref_name(member) or ""
            tag = None
            if disc:
                tag = by_model.get(model)
                prop = (self.schemas[model].get("properties") or {}).get(disc, {})
                tag = tag if tag is not None else self.resolve(prop).get("const")
                if not isinstance(tag, str):
                    ptr = f"{pointer}/{'oneOf' if 'oneOf' in schema else 'anyOf'}/{i}"
                    self.problems.append(
                        Problem(ptr, f"{model} has no constant `{disc}` to tell it apart")
                    )
                    tag = ""
            variants.append(UnionVariant(tag, model))
        return Model(
            name=name,
            pointer=pointer,
            kind="union",
            description=description,
            examples=examples,
            type=TypeRef(name, name, (name,)),
            variants=tuple(variants),
            discriminator=disc,
            unknown_variant=f"Unknown{name}" if disc else None,
        )

    def decisions(self, *pointers: str) -> tuple[int, ...]:
        """The spec/NOTES.md decisions behind the rules at these pointers (each a node and its
        rule keywords; pointers naming nothing are skipped): what the docs mark as decided."""
        found: set[int] = set()
        for pointer in pointers:
            for where in (pointer, *(f"{pointer}/{k}" for k in _RULE_KEYWORDS)):
                try:
                    decision = self.spec.provenance(where).decision
                except (LookupError, ValueError):  # a dangling $ref: reported elsewhere
                    continue
                if decision is not None:
                    found.add(decision)
        return tuple(sorted(found))

    def attributes(self, schema: dict[str, Any], pointer: str) -> tuple[Attribute, ...]:
        required = set(schema.get("required") or ())
        required_at = {
            name: f"{pointer}/required/{i}" for i, name in enumerate(schema.get("required") or ())
        }
        attrs = []
        for prop, sub in (schema.get("properties") or {}).items():
            resolved = self.resolve(sub) if isinstance(sub, dict) else {}
            type_ = self.type_of(sub)
            ref = self.ref_name(sub)
            if ref is None:  # `Address | null` style: the model it holds, if exactly one
                ref = type_.models[0] if len(type_.models) == 1 else None
            description = (
                (sub.get("description") if isinstance(sub, dict) else None)
                or resolved.get("description")
                or ""
            )
            attrs.append(
                Attribute(
                    name=prop,
                    python_name=py_identifier(prop),
                    type=type_,
                    required=prop in required,
                    description=description.strip(),
                    pointer=f"{pointer}/properties/{prop}",
                    const=resolved.get("const"),
                    has_const="const" in resolved,
                    enum=tuple(resolved.get("enum") or ()),
                    ref=ref,
                    constraints=tuple((k, resolved[k]) for k in _CONSTRAINTS if k in resolved),
                    decisions=tuple(
                        sorted(
                            {
                                *self.decisions(f"{pointer}/properties/{prop}"),
                                *self._required_decision(required_at.get(prop)),
                            }
                        )
                    ),
                )
            )
        return tuple(attrs)

    def _required_decision(self, pointer: str | None) -> tuple[int, ...]:
        return self.decisions(pointer) if pointer is not None else ()
