"""The overview parts of the docs: samples for authentication and pagination, the example
delivery, and the search index."""

from __future__ import annotations

import json
from dataclasses import replace

from .. import ir
from .examples import ExampleIndex
from .fields import Link
from .model import DocsView, OperationView, ResourceView, SearchEntry, WebhookView
from .samples import Sample, auth_sample, curl_pages, pagination_sample

__all__ = [
    "auth_samples",
    "delivery",
    "first_operation",
    "pagination_samples",
    "status_anchor",
    "subscribe_link",
    "with_search",
]


def delivery(api: ir.Api, webhooks: tuple[WebhookView, ...]) -> str:
    hook = next((h for h in api.webhooks), None)
    if hook is None or not webhooks:
        return ""
    lines = [f"{hook.http_method} <target_url>", f"Content-Type: {hook.content_type}"]
    lines += [f"{name}: {example}" for name, example in hook.headers]
    head = "\n".join(lines) + "\n\n"
    return head + webhooks[0].example


def subscribe_link(resources: tuple[ResourceView, ...], events: set[str]) -> Link | None:
    for resource in resources:
        for op in resource.operations:
            for field in op.body:
                if events and {json.loads(v) for v, _ in field.values} == events:
                    return Link(op.summary, op.anchor)
    return None


def first_operation(
    resources: tuple[ResourceView, ...], *, paginated: bool
) -> OperationView | None:
    """A list operation without path parameters, of the resource with the most operations."""
    ranked = sorted(resources, key=lambda r: -len(r.operations))
    for resource in ranked:
        for op in resource.operations:
            if op.paginated == paginated and not op.path_params:
                return op
    return None


def auth_samples(api: ir.Api, resources: tuple[ResourceView, ...]) -> tuple[Sample, ...]:
    view = first_operation(resources, paginated=True)
    if view is None:
        return ()
    resource, op = _find(api, view.operation_id)
    curl = [s for s in view.samples if s.lang == "curl"]
    return (*curl, Sample("python", "Python", auth_sample(api, resource, op)))


def _find(api: ir.Api, operation_id: str) -> tuple[ir.Resource, ir.ClientMethod]:
    for resource in api.resources:
        for op in resource.operations:
            if op.operation_id == operation_id:
                return resource, op
    raise KeyError(operation_id)


def pagination_samples(
    api: ir.Api, resources: tuple[ResourceView, ...], examples: ExampleIndex
) -> tuple[Sample, ...]:
    view = first_operation(resources, paginated=True)
    if view is None:
        return ()
    resource, op = _find(api, view.operation_id)
    cursor = None
    if op.pagination and op.pagination.item.models:
        item = examples.for_model(op.pagination.item.models[0])
        cursor = item.get(op.pagination.cursor_attr) if isinstance(item, dict) else None
    return (
        Sample("curl", "curl", curl_pages(api, op, cursor)),
        Sample("python", "Python", pagination_sample(api, resource, op)),
    )


def with_search(view: DocsView) -> DocsView:
    entries = [
        SearchEntry("section", "Authentication", "HTTP Basic auth", "authentication", "Overview"),
        SearchEntry("section", "Errors", "status codes", "errors", "Overview"),
        SearchEntry("section", "Pagination", "cursors", "pagination", "Overview"),
    ]
    for resource in view.resources:
        entries.append(
            SearchEntry(
                "section",
                f"The {resource.object_name} object",
                resource.tag,
                resource.object_anchor,
                resource.tag,
            )
        )
        for op in resource.operations:
            entries.append(
                SearchEntry(
                    "operation", op.summary, f"{op.method} {op.path}", op.anchor, resource.tag
                )
            )
        for top in resource.attributes:
            for field in top.walk():
                label = f"{resource.object_name.replace(' ', '_')}.{field.path}"
                entries.append(
                    SearchEntry("attribute", label, field.type, field.anchor, resource.tag)
                )
    for hook in view.webhooks:
        entries.append(
            SearchEntry("event", hook.name, "webhook event", hook.anchor, "Webhook events")
        )
    entries += _more_entries(view)
    return replace(view, search=tuple(entries))


def status_anchor(status: str) -> str:
    """The id of a status code's row in the Errors section."""
    return f"status-{status.lower()}"


def _plain(markdown: str) -> str:
    """A one-line, mark-up free excerpt of a description, for a search result's detail."""
    text = " ".join(markdown.replace("`", "").replace("*", "").split())
    return text if len(text) <= 90 else text[:89].rstrip() + "…"


def _more_entries(view: DocsView) -> list[SearchEntry]:
    """Parameters (each operation's, and the pagination section's), the error and list objects'
    fields, and the status codes."""
    entries = []
    for field in view.pagination_params:
        entries.append(
            SearchEntry("parameter", field.name, "query · Pagination", field.anchor, "Overview")
        )
    for resource in view.resources:
        for op in resource.operations:
            for where, params in (
                ("path", op.path_params),
                ("query", op.query_params),
                ("body", op.body),
            ):
                for field in params:
                    detail = f"{where} · {op.summary}"
                    entries.append(
                        SearchEntry("parameter", field.name, detail, field.anchor, resource.tag)
                    )
    for prefix, fields in (("error", view.error_fields), ("list", view.list_fields)):
        for top in fields:
            for field in top.walk():
                entries.append(
                    SearchEntry(
                        "attribute", f"{prefix}.{field.path}", field.type, field.anchor, "Overview"
                    )
                )
    for error in view.error_statuses:
        entries.append(
            SearchEntry(
                "status",
                error.status,
                _plain(error.description),
                status_anchor(error.status),
                "Errors",
            )
        )
    return entries
