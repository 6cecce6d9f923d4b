"""`Spec`: the model's root, and the functions that load one."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import unquote

from jsonschema import Draft202012Validator

from .envelope import Envelope, ErrorFields, api_prefix_of, envelope_of, error_fields_of
from .lists import list_operation
from .model import (
    ListOperation,
    Operation,
    SchemaRef,
    SecurityRequirement,
    SecurityScheme,
    Server,
    Tag,
    Webhook,
)
from .problems import SpecError, validate_document
from .provenance import (
    Decision,
    Provenance,
    decision_annotations,
    docs_document,
    packaged_notes,
    provenance_of,
)
from .reader import Reader
from .refs import DOCUMENT_URI, Resolver, join_pointer, pointer_ref, unescape_token
from .source import SPEC_PATH, Document, Source, read_document

__all__ = ["Spec", "build_spec", "default_spec", "load"]

_SCHEMAS = "#/components/schemas/"


class Spec:
    """One OpenAPI document, modelled. Build with `load()` (validated) or `build_spec()`."""

    def __init__(self, document: Document, *, notes: Mapping[int, str] | None = None) -> None:
        self.document = document
        # spec/NOTES.md's entries (number -> title): the decisions `x-decision` keys name.
        self.notes: Mapping[int, str] = packaged_notes() if notes is None else dict(notes)
        self.content = document.content
        self.resolver = Resolver(self.content)
        reader = Reader(self.content, self.resolver)
        info = self._dict(self.content.get("info"))
        self.title = str(info.get("title", ""))
        self.version = str(info.get("version", ""))
        self.summary = str(info.get("summary", "") or "")
        self.description = str(info.get("description", "") or "").strip()
        self.servers = tuple(
            Server(str(s.get("url", "")), str(s.get("description", "") or ""))
            for s in self.content.get("servers") or ()
            if isinstance(s, dict)
        )
        self.tags = tuple(
            Tag(
                str(t["name"]),
                str(t.get("description", "") or "").strip(),
                tuple((k, v) for k, v in t.items() if str(k).startswith("x-")),
            )
            for t in self.content.get("tags") or ()
            if isinstance(t, dict) and "name" in t
        )
        self.security: tuple[SecurityRequirement, ...] = reader.security(
            self.content.get("security")
        )
        self.security_schemes = tuple(self._schemes())
        self.operations: tuple[Operation, ...] = tuple(reader.operations())
        self.lists: tuple[ListOperation, ...] = tuple(
            lst for op in self.operations if (lst := list_operation(op, self.resolver)) is not None
        )
        self.webhooks: tuple[Webhook, ...] = tuple(reader.webhooks())
        self._by_id = {op.operation_id: op for op in self.operations if op.operation_id}
        self._list_by_operation = {id(lst.operation): lst for lst in self.lists}
        self._frozen = True

    def __setattr__(self, name: str, value: Any) -> None:
        if getattr(self, "_frozen", False):
            raise AttributeError(f"Spec is immutable: cannot set {name!r}")
        super().__setattr__(name, value)

    @staticmethod
    def _dict(node: Any) -> dict[str, Any]:
        return node if isinstance(node, dict) else {}

    def _schemes(self) -> Iterator[SecurityScheme]:
        schemes = self._dict(self._dict(self.content.get("components")).get("securitySchemes"))
        for name, node in schemes.items():
            raw, pointer = self.resolver.follow(
                node, join_pointer("components", "securitySchemes", name)
            )
            raw = self._dict(raw)
            yield SecurityScheme(
                name=str(name),
                pointer=pointer,
                type=str(raw.get("type", "")),
                scheme=str(raw.get("scheme", "")).lower(),
                description=str(raw.get("description", "") or "").strip(),
                location=str(raw.get("in", "")),
                parameter=str(raw.get("name", "")),
            )

    # ------------------------------------------------------------------ operations

    def operation(self, operation_id: str) -> Operation:
        """The operation with this operationId (KeyError if none)."""
        return self._by_id[operation_id]

    def by_label(self, label: str) -> Operation | None:
        """The operation named "GET /customers" style, if any."""
        return next((op for op in self.operations if op.label == label), None)

    def list_of(self, op: Operation) -> ListOperation | None:
        """`op` as a list operation, if it is one."""
        found = self._list_by_operation.get(id(op))
        return found if found is not None and found.operation is op else None

    def security_scheme(self, name: str) -> SecurityScheme | None:
        return next((s for s in self.security_schemes if s.name == name), None)

    # ------------------------------------------------------------------ envelope

    @functools.cached_property
    def envelope(self) -> Envelope:
        """The field names of a list page (`data`, `has_more`, `count`, `object: "list"`)."""
        return envelope_of(self.lists, self.resolver)

    @functools.cached_property
    def error_fields(self) -> ErrorFields:
        """The field names of an error answer's body (`message`)."""
        return error_fields_of(self.operations, self.resolver)

    @functools.cached_property
    def api_prefix(self) -> str:
        """The path the API is served under: the first server URL's path ("/api/v1")."""
        return api_prefix_of(self.servers)

    # ------------------------------------------------------------------ schemas

    @property
    def schemas(self) -> dict[str, Any]:
        """components/schemas as written (name -> schema node; read-only)."""
        return self._dict(self._dict(self.content.get("components")).get("schemas"))

    def schema(self, name: str) -> SchemaRef:
        """The component schema of that name (KeyError if none)."""
        node = self.schemas[name]
        pointer = join_pointer("components", "schemas", name)
        resolved, target = self.resolver.follow(node, pointer)
        return SchemaRef(node, pointer, resolved, target)

    @staticmethod
    def schema_name(node: Any) -> str | None:
        """The component a `{"$ref": "#/components/schemas/Name"}` names, if it is one."""
        ref = node.get("$ref") if isinstance(node, dict) else None
        if not isinstance(ref, str) or not ref.startswith(_SCHEMAS):
            return None
        token = ref[len(_SCHEMAS) :]
        if "/" in token:
            return None
        return unescape_token(unquote(token))

    @staticmethod
    def is_ref(node: Any) -> bool:
        return isinstance(node, dict) and isinstance(node.get("$ref"), str)

    def resolve(self, node: Any) -> Any:
        """`node` with its `$ref`s followed."""
        return self.resolver.resolve(node)

    def lookup(self, pointer: str) -> Any:
        """The node at a JSON pointer of the document."""
        return self.resolver.lookup(pointer)

    # ------------------------------------------------------------------ provenance

    def provenance(self, pointer: str) -> Provenance:
        """Whether the rule at a JSON pointer of the document is stated by the docs or was
        decided (spec/NOTES.md): see `spaces_toolkit.spec.provenance`. The pointer may pass
        through `$ref`s. KeyError if it names nothing."""
        return provenance_of(pointer, self.content, self.resolver, self.notes)

    @functools.cached_property
    def decisions(self) -> Mapping[int, Decision]:
        """Every NOTES.md entry, with the pointers its `x-decision` keys name (none for an
        entry that changes nothing a schema or a status can say)."""
        where: dict[int, list[str]] = {}
        for found in decision_annotations(self.content):
            where.setdefault(found.number, []).append(found.pointer)
        return {
            number: Decision(number, title, tuple(where.get(number, ())))
            for number, title in sorted(self.notes.items())
        }

    def docs_document(self) -> dict[str, Any]:
        """The document with every decided constraint removed or relaxed: what the docs alone
        state (cached; read-only)."""
        return self._docs_spec.content

    def docs_spec(self) -> Spec:
        """The model of `docs_document()` (same validators, same lists, fewer rules)."""
        return self._docs_spec

    @functools.cached_property
    def _docs_spec(self) -> Spec:
        relaxed = docs_document(self.content)
        label = f"{self.document.label} (docs only)"
        return Spec(Document(relaxed, self.document.sha256, label), notes=self.notes)

    def validator(self, pointer: str) -> Draft202012Validator:
        """A JSON Schema (2020-12) validator, with format checks, for the schema at `pointer`."""
        return Draft202012Validator(
            {"$ref": DOCUMENT_URI + pointer_ref(pointer)},
            registry=self.resolver.registry,
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )


def build_spec(document: Document) -> Spec:
    """The model of a document, without validating it (a broken document may raise)."""
    return Spec(document)


def load(source: Source = SPEC_PATH, *, label: str | None = None) -> Spec:
    """Read, validate (openapi-spec-validator) and model a document. Raises SpecError listing
    every problem. `source`: see `read_document`."""
    document = read_document(source, label=label)
    problems = validate_document(document.content)
    if problems:
        raise SpecError(problems)
    return Spec(document)


@functools.cache
def default_spec() -> Spec:
    """The spec the toolkit ships (validated once per process)."""
    return load(SPEC_PATH)
