"""The intermediate model: what the generator knows about the API, as frozen, typed data.

Everything a template needs is decided here (names, Python types, imports, examples), so templates
only assemble text and never look into the raw spec. The same model is meant to feed other
emitters too (for example an HTML/Markdown reference): each class keeps the spec's descriptions,
examples and JSON pointers, not just what the Python client uses.

The API's concepts (operations, parameters, bodies, responses, lists, servers, examples) are
declared once, in `spaces_toolkit.spec`; the classes here are the client's *views* of them,
named for what they are to the client (`ClientMethod`, `Argument`, `ClientBody`,
`ClientResponse`, `ClientPage`, `ClientAuth`), each holding the model object it views as `spec`
and reading the spec's own facts (names, statuses, pointers, descriptions) from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from spaces_toolkit import spec as specmodel
from spaces_toolkit.spec import Example, Server

__all__ = [
    "Api",
    "Argument",
    "Attribute",
    "ClientAuth",
    "ClientBody",
    "ClientMethod",
    "ClientNames",
    "ClientPage",
    "ClientResponse",
    "EnumMember",
    "Example",
    "Model",
    "Resource",
    "Server",
    "TypeRef",
    "UnionVariant",
    "WebhookEvent",
]

ModelKind = Literal["object", "enum", "union", "scalar"]
ParamLocation = Literal["path", "query", "header", "body"]  # "body": a body property
AuthKind = Literal["basic", "bearer", "none"]


@dataclass(frozen=True)
class TypeRef:
    """A type as generated Python code writes it, and as a reader of docs would say it."""

    python: str  # annotation in the generated package, e.g. "list[Customer]", "str | None"
    display: str  # schema-level wording, e.g. "array of Customer", "string | null"
    models: tuple[str, ...] = ()  # component models the annotation names (imports, doc links)
    nullable: bool = False


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


def _view_of() -> Any:
    """The field holding the spec model's object a view is built from (left out of repr: it
    holds the document's own schema nodes)."""
    return field(kw_only=True, repr=False)


@dataclass(frozen=True)
class Argument:
    """A keyword argument of a client method: a spec parameter, or a body property."""

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
    # The parameter it views; None for a body property (an `Attribute` of the body's schema).
    spec: specmodel.Parameter | None = field(default=None, kw_only=True, repr=False)


@dataclass(frozen=True)
class ClientBody:
    """The request body as the client sends it: its properties as keyword arguments."""

    content_type: str  # the one the client sends
    model: str | None
    fields: tuple[Argument, ...]  # the body's properties, as keyword arguments
    examples: tuple[Example, ...] = ()
    spec: specmodel.RequestBody = _view_of()

    @property
    def required(self) -> bool:
        return self.spec.required

    @property
    def content_types(self) -> tuple[str, ...]:
        """Every media type the spec accepts."""
        return self.spec.media_types

    @property
    def description(self) -> str:
        return self.spec.description


@dataclass(frozen=True)
class ClientResponse:
    """A declared response as the client parses it."""

    model: str | None = None
    type: TypeRef | None = None
    content_type: str | None = None
    examples: tuple[Example, ...] = ()
    spec: specmodel.Response = _view_of()

    @property
    def status(self) -> str:
        """As declared: "200", "404", "5XX" or "default"."""
        return self.spec.status

    @property
    def description(self) -> str:
        return self.spec.description

    @property
    def headers(self) -> tuple[tuple[str, str], ...]:
        """(name, description) of each header it declares."""
        return tuple((h.name, h.description) for h in self.spec.headers)


@dataclass(frozen=True)
class ClientPage:
    """A cursor-paginated list as the client pages it: `envelope` (a page) holds
    `items_attr` and `has_more_attr`. The list's facts are the spec model's `ListOperation`."""

    envelope: str
    item: TypeRef
    cursor_type: TypeRef
    spec: specmodel.ListOperation = _view_of()

    @property
    def items_attr(self) -> str:
        return self.spec.items_field

    @property
    def has_more_attr(self) -> str:
        return self.spec.has_more_field

    @property
    def after_param(self) -> str:
        return self.spec.after.name

    @property
    def before_param(self) -> str | None:
        return self.spec.before.name if self.spec.before else None

    @property
    def cursor_attrs(self) -> tuple[str, ...]:
        """Attributes of an item that may be its cursor, preferred first."""
        return self.spec.cursor_fields

    @property
    def cursor_attr(self) -> str:
        """The preferred cursor attribute (the one examples and docs show)."""
        return self.cursor_attrs[0]


@dataclass(frozen=True)
class ClientMethod:
    """An operation as a method of a client resource."""

    name: str  # method name on the resource: list, retrieve, create ...
    path_params: tuple[Argument, ...]
    query_params: tuple[Argument, ...]
    header_params: tuple[Argument, ...]
    body: ClientBody | None
    response: ClientResponse  # the success response
    errors: tuple[ClientResponse, ...]
    pagination: ClientPage | None
    returns: TypeRef  # the parsed success body (the item type's envelope for lists)
    idempotent: bool
    spec: specmodel.Operation = _view_of()

    @property
    def operation_id(self) -> str:
        return self.spec.operation_id or ""

    @property
    def http_method(self) -> str:
        """Upper case."""
        return self.spec.method

    @property
    def path(self) -> str:
        return self.spec.path

    @property
    def summary(self) -> str:
        return self.spec.summary

    @property
    def description(self) -> str:
        return self.spec.description

    @property
    def pointer(self) -> str:
        return self.spec.pointer

    @property
    def deprecated(self) -> bool:
        return self.spec.deprecated

    @property
    def params(self) -> tuple[Argument, ...]:
        body = self.body.fields if self.body else ()
        return (*self.path_params, *self.query_params, *self.header_params, *body)


@dataclass(frozen=True)
class Resource:
    tag: str  # the tag it comes from, e.g. "Captured Emails"
    name: str  # attribute on the client: captured_emails
    class_name: str  # CapturedEmailsResource
    module: str  # module under resources/: captured_emails
    description: str
    operations: tuple[ClientMethod, ...]
    object_model: str | None  # the model its operations return (docs: "the X object")


@dataclass(frozen=True)
class WebhookEvent:
    """A top-level `webhooks` entry: what a subscribed target URL receives."""

    payload: TypeRef
    payload_model: str | None
    content_type: str
    responses: tuple[ClientResponse, ...]
    examples: tuple[Example, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()  # request headers it carries: (name, example)
    spec: specmodel.Webhook = _view_of()

    @property
    def name(self) -> str:
        """The key, e.g. "customer.created"."""
        return self.spec.name

    @property
    def operation_id(self) -> str:
        return self.spec.operation_id or ""

    @property
    def http_method(self) -> str:
        return self.spec.method

    @property
    def summary(self) -> str:
        return self.spec.summary

    @property
    def description(self) -> str:
        return self.spec.description

    @property
    def pointer(self) -> str:
        return self.spec.pointer


@dataclass(frozen=True)
class ClientAuth:
    """How the client authenticates: the spec's security scheme it speaks (None: none)."""

    kind: AuthKind
    spec: specmodel.SecurityScheme | None = field(default=None, kw_only=True, repr=False)

    @property
    def scheme(self) -> str:
        """Its name under components/securitySchemes ("" for none)."""
        return self.spec.name if self.spec else ""

    @property
    def description(self) -> str:
        return self.spec.description if self.spec else ""


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
    auth: ClientAuth
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
    def operations(self) -> tuple[ClientMethod, ...]:
        return tuple(op for resource in self.resources for op in resource.operations)
