"""Which components each document uses, and in which direction (who writes the values).

API operations: parameters and request bodies are written by the client, responses by the
server. Webhooks flip it: Spaces writes the delivery (its request body), the receiver writes
the answer (its responses).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from spaces_toolkit.spec import METHODS, resolve

from .context import schema_ref_name
from .model import Direction

__all__ = ["component_directions", "operations", "schema_sites"]


def operations(doc: dict[str, Any], section: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(key, method, operation) for `paths` or `webhooks`."""
    for key, item in (doc.get(section) or {}).items():
        item = resolve(doc, item)
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            if isinstance(item.get(method), dict):
                yield key, method, item[method]


def _flip(direction: Direction, webhook: bool) -> Direction:
    if not webhook:
        return direction
    return "response" if direction == "request" else "request"


def schema_sites(doc: dict[str, Any]) -> Iterator[tuple[Any, Direction]]:
    """Every schema the operations and webhooks use directly, with who writes its values."""
    for section in ("paths", "webhooks"):
        hook = section == "webhooks"
        for key, _method, op in operations(doc, section):
            item = resolve(doc, doc[section][key])
            for param in [*(item.get("parameters") or ()), *(op.get("parameters") or ())]:
                param = resolve(doc, param)
                if isinstance(param, dict) and "schema" in param:
                    yield param["schema"], _flip("request", hook)
            body = resolve(doc, op.get("requestBody") or {})
            for media in (body.get("content") or {}).values():
                if isinstance(media, dict) and "schema" in media:
                    yield media["schema"], _flip("request", hook)
            for response in (op.get("responses") or {}).values():
                response = resolve(doc, response)
                for media in (response.get("content") or {}).values():
                    if isinstance(media, dict) and "schema" in media:
                        yield media["schema"], _flip("response", hook)
                for header in (response.get("headers") or {}).values():
                    header = resolve(doc, header)
                    if isinstance(header, dict) and "schema" in header:
                        yield header["schema"], _flip("response", hook)


def component_directions(doc: dict[str, Any]) -> dict[str, set[Direction]]:
    """Component schema name -> the directions it is used in, following $refs transitively."""
    found: dict[str, set[Direction]] = {}

    def walk(node: Any, direction: Direction) -> None:
        if isinstance(node, dict):
            name = schema_ref_name(node)
            if name is not None:
                if direction in found.setdefault(name, set()):
                    return
                found[name].add(direction)
                walk(((doc.get("components") or {}).get("schemas") or {}).get(name), direction)
                return
            for value in node.values():
                walk(value, direction)
        elif isinstance(node, list):
            for value in node:
                walk(value, direction)

    for schema, direction in schema_sites(doc):
        walk(schema, direction)
    return found
