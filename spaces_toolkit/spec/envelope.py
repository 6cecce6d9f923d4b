"""The names the API wraps its answers in, read from the document: the list page's fields
(`data`, `has_more`, `count`, `object: "list"`), the error body's message field, and the path the
API is served under (the servers' URL path, `/api/v1`).

The server writes these names, the suite and the proxy read them, the webhooks CLI reads a
helper's error message: they take them from `Spec.envelope`, `Spec.error_fields` and
`Spec.api_prefix` rather than typing them again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .lists import HAS_MORE_FIELD, ITEMS_FIELD, OBJECT_FIELD
from .model import JSON, ListOperation, Operation, Server
from .refs import Resolver

__all__ = [
    "MESSAGE_FIELD",
    "Envelope",
    "ErrorFields",
    "api_prefix_of",
    "envelope_of",
    "error_fields_of",
]

# The error body's message field where a document does not settle it (no error response
# declares a body, or they share no one string field): the convention's, as `lists` has its own.
MESSAGE_FIELD = "message"


@dataclass(frozen=True)
class Envelope:
    """The fields every list page of the document has (see `spaces_toolkit.spec.lists`)."""

    data: str  # the array of this page's items
    has_more: str  # the boolean: whether more items follow
    count: str | None = None  # the integer number of items in `data`, if every page says it
    object: str | None = None  # the field naming the page's type, if every page has one ...
    object_value: str | None = None  # ... and its constant ("list")

    def page(self, data: list[Any], has_more: bool) -> dict[str, Any]:
        """A page of `data` as the document's envelope writes it."""
        body: dict[str, Any] = {self.object: self.object_value} if self.object else {}
        body[self.data] = data
        body[self.has_more] = has_more
        if self.count:
            body[self.count] = len(data)
        return body


@dataclass(frozen=True)
class ErrorFields:
    """The body of an error answer: `{message: "..."}`."""

    message: str  # the string field every error response's schema declares


def envelope_of(lists: Iterable[ListOperation], resolver: Resolver) -> Envelope:
    """The envelope the document's list operations share: the items and more-flag fields
    (the convention's), the `object` constant when every page declares the same one, and the
    count (the one integer property, other than those, that every page declares)."""
    pages = tuple(lists)
    if not pages:
        return Envelope(ITEMS_FIELD, HAS_MORE_FIELD)
    consts = {lst.object_const for lst in pages}
    kind = consts.pop() if len(consts) == 1 else None
    taken = {ITEMS_FIELD, HAS_MORE_FIELD, OBJECT_FIELD}
    integers = [
        {
            str(name)
            for name, node in (lst.envelope.get("properties") or {}).items()
            if name not in taken and _type(resolver, node) == "integer"
        }
        for lst in pages
    ]
    common = set.intersection(*integers)
    return Envelope(
        data=ITEMS_FIELD,
        has_more=HAS_MORE_FIELD,
        count=common.pop() if len(common) == 1 else None,
        object=OBJECT_FIELD if kind is not None else None,
        object_value=str(kind) if kind is not None else None,
    )


def error_fields_of(operations: Iterable[Operation], resolver: Resolver) -> ErrorFields:
    """The message field of error answers: the string property every 4xx/5xx (and default)
    JSON response of every operation declares (if several, the one they all require);
    `MESSAGE_FIELD` when the document does not settle on exactly one."""
    shared: set[str] | None = None
    required: set[str] | None = None
    for op in operations:
        for response in op.responses:
            media = response.media(JSON)
            if response.status.startswith("2") or media is None or media.schema is None:
                continue
            schema = media.schema.resolved if isinstance(media.schema.resolved, dict) else {}
            strings = {
                str(name)
                for name, node in (schema.get("properties") or {}).items()
                if _type(resolver, node) == "string"
            }
            needed = strings & {str(n) for n in schema.get("required") or ()}
            shared = strings if shared is None else shared & strings
            required = needed if required is None else required & needed
    if shared and len(shared) > 1:
        shared &= required or set()
    return ErrorFields(shared.pop() if shared and len(shared) == 1 else MESSAGE_FIELD)


def api_prefix_of(servers: Iterable[Server]) -> str:
    """The path the API is served under: its first server URL's path, without a trailing
    slash ("https://spaces.pe/api/v1" -> "/api/v1"); "" when the document names no server."""
    first = next(iter(servers), None)
    return urlsplit(first.url).path.rstrip("/") if first else ""


def _type(resolver: Resolver, node: object) -> str | None:
    resolved = resolver.resolve(node)
    kind = resolved.get("type") if isinstance(resolved, dict) else None
    return kind if isinstance(kind, str) else None
