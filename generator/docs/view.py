"""The docs' own view of the API, built from the generator's IR: everything both the HTML page and
the Markdown pages show, decided once, so their templates only lay it out."""

from __future__ import annotations

import json
import re
from typing import Any

from .. import ir
from ..naming import snake_case, split_words
from .examples import ExampleIndex
from .fields import FieldBuilder, Link
from .model import DocsView, ErrorView, OperationView, ResourceView, WebhookView
from .overview import (
    auth_samples,
    delivery,
    first_operation,
    pagination_samples,
    subscribe_link,
    with_search,
)
from .samples import Sample, operation_samples, placeholder_values, webhook_sample
from .tryit import try_form

__all__ = ["build_view", "kebab", "pretty", "split_description"]


_TOPIC = re.compile(r"^\*\*([^*]+?)\.\*\*\s*", re.S)


def split_description(text: str) -> tuple[tuple[str, ...], dict[str, str]]:
    """Plain paragraphs, and the ones that open with a bold topic ("**Errors.** …") by topic."""
    intro, topics = [], {}
    for para in (p.strip() for p in text.split("\n\n")):
        if not para:
            continue
        match = _TOPIC.match(para)
        if match:
            topics[match.group(1)] = para[match.end() :]
        else:
            intro.append(para)
    return tuple(intro), topics


def pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def kebab(text: str) -> str:
    return "-".join(w.lower() for w in split_words(text))


def build_view(api: ir.Api) -> DocsView:
    models = {m.name: m for m in api.models}
    examples = ExampleIndex(api)
    object_links = {
        r.object_model: Link(f"The {_words(r.object_model)} object", f"{kebab(r.tag)}-object")
        for r in api.resources
        if r.object_model
    }
    fields = FieldBuilder(api, object_links)
    for anchor in ("introduction", "authentication", "errors", "pagination", "webhook-events"):
        fields.anchor(anchor)
    resources = tuple(_resource(api, r, fields, examples, object_links) for r in api.resources)
    webhooks = tuple(_webhook(api, h, models, examples, object_links, fields) for h in api.webhooks)
    intro, topics = split_description(api.description)
    first_list = first_operation(resources, paginated=True)
    list_op = next(
        (op for op in api.operations if first_list and op.operation_id == first_list.operation_id),
        None,
    )
    statuses: dict[str, ErrorView] = {}
    for op in api.operations:
        for err in op.errors:
            statuses.setdefault(err.status, _error(err, examples))
    error_model = next((e.model for op in api.operations for e in op.errors if e.model), None)
    shown = statuses.get("404") or next(iter(statuses.values()), None)
    view = DocsView(
        title=api.title,
        version=api.version,
        summary=api.summary,
        intro=intro,
        topics=topics,
        servers=api.servers,
        base_url=api.servers[0].url,
        auth_description=api.auth.description,
        auth_scheme=api.auth.scheme,
        auth_kind=api.auth.kind,
        auth_samples=auth_samples(api, resources),
        error_statuses=tuple(sorted(statuses.values(), key=lambda e: e.status)),
        error_fields=fields.object_fields(error_model, "errors-attr") if error_model else (),
        error_example=pretty({"message": shown.message}) if shown and shown.message else "",
        error_example_status=shown.status if shown else "",
        pagination_params=tuple(fields.parameter(p, "pagination") for p in list_op.query_params)
        if list_op
        else (),
        list_fields=fields.object_fields(list_op.pagination.envelope, "pagination-list")
        if list_op and list_op.pagination
        else (),
        list_example=first_list.summary.split()[-1] if first_list else "",
        pagination_samples=pagination_samples(api, resources, examples),
        resources=resources,
        webhooks=webhooks,
        event_types=tuple((h.name, h.summary) for h in webhooks),
        subscribe_link=subscribe_link(resources, {h.name for h in webhooks}),
        value_anchors={json.dumps(h.name): h.anchor for h in webhooks},
        delivery_example=delivery(api, webhooks),
        search=(),
        package=api.client.package,
        client_class=api.client.client_class,
        async_client_class=api.client.async_client_class,
        env_prefix=api.client.env_prefix,
        spec_label=api.spec_label,
        spec_sha256=api.spec_sha256,
    )
    return with_search(view)


def _words(model_name: str) -> str:
    return " ".join(w.lower() for w in split_words(model_name))


