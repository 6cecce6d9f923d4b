"""The intermediate model: what the generator knows about the API, as frozen, typed data.

Everything a template needs is decided here (names, Python types, imports, examples), so templates
only assemble text and never look into the raw spec. The same model is meant to feed other
emitters too (for example an HTML/Markdown reference): each class keeps the spec's descriptions,
examples and JSON pointers, not just what the Python client uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "Api",
    "Attribute",
    "Auth",
    "ClientNames",
    "EnumMember",
    "Example",
    "Model",
    "Operation",
    "Pagination",
    "Parameter",
    "RequestBody",
    "Resource",
    "Response",
    "Server",
    "TypeRef",
    "UnionVariant",
    "WebhookEvent",
]

ModelKind = Literal["object", "enum", "union", "scalar"]
ParamLocation = Literal["path", "query", "header", "body"]
AuthKind = Literal["basic", "bearer", "none"]


@dataclass(frozen=True)
class TypeRef:
    """A type as generated Python code writes it, and as a reader of docs would say it."""

    python: str  # annotation in the generated package, e.g. "list[Customer]", "str | None"
    display: str  # schema-level wording, e.g. "array of Customer", "string | null"
    models: tuple[str, ...] = ()  # component models the annotation names (imports, doc links)
    nullable: bool = False


@dataclass(frozen=True)
class Example:
    name: str
    value: Any
    summary: str = ""


@dataclass(frozen=True)
class Attribute:
    """One property of an object model."""

    name: str  # name on the wire
    python_name: str
    type: TypeRef
    required: bool
    description: str
    pointer: str
    const: Any = None
    has_const: bool = False
    enum: tuple[Any, ...] = ()
    ref: str | None = None  # the component model this property holds, if any
    constraints: tuple[tuple[str, Any], ...] = ()  # ("minimum", 1), ("maxLength", 2048) ...
    decisions: tuple[int, ...] = ()  # spec/NOTES.md entries that made its rules (x-decision)

    @property
    def nullable(self) -> bool:
        return self.type.nullable


@dataclass(frozen=True)
class EnumMember:
    value: Any
    python_name: str
    description: str = ""


@dataclass(frozen=True)
class UnionVariant:
    tag: str | None  # discriminator value, when the union has a discriminator
    model: str


@dataclass(frozen=True)
class Model:
    """A component schema. `kind` says which of the optional parts are filled."""

    name: str
    pointer: str
    kind: ModelKind
    description: str
    type: TypeRef  # how other code refers to it
    attributes: tuple[Attribute, ...] = ()
    enum: tuple[EnumMember, ...] = ()
    variants: tuple[UnionVariant, ...] = ()
    discriminator: str | None = None
    unknown_variant: str | None = None  # generated fallback model for unknown discriminator values
    examples: tuple[Example, ...] = ()


@dataclass(frozen=True)
class Parameter:
    name: str
    python_name: str
    location: ParamLocation
    required: bool
    type: TypeRef  # the type of the argument (for enums: the enum or its literal values)
    description: str
    pointer: str
    default: Any = None
    has_default: bool = False
    example: Any = None
    constraints: tuple[tuple[str, Any], ...] = ()
    decisions: tuple[int, ...] = ()  # spec/NOTES.md entries that made its rules (x-decision)


@dataclass(frozen=True)
class RequestBody:
    required: bool
    content_types: tuple[str, ...]  # every media type the spec accepts
    content_type: str  # the one the client sends
    model: str | None
    fields: tuple[Parameter, ...]  # the body's properties, as keyword arguments
    description: str
    examples: tuple[Example, ...] = ()


@dataclass(frozen=True)
class Response:
    status: str  # "200", "404", "5XX", "default"
    description: str
    model: str | None = None
    type: TypeRef | None = None
    content_type: str | None = None
    examples: tuple[Example, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()  # (name, description)


@dataclass(frozen=True)
class Pagination:
    """A cursor-paginated list: `envelope` holds `items_attr` (a page) and `has_more_attr`."""

    envelope: str
    item: TypeRef
    items_attr: str
    has_more_attr: str
    after_param: str
    before_param: str | None
    cursor_attrs: tuple[str, ...]  # attributes of an item that may be its cursor, preferred first
    cursor_type: TypeRef

    @property
    def cursor_attr(self) -> str:
        """The preferred cursor attribute (the one examples and docs show)."""
        return self.cursor_attrs[0]


@dataclass(frozen=True)
class Operation:
    operation_id: str
    name: str  # method name on the resource: list, retrieve, create ...
    http_method: str  # upper case
    path: str
    summary: str
    description: str
    pointer: str
    path_params: tuple[Parameter, ...]
    query_params: tuple[Parameter, ...]
    header_params: tuple[Parameter, ...]
    body: RequestBody | None
    response: Response  # the success response
    errors: tuple[Response, ...]
    pagination: Pagination | None
    returns: TypeRef  # the parsed success body (the item type's envelope for lists)
    idempotent: bool
    deprecated: bool = False

    @property
    def params(self) -> tuple[Parameter, ...]:
        body = self.body.fields if self.body else ()
        return (*self.path_params, *self.query_params, *self.header_params, *body)


@dataclass(frozen=True)
class Resource:
    tag: str  # the tag it comes from, e.g. "Captured Emails"
    name: str  # attribute on the client: captured_emails
    class_name: str  # CapturedEmailsResource
    module: str  # module under resources/: captured_emails
    description: str
    operations: tuple[Operation, ...]
    object_model: str | None  # the model its operations return (docs: "the X object")


@dataclass(frozen=True)
class WebhookEvent:
    """A top-level `webhooks` entry: what a subscribed target URL receives."""

    name: str  # the key, e.g. "customer.created"
    operation_id: str
    http_method: str
    summary: str
    description: str
    pointer: str
    payload: TypeRef
    payload_model: str | None
    content_type: str
    responses: tuple[Response, ...]
    examples: tuple[Example, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()  # request headers it carries: (name, example)


@dataclass(frozen=True)
class Server:
    url: str
    description: str = ""


@dataclass(frozen=True)
class Auth:
    kind: AuthKind
    scheme: str  # name under components/securitySchemes
    description: str = ""


@dataclass(frozen=True)
class ClientNames:
    """Names of the generated package, derived from the spec's title ("Spaces API" -> Spaces)."""

    prefix: str  # Spaces
    package: str  # spaces_client
    distribution: str  # spaces-client
    env_prefix: str  # SPACES
    version: str  # version of the generated package

    @property
    def client_class(self) -> str:
        return f"{self.prefix}Client"

    @property
    def async_client_class(self) -> str:
        return f"Async{self.prefix}Client"

    @property
    def error_class(self) -> str:
        return f"{self.prefix}Error"


@dataclass(frozen=True)
class Api:
    title: str
    version: str
    summary: str
    description: str
    servers: tuple[Server, ...]
    auth: Auth
    resources: tuple[Resource, ...]
    models: tuple[Model, ...]
    webhooks: tuple[WebhookEvent, ...]
    webhook_union: str | None  # the union model every webhook payload belongs to, if one does
    client: ClientNames
    spec_label: str  # how the spec is named in stamps, e.g. "spec/openapi.yaml"
    spec_sha256: str

    def model(self, name: str) -> Model:
        for model in self.models:
            if model.name == name:
                return model
        raise KeyError(name)

    @property
    def operations(self) -> tuple[Operation, ...]:
        return tuple(op for resource in self.resources for op in resource.operations)
