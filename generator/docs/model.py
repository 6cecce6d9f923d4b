"""What the docs show, as data: built once from the IR (generator.docs.view), laid out by the
HTML and Markdown templates."""

from __future__ import annotations

from dataclasses import dataclass

from .. import ir
from .fields import Field, Link
from .samples import Sample
from .tryit import TryForm

__all__ = [
    "DocsView",
    "ErrorView",
    "OperationView",
    "ResourceView",
    "SearchEntry",
    "WebhookView",
]


@dataclass(frozen=True)
class ErrorView:
    status: str
    description: str
    message: str  # the example `message`, if the spec has one


@dataclass(frozen=True)
class OperationView:
    operation_id: str
    anchor: str
    paginated: bool
    method: str
    path: str
    summary: str
    description: str
    path_params: tuple[Field, ...]
    query_params: tuple[Field, ...]
    body: tuple[Field, ...]
    body_types: tuple[str, ...]
    returns: str  # Markdown
    returns_link: Link | None
    status: str
    response_example: str  # pretty JSON
    errors: tuple[ErrorView, ...]
    samples: tuple[Sample, ...]
    try_it: TryForm  # the try-it panel's form


@dataclass(frozen=True)
class ResourceView:
    tag: str
    anchor: str
    singular: str  # "Captured Email" (the original docs' section titles)
    description: str
    object_name: str  # "captured email"
    object_anchor: str
    object_description: str
    attributes: tuple[Field, ...]
    example: str  # pretty JSON
    operations: tuple[OperationView, ...]
    markdown_file: str  # "captured_email.md"


@dataclass(frozen=True)
class WebhookView:
    name: str  # "customer.created"
    anchor: str
    summary: str
    description: str
    payload_link: Link | None
    data_link: Link | None  # the object in data.object
    example: str
    responses: tuple[tuple[str, str], ...]  # (status, description)
    samples: tuple[Sample, ...]  # receiving it


@dataclass(frozen=True)
class SearchEntry:
    kind: str  # "section", "operation", "parameter", "attribute", "status", "event"
    label: str
    detail: str
    anchor: str
    group: str


@dataclass(frozen=True)
class DocsView:
    title: str
    version: str
    summary: str
    intro: tuple[str, ...]  # Markdown paragraphs
    topics: dict[str, str]  # "Authentication" -> the description's paragraph on it
    servers: tuple[ir.Server, ...]
    base_url: str
    auth_description: str
    auth_scheme: str
    auth_kind: str  # "basic", "bearer"
    auth_samples: tuple[Sample, ...]
    error_statuses: tuple[ErrorView, ...]
    error_fields: tuple[Field, ...]
    error_example: str  # pretty JSON of one error response
    error_example_status: str
    pagination_params: tuple[Field, ...]
    list_fields: tuple[Field, ...]
    list_example: str  # what list_fields describe: "customers"
    pagination_samples: tuple[Sample, ...]
    resources: tuple[ResourceView, ...]
    webhooks: tuple[WebhookView, ...]
    event_types: tuple[tuple[str, str], ...]  # (type, description)
    subscribe_link: Link | None  # the operation that subscribes a URL to event types
    delivery_example: str  # what a target URL receives, as an HTTP request
    value_anchors: dict[str, str]  # JSON literal of an enum value -> its section ('"invoice.paid"')
    search: tuple[SearchEntry, ...]
    package: str
    client_class: str
    async_client_class: str
    env_prefix: str
    spec_label: str
    spec_sha256: str
