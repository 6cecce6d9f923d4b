"""The typed, immutable model of an OpenAPI 3.1 document (see the package docstring).

Every class is a frozen dataclass of tuples and scalars. Schema nodes (`SchemaRef.node`,
`.resolved`) are the document's own JSON values, shared rather than copied: read them, never
mutate them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "Bounds",
    "Example",
    "Header",
    "ItemLink",
    "Link",
    "ListOperation",
    "MediaType",
    "Operation",
    "Parameter",
    "ParamLocation",
    "RequestBody",
    "Response",
    "SchemaRef",
    "SecurityRequirement",
    "SecurityScheme",
    "Server",
    "Tag",
    "Webhook",
]

ParamLocation = Literal["path", "query", "header", "cookie"]
JSON = "application/json"


@dataclass(frozen=True)
class SchemaRef:
    """A schema where the document writes it, and what it is once its `$ref`s are followed."""

    node: Any  # as written: possibly {"$ref": ...}
    pointer: str  # where it is written (a JSON pointer; what validators are built from)
    resolved: Any  # the node with its `$ref`s followed
    target: str  # pointer of `resolved` (== pointer when node is not a reference)

    @property
    def type(self) -> str | None:
        """The JSON type, when the schema names exactly one ("integer", "string", "array"...)."""
        kind = self.resolved.get("type") if isinstance(self.resolved, dict) else None
        return kind if isinstance(kind, str) else None

    def get(self, keyword: str, default: Any = None) -> Any:
        """A keyword of the resolved schema."""
        return self.resolved.get(keyword, default) if isinstance(self.resolved, dict) else default


@dataclass(frozen=True)
class Bounds:
    """What a value must be, as the schema's keywords say (None: the schema does not say)."""

    minimum: int | float | None = None
    maximum: int | float | None = None
    exclusive_minimum: int | float | None = None
    exclusive_maximum: int | float | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    format: str | None = None
    enum: tuple[Any, ...] | None = None

    @classmethod
    def of(cls, schema: SchemaRef) -> Bounds:
        enum = schema.get("enum")
        return cls(
            minimum=schema.get("minimum"),
            maximum=schema.get("maximum"),
            exclusive_minimum=schema.get("exclusiveMinimum"),
            exclusive_maximum=schema.get("exclusiveMaximum"),
            min_length=schema.get("minLength"),
            max_length=schema.get("maxLength"),
            pattern=schema.get("pattern"),
            format=schema.get("format"),
            enum=tuple(enum) if isinstance(enum, list) else None,
        )

    def keywords(self) -> tuple[tuple[str, Any], ...]:
        """The bounds the schema sets, as (JSON Schema keyword, value), in a fixed order."""
        named = (
            ("minimum", self.minimum),
            ("maximum", self.maximum),
            ("exclusiveMinimum", self.exclusive_minimum),
            ("exclusiveMaximum", self.exclusive_maximum),
            ("minLength", self.min_length),
            ("maxLength", self.max_length),
            ("pattern", self.pattern),
            ("format", self.format),
        )
        return tuple((k, v) for k, v in named if v is not None)


@dataclass(frozen=True)
class Example:
    name: str  # "example" for a lone `example`, else its key under `examples`
    value: Any
    summary: str = ""


@dataclass(frozen=True)
class Parameter:
    name: str
    location: ParamLocation | str  # OpenAPI's `in`; anything else is the validator's to refuse
    required: bool  # path parameters always are
    description: str  # the parameter's own (its schema may carry another)
    pointer: str  # where the operation lists it (before following a `$ref`)
    target: str  # the parameter object's own pointer (after following)
    schema: SchemaRef
    bounds: Bounds
    default: Any = None
    has_default: bool = False
    example: Any = None  # the parameter's `example`, else its schema's
    deprecated: bool = False

    @property
    def type(self) -> str | None:
        return self.schema.type


@dataclass(frozen=True)
class MediaType:
    media_type: str  # "application/json", "application/x-www-form-urlencoded", ...
    pointer: str
    schema: SchemaRef | None
    examples: tuple[Example, ...] = ()


@dataclass(frozen=True)
class RequestBody:
    pointer: str  # the request body object's own pointer (after following a `$ref`)
    required: bool
    description: str
    content: tuple[MediaType, ...]

    @property
    def media_types(self) -> tuple[str, ...]:
        return tuple(m.media_type for m in self.content)

    def media(self, media_type: str) -> MediaType | None:
        return next((m for m in self.content if m.media_type == media_type), None)


@dataclass(frozen=True)
class Header:
    name: str
    description: str
    schema: SchemaRef | None


@dataclass(frozen=True)
class Link:
    """An OpenAPI link: how a value of this response feeds another operation."""

    name: str
    operation_id: str | None
    operation_ref: str | None
    parameters: tuple[tuple[str, Any], ...]  # (parameter name, runtime expression or value)
    description: str = ""


@dataclass(frozen=True)
class Response:
    status: str  # "200", "4XX", "default"
    pointer: str  # the response object's own pointer (after following a `$ref`)
    description: str
    content: tuple[MediaType, ...] = ()
    headers: tuple[Header, ...] = ()
    links: tuple[Link, ...] = ()

    def media(self, media_type: str = JSON) -> MediaType | None:
        return next((m for m in self.content if m.media_type == media_type), None)

    @property
    def preferred(self) -> MediaType | None:
        """The JSON body if there is one, else the first declared."""
        return self.media(JSON) or (self.content[0] if self.content else None)