def _resource(
    api: ir.Api,
    resource: ir.Resource,
    fields: FieldBuilder,
    examples: ExampleIndex,
    object_links: dict[str, Link],
) -> ResourceView:
    anchor = fields.anchor(kebab(resource.tag))
    object_name = resource.object_model or resource.tag
    object_anchor = fields.anchor(f"{anchor}-object")
    model = api.model(resource.object_model) if resource.object_model else None
    ops = tuple(
        _operation(api, resource, op, fields, examples, object_links) for op in resource.operations
    )
    return ResourceView(
        tag=resource.tag,
        anchor=anchor,
        singular=" ".join(split_words(object_name)),
        description=resource.description,
        object_name=_words(object_name),
        object_anchor=object_anchor,
        object_description=model.description if model else "",
        attributes=fields.object_fields(model.name, object_anchor) if model else (),
        example=pretty(examples.for_model(model.name)) if model else "",
        operations=ops,
        markdown_file=f"{snake_case(object_name)}.md",
    )


def _operation(
    api: ir.Api,
    resource: ir.Resource,
    op: ir.ClientMethod,
    fields: FieldBuilder,
    examples: ExampleIndex,
    object_links: dict[str, Link],
) -> OperationView:
    anchor = fields.anchor(kebab(op.operation_id))
    returns_link = None
    if op.pagination and op.pagination.item.models:
        item = op.pagination.item.models[0]
        returns_link = object_links.get(item)
        objects = f"{_words(item)} objects"
        if returns_link:
            objects = f"[{objects}](#{returns_link.anchor})"
        returns = (
            f"A list envelope: `{op.pagination.items_attr}` holds up to `limit` {objects}, "
            f"and `{op.pagination.has_more_attr}` says whether another page follows."
        )
    elif op.response.model:
        returns_link = object_links.get(op.response.model)
        name = f"{_words(op.response.model)} object"
        returns = f"The [{name}](#{returns_link.anchor})." if returns_link else f"The {name}."
    else:
        returns = op.response.description
    shown = {
        "path": tuple(fields.parameter(p, anchor) for p in op.path_params),
        "query": tuple(fields.parameter(p, anchor) for p in op.query_params),
        "body": tuple(fields.parameter(p, anchor) for p in op.body.fields) if op.body else (),
    }
    return OperationView(
        operation_id=op.operation_id,
        anchor=anchor,
        paginated=op.pagination is not None,
        method=op.http_method,
        path=op.path,
        summary=op.summary,
        description=op.description,
        path_params=shown["path"],
        query_params=shown["query"],
        body=shown["body"],
        body_types=op.body.content_types if op.body else (),
        returns=returns,
        returns_link=returns_link,
        status=op.response.status,
        response_example=pretty(examples.for_response(op.response)),
        errors=tuple(_error(e, examples) for e in op.errors),
        samples=operation_samples(api, resource, op),
        try_it=try_form(op, placeholder_values(op), shown),
    )


def _error(response: ir.ClientResponse, examples: ExampleIndex) -> ErrorView:
    example = examples.for_response(response) if response.examples else None
    message = example.get("message", "") if isinstance(example, dict) else ""
    return ErrorView(response.status, response.description, str(message))


def _webhook(
    api: ir.Api,
    hook: ir.WebhookEvent,
    models: dict[str, ir.Model],
    examples: ExampleIndex,
    object_links: dict[str, Link],
    fields: FieldBuilder,
) -> WebhookView:
    payload = hook.payload_model or ""
    data_link = None
    for attr in models[payload].attributes if payload in models else ():
        data = models.get(attr.ref or "")
        if attr.name == "data" and data is not None:
            inner = next((a.ref for a in data.attributes if a.name == "object"), None)
            data_link = object_links.get(inner or "")
    event_link = next(iter(object_links.values()), None)
    for name, link in object_links.items():
        model = models.get(name)
        if model and model.kind == "union" and any(v.model == payload for v in model.variants):
            event_link = link
    example = hook.examples[0].value if hook.examples else examples.for_model(payload)
    return WebhookView(
        name=hook.name,
        anchor=fields.anchor(f"event-{kebab(hook.name)}"),
        summary=models[payload].description if payload in models else hook.summary,
        description=hook.description,
        payload_link=event_link,
        data_link=data_link,
        example=pretty(example),
        responses=tuple((r.status, r.description) for r in hook.responses),
        samples=(Sample("python", "Python", webhook_sample(api, hook.name), event=hook.name),),
    )
