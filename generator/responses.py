"""Responses, examples, pagination and webhooks of the spec, read into the IR."""

from __future__ import annotations

from typing import Any

from . import ir
from .naming import join_pointer
from .schemas import SchemaReader

__all__ = ["JSON", "METHODS", "read_examples", "read_pagination", "read_response", "read_webhooks"]

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
JSON = "application/json"
# Cursor parameters in the Stripe style: the page after / before the object with this id.
AFTER_PARAMS = ("starting_after",)
BEFORE_PARAMS = ("starting_before", "ending_before")


def read_response(schemas: SchemaReader, status: str, node: dict[str, Any]) -> ir.Response:
    content = node.get("content") or {}
    media_type = JSON if JSON in content else next(iter(content), None)
    schema = (content.get(media_type) or {}).get("schema") if media_type else None
    headers = tuple(
        (name, str(schemas.resolve(h).get("description", "") or "").strip())
        for name, h in (node.get("headers") or {}).items()
    )
    return ir.Response(
        status=status,
        description=str(node.get("description", "") or "").strip(),
        model=schemas.ref_name(schema) if schema else None,
        type=schemas.type_of(schema) if schema is not None else None,
        content_type=media_type,
        examples=read_examples(schemas, content.get(media_type) or {}),
        headers=headers,
    )


def read_examples(schemas: SchemaReader, media: dict[str, Any]) -> tuple[ir.Example, ...]:
    found = []
    if "example" in media:
        found.append(ir.Example("example", media["example"]))
    for name, node in (media.get("examples") or {}).items():
        example = schemas.resolve(node)
        found.append(
            ir.Example(str(name), example.get("value"), str(example.get("summary", "") or ""))
        )
    return tuple(found)


def read_pagination(
    schemas: SchemaReader, response: ir.Response, query: tuple[ir.Parameter, ...]
) -> ir.Pagination | None:
    """A cursor-paginated list: an envelope with a `data` array and a boolean `has_more`,
    asked for with a Stripe-style `starting_after` (and optionally a before-cursor)."""
    by_name = {p.name: p for p in query}
    after = next((by_name[n] for n in AFTER_PARAMS if n in by_name), None)
    if after is None or response.model is None or response.model not in schemas.schemas:
        return None
    envelope = schemas.schemas[response.model]
    props = envelope.get("properties") or {}
    data = schemas.resolve(props.get("data") or {})
    if (
        data.get("type") != "array"
        or schemas.resolve(props.get("has_more") or {}).get("type") != "boolean"
    ):
        return None
    before = next((n for n in BEFORE_PARAMS if n in by_name), None)
    cursor_type = ir.TypeRef(
        after.type.python.replace(" | None", ""), after.type.display, after.type.models
    )
    return ir.Pagination(
        envelope=response.model,
        item=schemas.type_of(data.get("items") or {}),
        items_attr="data",
        has_more_attr="has_more",
        after_param=after.name,
        before_param=before,
        cursor_attr="id",
        cursor_type=cursor_type,
    )


def read_webhooks(doc: dict[str, Any], schemas: SchemaReader) -> tuple[ir.WebhookEvent, ...]:
    """The spec's top-level `webhooks`: what a subscribed target URL receives."""
    hooks = []
    for name, item in (doc.get("webhooks") or {}).items():
        item = schemas.resolve(item)
        for method in METHODS:
            raw = item.get(method)
            if not isinstance(raw, dict):
                continue
            pointer = join_pointer("webhooks", name, method)
            body = schemas.resolve(raw.get("requestBody") or {})
            content = body.get("content") or {}
            media_type = JSON if JSON in content else next(iter(content), JSON)
            schema = (content.get(media_type) or {}).get("schema") or {}
            responses = tuple(
                read_response(schemas, str(s), schemas.resolve(r))
                for s, r in (raw.get("responses") or {}).items()
            )
            hooks.append(
                ir.WebhookEvent(
                    name=str(name),
                    operation_id=str(raw.get("operationId", "") or ""),
                    http_method=method.upper(),
                    summary=str(raw.get("summary", "") or ""),
                    description=str(raw.get("description", "") or "").strip(),
                    pointer=pointer,
                    payload=schemas.type_of(schema),
                    payload_model=schemas.ref_name(schema),
                    content_type=media_type,
                    responses=responses,
                    examples=read_examples(schemas, content.get(media_type) or {}),
                    headers=tuple(
                        (str(p["name"]), str(p.get("example", "")))
                        for p in map(schemas.resolve, raw.get("parameters") or [])
                        if p.get("in") == "header"
                    ),
                )
            )
    return tuple(hooks)
