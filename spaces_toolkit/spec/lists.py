"""Which operations are cursor-paginated lists: the one definition the toolkit uses.

The Spaces API pages Stripe-style (spec/NOTES.md, "Pagination"): a GET whose success body is an
object with an items array and a boolean "more" flag, asked for with an after-cursor parameter
and optionally a before-cursor and a page-size limit. The names below are that convention's;
everything else (bounds, defaults, cursor types, item schemas) is read from the document.
"""

from __future__ import annotations

from .model import JSON, ItemLink, ListOperation, Operation, Parameter, Response, SchemaRef
from .refs import Resolver

__all__ = [
    "AFTER_PARAMS",
    "BEFORE_PARAMS",
    "CURSOR_FIELD",
    "CURSOR_FIELDS_KEY",
    "HAS_MORE_FIELD",
    "ITEMS_FIELD",
    "LIMIT_PARAMS",
    "OBJECT_FIELD",
    "list_operation",
]

AFTER_PARAMS = ("starting_after",)
BEFORE_PARAMS = ("starting_before", "ending_before")
LIMIT_PARAMS = ("limit",)
ITEMS_FIELD = "data"
HAS_MORE_FIELD = "has_more"
OBJECT_FIELD = "object"  # an object's (and a page's) type name, a constant per schema
CURSOR_FIELD = "id"  # a cursor is the id of an item of the list ("the ID of the object")
# A list whose objects page by other fields names them, in order of preference, on its
# operation (spec/NOTES.md 14): `x-cursor-fields: [id, token]`.
CURSOR_FIELDS_KEY = "x-cursor-fields"


def _first(op: Operation, names: tuple[str, ...]) -> Parameter | None:
    return next((p for n in names if (p := op.parameter(n, "query")) is not None), None)


def list_operation(op: Operation, resolver: Resolver) -> ListOperation | None:
    """`op` as a list operation, or None if it is not one."""
    after = _first(op, AFTER_PARAMS)
    success = op.success
    body = success.media(JSON) if success else None
    if op.method != "GET" or after is None or body is None or body.schema is None:
        return None
    envelope = body.schema
    props = envelope.get("properties") or {}
    items_node, items_ptr = resolver.follow(
        props.get(ITEMS_FIELD), f"{envelope.target}/properties/{ITEMS_FIELD}"
    )
    has_more = resolver.resolve(props.get(HAS_MORE_FIELD))
    if not isinstance(items_node, dict) or items_node.get("type") != "array":
        return None
    if not isinstance(has_more, dict) or has_more.get("type") != "boolean":
        return None
    item_node = items_node.get("items") or {}
    item_resolved, item_target = resolver.follow(item_node, f"{items_ptr}/items")
    kind = resolver.resolve(props.get(OBJECT_FIELD)) if OBJECT_FIELD in props else None
    assert success is not None  # body came from it
    declared = op.extension(CURSOR_FIELDS_KEY)
    fields = (
        tuple(str(f) for f in declared)
        if isinstance(declared, list) and declared
        else (CURSOR_FIELD,)
    )
    required = _required(resolver, item_resolved)
    return ListOperation(
        operation=op,
        envelope=envelope,
        item=SchemaRef(item_node, f"{items_ptr}/items", item_resolved, item_target),
        items_field=ITEMS_FIELD,
        has_more_field=HAS_MORE_FIELD,
        cursor_field=fields[0],
        cursor_fields=fields,
        cursor_required=any(f in required for f in fields),
        after=after,
        before=_first(op, BEFORE_PARAMS),
        limit=_first(op, LIMIT_PARAMS),
        object_const=kind.get("const") if isinstance(kind, dict) else None,
        item_links=_item_links(success),
    )


def _required(resolver: Resolver, item: object) -> set[str]:
    """The properties every listed object has: its own `required`, or those every branch of a
    `oneOf`/`anyOf` requires."""
    item = resolver.resolve(item)
    if not isinstance(item, dict):
        return set()
    own = {str(n) for n in item.get("required") or ()}
    branches = item.get("oneOf") or item.get("anyOf")
    if isinstance(branches, list) and branches:
        common = set.intersection(*(_required(resolver, b) for b in branches))
        own |= common
    return own


def _item_links(page: Response) -> tuple[ItemLink, ...]:
    """Links of a page whose every parameter is a runtime expression into its first item
    (`$response.body#/data/0/id`): how one listed object is fetched on its own."""
    prefix = f"$response.body#/{ITEMS_FIELD}/0/"
    found = []
    for link in page.links:
        values = dict(link.parameters)
        if not link.operation_id or not values:
            continue
        if all(isinstance(v, str) and v.startswith(prefix) for v in values.values()):
            params = tuple((k, "/" + v[len(prefix) :]) for k, v in values.items())
            found.append(ItemLink(link.name, link.operation_id, params))
    return tuple(found)
