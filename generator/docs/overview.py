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


def _find(api: ir.Api, operation_id: str) -> tuple[ir.Resource, ir.Operation]:
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
    return replace(view, search=tuple(entries))
