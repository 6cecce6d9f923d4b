"""Responses, examples, pagination and webhooks, read from the spec model into the IR."""

from __future__ import annotations

from spaces_toolkit import spec as model

from . import ir
from .schemas import SchemaReader

__all__ = ["JSON", "read_examples", "read_pagination", "read_response", "read_webhooks"]

JSON = "application/json"


def read_response(schemas: SchemaReader, response: model.Response) -> ir.ClientResponse:
    media = response.preferred
    schema = media.schema.node if media and media.schema else None
    return ir.ClientResponse(
        model=schemas.ref_name(schema) if schema else None,
        type=schemas.type_of(schema) if schema is not None else None,
        content_type=media.media_type if media else None,
        examples=read_examples(media),
        spec=response,
    )


def read_examples(media: model.MediaType | None) -> tuple[model.Example, ...]:
    return media.examples if media else ()


def read_pagination(
    schemas: SchemaReader,
    listing: model.ListOperation | None,
    response: ir.ClientResponse,
    query: tuple[ir.Argument, ...],
) -> ir.ClientPage | None:
    """The client's view of a list operation (the model decides what one is). The client names
    the page's envelope, so a list whose envelope is not a component schema pages by hand."""
    if listing is None or response.model is None or response.model not in schemas.schemas:
        return None
    after = next(p for p in query if p.name == listing.after.name)
    cursor_type = ir.TypeRef(
        after.type.python.replace(" | None", ""), after.type.display, after.type.models
    )
    return ir.ClientPage(
        envelope=response.model,
        item=schemas.type_of(listing.item.node),
        cursor_type=cursor_type,
        spec=listing,
    )


def read_webhooks(spec: model.Spec, schemas: SchemaReader) -> tuple[ir.WebhookEvent, ...]:
    """The spec's top-level `webhooks`: what a subscribed target URL receives."""
    hooks = []
    for hook in spec.webhooks:
        body = hook.request_body
        media = (body.media(JSON) or (body.content[0] if body.content else None)) if body else None
        schema = (media.schema.node if media and media.schema else None) or {}
        hooks.append(
            ir.WebhookEvent(
                payload=schemas.type_of(schema),
                payload_model=schemas.ref_name(schema),
                content_type=media.media_type if media else JSON,
                responses=tuple(read_response(schemas, r) for r in hook.responses),
                examples=read_examples(media),
                headers=tuple(
                    (p.name, "" if p.example is None else str(p.example))
                    for p in hook.parameters
                    if p.location == "header"
                ),
                spec=hook,
            )
        )
    return tuple(hooks)