@dataclass(frozen=True)
class SecurityScheme:
    name: str  # its key under components/securitySchemes
    pointer: str
    type: str  # "http", "apiKey", "oauth2", ...
    scheme: str  # for http: "basic", "bearer" (lower case); else ""
    description: str
    location: str = ""  # for apiKey: "header", "query", "cookie"
    parameter: str = ""  # for apiKey: the header/query/cookie name


# One alternative of a `security` list: (scheme name, scopes) pairs, all required together.
SecurityRequirement = tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class Operation:
    operation_id: str | None  # None only in a document that omits it (the generator refuses it)
    method: str  # upper case
    path: str  # as in the document, e.g. "/customers/{id}"
    pointer: str  # /paths/~1customers~1{id}/get
    tags: tuple[str, ...]
    summary: str
    description: str
    deprecated: bool
    parameters: tuple[Parameter, ...]  # path-level and own, merged (own wins), document order
    request_body: RequestBody | None
    responses: tuple[Response, ...]  # document order
    security: tuple[SecurityRequirement, ...]  # effective: its own, else the document's
    extensions: tuple[tuple[str, Any], ...] = ()  # its x-* keys

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    def params_in(self, location: str) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.location == location)

    def parameter(self, name: str, location: str = "query") -> Parameter | None:
        return next((p for p in self.parameters if p.name == name and p.location == location), None)

    def response(self, status: int | str) -> Response | None:
        """The response declared for a status: exact, else its range (2XX), else `default`."""
        code = str(status)
        by_status = {r.status.upper(): r for r in self.responses}
        return by_status.get(code) or by_status.get(f"{code[:1]}XX") or by_status.get("DEFAULT")

    @property
    def success(self) -> Response | None:
        """The first 2xx response (what a successful call returns)."""
        return next((r for r in self.responses if r.status.startswith("2")), None)

    def extension(self, name: str, default: Any = None) -> Any:
        return dict(self.extensions).get(name, default)


@dataclass(frozen=True)
class ItemLink:
    """A link of a list page that feeds one listed item into another operation (e.g. retrieve)."""

    name: str
    operation_id: str
    parameters: tuple[tuple[str, str], ...]  # target parameter -> JSON pointer inside an item


@dataclass(frozen=True)
class ListOperation:
    """A cursor-paginated list (the convention is in `spaces_toolkit.spec.lists`).

    A page is the success body, an object whose `items_field` array holds the items and whose
    boolean `has_more_field` says whether more follow. The next page is asked for with `after`
    set to the cursor of the page's last item, the previous one with `before` (if the
    operation has it) set to that of its first; `limit` is the page size.

    An item's cursor is its first present field of `cursor_fields` (the declared order of
    preference: `id`, and for subscriptions `token` where a server sends no `id`, spec/NOTES.md
    14): `cursor_of(item)`. `cursor_required` says whether the item schema guarantees one; when
    it does not, an item without any of the fields has no usable cursor and the list cannot be
    walked past that item's page (NOTES 14: the docs give those objects no id).
    """

    operation: Operation
    envelope: SchemaRef  # the page's schema
    item: SchemaRef  # one item's schema (the envelope's items array's `items`)
    items_field: str
    has_more_field: str
    cursor_field: str  # the preferred item field whose value is a cursor (cursor_fields[0])
    after: Parameter
    before: Parameter | None
    limit: Parameter | None
    object_const: str | None = None  # the envelope's `object` constant ("list"), if it has one
    item_links: tuple[ItemLink, ...] = ()  # links whose every parameter reads the first item
    cursor_fields: tuple[str, ...] = ()  # every field a cursor may be, preferred first
    cursor_required: bool = True  # whether every item schema requires one of cursor_fields

    def __post_init__(self) -> None:
        if not self.cursor_fields:
            object.__setattr__(self, "cursor_fields", (self.cursor_field,))

    @property
    def label(self) -> str:
        return self.operation.label

    def cursor_of(self, item: Any) -> Any:
        """The cursor of one listed item (a parsed JSON object): the value of its first present,
        non-null field of `cursor_fields`; None when it has none (no usable cursor)."""
        if not isinstance(item, dict):
            return None
        return next((item[f] for f in self.cursor_fields if item.get(f) is not None), None)

    def cursor_field_of(self, item: Any) -> str | None:
        """Which of `cursor_fields` gives the item its cursor (None: none usable)."""
        if not isinstance(item, dict):
            return None
        return next((f for f in self.cursor_fields if item.get(f) is not None), None)

    @property
    def path(self) -> str:
        return self.operation.path

    @property
    def cursor_type(self) -> str | None:
        """The JSON type of a cursor ("string", "integer")."""
        return self.after.type


@dataclass(frozen=True)
class Webhook:
    """A top-level `webhooks` entry: what a subscriber's URL receives."""

    name: str
    method: str  # upper case
    pointer: str
    operation_id: str | None
    summary: str
    description: str
    parameters: tuple[Parameter, ...]  # the delivery's headers (spec/NOTES.md 50)
    request_body: RequestBody | None
    responses: tuple[Response, ...]


@dataclass(frozen=True)
class Server:
    url: str
    description: str = ""


@dataclass(frozen=True)
class Tag:
    name: str
    description: str = ""
    extensions: tuple[tuple[str, Any], ...] = field(default=())
