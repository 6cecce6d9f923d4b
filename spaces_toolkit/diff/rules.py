"""The catalogue of change kinds `spaces diff` reports: one `Rule` per kind, each with its id
(the `kind` of a `Change`), where in the document it applies, which message it is about, the
categories a change of that kind can fall in, and a title (`spaces diff --list-rules`).

Every comparison module reports through these objects (`Diff.add(pointer, RULE, ...)`), never
through a string, so a kind that is not here cannot be emitted. Kinds that vary with a keyword
(`summary-changed`, `pattern-changed`, ...) are tables keyed by that keyword.

Levels: a change's category depends, for most schema rules, on who writes the values (see
model.impact_of): narrowing what clients send breaks clients and servers, widening what servers
send breaks clients, and a component no operation uses breaks nobody. For webhooks the writer
flips: Spaces writes the delivery, the receiver writes the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .model import CATEGORIES

__all__ = [
    "AREAS",
    "COMPONENT_DOCS",
    "DOCUMENTATION",
    "RULES",
    "TOP_LEVEL_DOCS",
    "UNCOMPARED",
    "VALUE_KEYWORDS",
    "Rule",
]

Area = Literal[
    "document", "paths", "parameters", "request body", "responses", "schemas", "security", "client"
]
AREAS: tuple[Area, ...] = (
    "document",
    "paths",
    "parameters",
    "request body",
    "responses",
    "schemas",
    "security",
    "client",
)
# Which message the change is in: the request (client writes), the response (server writes),
# either (a schema or media type used on both sides: judged by who writes it), or neither (the
# document, the generated client's names).
Message = Literal["request", "response", "either", "none"]


@dataclass(frozen=True)
class Rule:
    id: str
    area: Area
    message: Message
    levels: tuple[str, ...]  # the categories (model.CATEGORIES) a change of this kind can get
    title: str


RULES: dict[str, Rule] = {}

_C, _S = "breaking-for-clients", "breaking-for-servers"
_OK, _D = "compatible", "documentation-only"
_BY_WRITER = (_C, _S, _OK)  # judged by who writes the values; unused components break nobody


def _rule(id: str, area: Area, message: Message, levels: tuple[str, ...], title: str) -> Rule:
    if id in RULES:
        raise ValueError(f"change kind {id!r} registered twice")
    if not levels or any(level not in CATEGORIES for level in levels):
        raise ValueError(f"change kind {id!r}: levels must be among {CATEGORIES}")
    rule = Rule(id, area, message, tuple(c for c in CATEGORIES if c in levels), title)
    RULES[id] = rule
    return rule


def _docs(id: str, area: Area, title: str) -> Rule:
    return _rule(id, area, "none", (_D,), title)


def _values(id: str, title: str) -> Rule:
    """A change of the values a schema allows (Diff.moved)."""
    return _rule(id, "schemas", "either", _BY_WRITER, title)


# --- the document
VERSION_CHANGED = _docs("version-changed", "document", "info.version changed")
INFO_CHANGED = _docs("info-changed", "document", "another info field changed")
DEFAULT_SERVER_CHANGED = _rule(
    "default-server-changed",
    "document",
    "none",
    (_C,),
    "the first server (the client's default base URL) changed",
)
SERVER_REMOVED = _rule("server-removed", "document", "none", (_C,), "a server was removed")
SERVER_ADDED = _rule("server-added", "document", "none", (_OK,), "a server was added")
SERVER_DESCRIPTION_CHANGED = _docs(
    "server-description-changed", "document", "server descriptions changed"
)
TAG_CHANGED = _docs("tag-changed", "document", "a tag was added, removed or reworded")
EXTERNAL_DOCS_CHANGED = _docs("externalDocs-changed", "document", "externalDocs changed")
TOP_LEVEL_DOCS = {
    "externalDocs": EXTERNAL_DOCS_CHANGED,
    "jsonSchemaDialect": _docs(
        "jsonSchemaDialect-changed", "document", "the default JSON Schema dialect changed"
    ),
}
COMPONENT_DOCS = {
    "examples": _docs("component-examples-changed", "document", "a component example was changed"),
}
# Descriptions, summaries and examples anywhere (operations, parameters, bodies, responses...).
DOCUMENTATION = {
    "summary": _docs("summary-changed", "document", "a summary was reworded"),
    "description": _docs("description-changed", "document", "a description was reworded"),
    "example": _docs("example-changed", "document", "an example changed"),
    "examples": _docs("examples-changed", "document", "the examples changed"),
    "externalDocs": EXTERNAL_DOCS_CHANGED,
}

# --- paths, operations, webhooks
PATH_REMOVED = _rule("path-removed", "paths", "none", (_C,), "a path was removed")
PATH_ADDED = _rule("path-added", "paths", "none", (_S,), "a path was added")
WEBHOOK_REMOVED = _rule("webhook-removed", "paths", "none", (_C,), "a webhook was removed")
WEBHOOK_ADDED = _rule("webhook-added", "paths", "none", (_S,), "a webhook was added")
OPERATION_REMOVED = _rule(
    "operation-removed", "paths", "none", (_C,), "an operation (method of a path) was removed"
)
OPERATION_ADDED = _rule("operation-added", "paths", "none", (_S,), "an operation was added")
OPERATION_ID_CHANGED = _rule(
    "operation-id-changed", "paths", "none", (_OK,), "an operationId changed"
)
OPERATION_TAGS_CHANGED = _rule(
    "operation-tags-changed", "paths", "none", (_OK,), "the tags of an operation changed"
)
OPERATION_DEPRECATION_CHANGED = _rule(
    "operation-deprecation-changed",
    "paths",
    "none",
    (_OK,),
    "an operation was deprecated or undeprecated",
)
UNCOMPARED = {
    key: _rule(
        f"operation-{key}-changed",
        "paths",
        "none",
        (_C, _S),
        f"the {key} of an operation changed (not compared in detail: review it)",
    )
    for key in ("servers", "callbacks")
}

# --- parameters (a webhook's are written by Spaces)
PARAMETER_RENAMED = _rule(
    "parameter-renamed", "parameters", "request", (_C, _S), "a parameter was renamed"
)
PARAMETER_REMOVED = _rule(
    "parameter-removed", "parameters", "request", (_C,), "a parameter was removed"
)
PARAMETER_ADDED = _rule(
    "parameter-added", "parameters", "request", _BY_WRITER, "a parameter was added"
)
PARAMETER_REQUIRED_CHANGED = _rule(
    "parameter-required-changed",
    "parameters",
    "request",
    (_C, _S),
    "a parameter was made required or optional",
)
PARAMETER_SERIALIZATION_CHANGED = _rule(
    "parameter-serialization-changed",
    "parameters",
    "request",
    (_C, _S),
    "the style, explode, allowReserved or content of a parameter changed",
)
PARAMETER_DEPRECATION_CHANGED = _rule(
    "parameter-deprecation-changed",
    "parameters",
    "request",
    (_OK,),
    "a parameter was deprecated or undeprecated",
)

# --- request bodies and media types
REQUEST_BODY_REMOVED = _rule(
    "request-body-removed", "request body", "request", (_C,), "a request body was removed"
)
REQUEST_BODY_ADDED = _rule(
    "request-body-added", "request body", "request", _BY_WRITER, "a request body was added"
)
REQUEST_BODY_REQUIRED_CHANGED = _rule(
    "request-body-required-changed",
    "request body",
    "request",
    (_C, _S),
    "a request body was made required or optional",
)
MEDIA_TYPE_REMOVED = _rule(
    "media-type-removed",
    "request body",
    "either",
    (_C, _S),
    "a media type of a body was removed",
)
MEDIA_TYPE_ADDED = _rule(
    "media-type-added", "request body", "either", (_S, _OK), "a media type of a body was added"
)
MEDIA_ENCODING_CHANGED = _rule(
    "media-encoding-changed",
    "request body",
    "either",
    (_C, _S),
    "the encoding of a body's media type changed",
)

# --- responses (a webhook's are written by the receiver)
STATUS_REMOVED = _rule(
    "status-removed", "responses", "response", (_C, _S), "a response status was removed"
)
STATUS_ADDED = _rule(
    "status-added",
    "responses",
    "response",
    _BY_WRITER,
    "a response status was added (breaks readers when it is a success)",
)
RESPONSE_HEADER_REMOVED = _rule(
    "response-header-removed", "responses", "response", (_C, _S), "a response header was removed"
)
RESPONSE_HEADER_ADDED = _rule(
    "response-header-added", "responses", "response", _BY_WRITER, "a response header was added"
)
RESPONSE_HEADER_REQUIRED_CHANGED = _rule(
    "response-header-required-changed",
    "responses",
    "response",
    (_C, _S),
    "a response header was made required or optional",
)
LINK_REMOVED = _rule("link-removed", "responses", "response", (_C,), "a response link was removed")
LINK_ADDED = _rule("link-added", "responses", "response", (_S,), "a response link was added")
LINK_CHANGED = _rule(
    "link-changed", "responses", "response", (_C, _S), "the target of a response link changed"
)

# --- schemas
SCHEMA_RENAMED = _rule(
    "schema-renamed", "schemas", "none", (_C,), "a component schema was renamed (same content)"
)
SCHEMA_REMOVED = _rule("schema-removed", "schemas", "none", (_C,), "a component schema was removed")
SCHEMA_ADDED = _rule("schema-added", "schemas", "none", (_OK,), "a component schema was added")
SCHEMA_CHANGED = _values("schema-changed", "a boolean or missing schema changed")
TYPE_CHANGED = _values("type-changed", "the type of a value changed")
BECAME_NULLABLE = _values("became-nullable", "a value may now be null")
BECAME_NON_NULLABLE = _values("became-non-nullable", "a value may no longer be null")
ENUM_REMOVED = _values("enum-removed", "a value is no longer an enumeration")
ENUM_ADDED = _values("enum-added", "a value is now an enumeration")
ENUM_VALUE_ADDED = _values("enum-value-added", "an enumeration gained values")
ENUM_VALUE_REMOVED = _values("enum-value-removed", "an enumeration lost values")
VALUE_KEYWORDS = {
    "const": _values("const-changed", "a constant value was added, removed or changed"),
    "pattern": _values("pattern-changed", "a pattern was added, removed or changed"),
    "format": _values("format-changed", "a format was added, removed or changed"),
}
UNIQUE_ITEMS_CHANGED = _values("unique-items-changed", "uniqueItems changed")
MULTIPLE_OF_CHANGED = _values("multiple-of-changed", "multipleOf changed")
BOUND_NARROWED = _values("bound-narrowed", "a minimum or maximum (value, length, count) narrowed")
BOUND_WIDENED = _values("bound-widened", "a minimum or maximum (value, length, count) widened")
DEFAULT_CHANGED = _rule(
    "default-changed",
    "schemas",
    "either",
    _BY_WRITER,
    "a default changed (breaks when clients write the value)",
)
DEPRECATION_CHANGED = _rule(
    "deprecation-changed", "schemas", "either", (_OK,), "a value was deprecated or undeprecated"
)
ACCESS_CHANGED = _rule(
    "access-changed", "schemas", "either", (_C, _S), "readOnly or writeOnly changed"
)
SCHEMA_DOCUMENTATION_CHANGED = _docs(
    "schema-documentation-changed",
    "schemas",
    "a schema's description, title, examples or x- extension changed",
)
SCHEMA_KEYWORD_CHANGED = _rule(
    "schema-keyword-changed",
    "schemas",
    "either",
    (_C, _S),
    "a keyword spaces diff does not understand changed (review it)",
)
PROPERTY_REMOVED = _rule(
    "property-removed", "schemas", "either", (_C, _S), "an object property was removed"
)
PROPERTY_ADDED = _rule(
    "property-added", "schemas", "either", _BY_WRITER, "an object property was added"
)
PROPERTY_MADE_REQUIRED = _rule(
    "property-made-required", "schemas", "either", _BY_WRITER, "a property was made required"
)
PROPERTY_MADE_OPTIONAL = _rule(
    "property-made-optional", "schemas", "either", _BY_WRITER, "a property was made optional"
)
ADDITIONAL_PROPERTIES_CHANGED = _values(
    "additional-properties-changed", "additionalProperties changed (open, closed, a schema)"
)
VARIANT_REMOVED = _values("variant-removed", "a oneOf/anyOf/allOf member was removed")
VARIANT_ADDED = _values("variant-added", "a oneOf/anyOf/allOf member was added")
NOT_CHANGED = _values("not-changed", "a `not` schema changed")
DISCRIMINATOR_CHANGED = _rule(
    "discriminator-changed",
    "schemas",
    "either",
    (_C, _S),
    "the discriminator property of a union changed",
)
DISCRIMINATOR_VALUE_REMOVED = _values(
    "discriminator-value-removed", "a discriminator value is no longer mapped"
)
DISCRIMINATOR_VALUE_REMAPPED = _values(
    "discriminator-value-remapped", "a discriminator value maps to another schema"
)
DISCRIMINATOR_VALUE_ADDED = _values("discriminator-value-added", "a discriminator value was mapped")

# --- security
SECURITY_REMOVED = _rule(
    "security-removed", "security", "request", (_C, _S), "a way to authenticate was dropped"
)
SECURITY_ADDED = _rule(
    "security-added", "security", "request", (_S,), "a way to authenticate was added"
)
SECURITY_SCHEME_REMOVED = _rule(
    "security-scheme-removed", "security", "request", (_C, _S), "a security scheme was removed"
)
SECURITY_SCHEME_ADDED = _rule(
    "security-scheme-added", "security", "request", (_OK,), "a security scheme was added"
)
SECURITY_SCHEME_CHANGED = _rule(
    "security-scheme-changed",
    "security",
    "request",
    (_C, _S),
    "how a security scheme sends credentials changed",
)

# --- the generated client's public names (the wire format may be unchanged)
CLIENT_RENAMED = _rule(
    "client-renamed", "client", "none", (_C,), "the client package or class was renamed"
)
METHOD_RENAMED = _rule("method-renamed", "client", "none", (_C,), "a client method was renamed")
POSITIONAL_ARGUMENTS_CHANGED = _rule(
    "positional-arguments-changed",
    "client",
    "none",
    (_C,),
    "the positional arguments of a client method changed",
)
ARGUMENT_REMOVED = _rule(
    "argument-removed", "client", "none", (_C,), "a client method lost a keyword argument"
)
ARGUMENT_ADDED = _rule(
    "argument-added",
    "client",
    "none",
    (_C, _OK),
    "a client method gained a keyword argument (breaks when required)",
)
MODEL_REMOVED = _rule("model-removed", "client", "none", (_C,), "a model is no longer generated")
ENUM_MEMBER_REMOVED = _rule(
    "enum-member-removed", "client", "none", (_C,), "a generated enum lost a member"
)
