"""JSON pointers and `$ref` resolution over one OpenAPI document, through `referencing`.

Pointers are RFC 6901 (`~1` is `/`, `~0` is `~`); a `$ref` is a URI reference, so its fragment is
percent-decoded before it is read as a pointer (`#/paths/~1a%7Bid%7D` is the path `/a{id}`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, unquote

from referencing import Registry, Resource
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

__all__ = [
    "DOCUMENT_URI",
    "RefError",
    "Resolver",
    "escape_token",
    "join_pointer",
    "pointer_ref",
    "ref_pointer",
    "split_pointer",
    "unescape_token",
    "walk",
]

# The base URI the document is registered under; every local `$ref` is relative to it.
DOCUMENT_URI = "urn:spaces-api:openapi"


class RefError(LookupError):
    """A `$ref` (or pointer) that leads nowhere, leaves the document, or loops."""


def escape_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def unescape_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def split_pointer(pointer: str) -> list[str]:
    """split_pointer('/paths/~1account/get') -> ['paths', '/account', 'get'] ('' -> [])."""
    return [unescape_token(token) for token in pointer.split("/")[1:]]


def ref_pointer(ref: str) -> str:
    """The JSON pointer a local `$ref` names: its fragment, percent-decoded
    ('#/paths/~1a%7Bid%7D' -> '/paths/~1a{id}')."""
    return _fragment_pointer(ref)


def join_pointer(*tokens: str | int) -> str:
    """join_pointer('paths', '/account', 'get') -> '/paths/~1account/get'."""
    return "".join(f"/{escape_token(str(token))}" for token in tokens)


def pointer_ref(pointer: str) -> str:
    """The `$ref` naming a JSON pointer of this document ('#' + the percent-encoded pointer)."""
    return "#" + quote(pointer, safe="/~!$&'()*+,;=:@")


def walk(node: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    """Every (pointer, node) of a JSON value, depth first, the value itself first."""
    yield pointer, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, f"{pointer}/{escape_token(str(key))}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{pointer}/{index}")


class Resolver:
    """Follows the local `$ref`s of one document and says where they lead."""

    def __init__(self, document: Any) -> None:
        self.document = document
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self.registry: Registry[Any] = Registry().with_resource(DOCUMENT_URI, resource)
        self._resolver = self.registry.resolver(DOCUMENT_URI)

    def lookup(self, pointer: str) -> Any:
        """The node at a JSON pointer ('' is the whole document)."""
        return self._at(pointer_ref(pointer))

    def _at(self, ref: str) -> Any:
        if not ref.startswith("#"):
            raise RefError(f"only local references are supported: {ref}")
        try:
            return self._resolver.lookup(ref).contents
        except (Unresolvable, ValueError, TypeError) as exc:  # int() of a bad list index
            raise RefError(f"reference to nothing: {ref}") from exc

    def follow(self, node: Any, pointer: str = "") -> tuple[Any, str]:
        """Follow `$ref`s from `node` (found at `pointer`) to a node that is not a reference;
        return it and its pointer. Raises RefError on a dangling, non-local or looping ref."""
        seen: set[str] = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if ref in seen:
                raise RefError(f"reference loop through {ref}")
            seen.add(ref)
            node = self._at(ref)
            pointer = _fragment_pointer(ref)
        return node, pointer

    def resolve(self, node: Any) -> Any:
        """`node` with its `$ref`s followed (a node that is not a reference comes back as is)."""
        return self.follow(node)[0]

    def target_pointer(self, ref: str) -> str:
        """The canonical JSON pointer a local `$ref` names (percent-decoded)."""
        self._at(ref)
        return _fragment_pointer(ref)


def _fragment_pointer(ref: str) -> str:
    return unquote(ref[1:])
