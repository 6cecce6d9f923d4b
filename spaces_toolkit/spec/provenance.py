"""Provenance of the spec's rules: what the prose docs state, and what spec/NOTES.md decided.

The docs are prose with gaps and contradictions; the spec fills them, and every rule it adds is
named, in the document itself, by the NOTES entry that made it (`x-decision`):

    x-decision: 14                      the whole node (a schema, a parameter, a response...)
                                        and everything under it is decision 14
    x-decision: {minimum: 10, required/count: 12}
                                        keys are JSON pointers relative to the node (RFC 6901
                                        escaping); a token into an array of strings may name
                                        the entry by its value (`required/count`)

Whatever carries no `x-decision` (on itself or on a node above it, `$ref`s followed) is
stated by the docs. A sibling `x-docs: {keyword: value}` gives the docs' own reading of a
decided keyword, when they have one (`currency` is `integer` in the tables and `"USD"` in the
examples: either reading is a decision, so the docs' document accepts both).

`docs_document(content)` is the document with every decided constraint removed (then the
`x-docs` readings put in): what a server must meet to follow the docs alone. A decided schema
node as a whole keeps only its annotations; a decided parameter or header is no longer
required; decided responses, media types and operations stay (they permit, they do not
restrict).
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from .refs import Resolver, escape_token, split_pointer, unescape_token

__all__ = [
    "DECISION_KEY",
    "DOCS_KEY",
    "NOTES_PATH",
    "STATED",
    "Annotation",
    "Decision",
    "Provenance",
    "decision_annotations",
    "docs_document",
    "provenance_of",
    "read_notes",
]

DECISION_KEY = "x-decision"
DOCS_KEY = "x-docs"
# spec/NOTES.md, copied into the package like the spec (`make` refreshes it, `make check`
# fails if it drifts).
NOTES_PATH = Path(str(resources.files(__package__).joinpath("NOTES.md")))

_ENTRY = re.compile(r"^(\d+)\.\s+\*\*(.+?)\*\*", re.MULTILINE)

# Keywords of a schema that only annotate: a decided schema node keeps these.
_ANNOTATIONS = frozenset(
    {"description", "title", "examples", "example", "default", "deprecated", "readOnly",
     "writeOnly", "$comment", "externalDocs", "xml"}
)  # fmt: skip
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "dependentSchemas"})
_SCHEMA_LISTS = frozenset({"oneOf", "anyOf", "allOf", "prefixItems"})
_SCHEMA_ONE = frozenset(
    {"items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames",
     "unevaluatedItems", "unevaluatedProperties"}
)  # fmt: skip


@dataclass(frozen=True)
class Provenance:
    """Where a rule comes from: the docs (`decision is None`) or a NOTES decision."""

    decision: int | None
    title: str = ""  # the NOTES entry's bold title; "" for the docs

    @property
    def stated(self) -> bool:
        return self.decision is None

    def __str__(self) -> str:
        if self.decision is None:
            return "stated by the docs"
        return f"decision {self.decision} (spec/NOTES.md): {self.title}".rstrip(": ")


STATED = Provenance(None)


@dataclass(frozen=True)
class Decision:
    """A numbered entry of spec/NOTES.md and every place of the document it applies to."""

    number: int
    title: str
    pointers: tuple[str, ...] = ()  # where `x-decision` names it (document order)


@dataclass(frozen=True)
class Annotation:
    """One `x-decision` entry: the rule at `pointer` is decision `number`."""

    pointer: str  # the decided node, keyword or array entry
    number: int
    where: str  # the pointer of the `x-decision` that says so


def read_notes(path: Path = NOTES_PATH) -> dict[int, str]:
    """NOTES.md's entries: number -> bold title (without its final full stop)."""
    return notes_from_text(path.read_text(encoding="utf-8"))


def notes_from_text(text: str) -> dict[int, str]:
    return {int(m.group(1)): m.group(2).strip().rstrip(".") for m in _ENTRY.finditer(text)}


@functools.cache
def packaged_notes() -> Mapping[int, str]:
    return read_notes()


# ---------------------------------------------------------------------- the keys themselves


def _tokens(pointer: str) -> list[str]:
    if not pointer:
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"not a JSON pointer: {pointer!r}")
    return split_pointer(pointer)


def _key_tokens(key: str) -> list[str]:
    return [unescape_token(t) for t in str(key).split("/")] if key else []


def _concrete(node: Any, tokens: list[str]) -> list[str] | None:
    """The tokens of a relative key as a real pointer from `node` (an array entry named by its
    value becomes its index), or None when the key names nothing there."""
    found = []
    for token in tokens:
        if isinstance(node, dict) and token in node:
            node = node[token]
            found.append(token)
        elif isinstance(node, list):
            if token.isdigit() and int(token) < len(node):
                index = int(token)
            elif token in node:
                index = node.index(token)
            else:
                return None
            node = node[index]
            found.append(str(index))
        else:
            return None
    return found


def _entries(value: Any) -> Iterator[tuple[str, Any]]:
    """(relative key, number) pairs of an `x-decision` value."""
    if isinstance(value, Mapping):
        yield from ((str(k), v) for k, v in value.items())
    else:
        yield "", value


def decision_annotations(content: Any) -> Iterator[Annotation]:
    """Every `x-decision` entry of a document as written (references not followed). A key
    that names nothing in its node is yielded with its key as written (a problem to report)."""
    for pointer, node in _nodes(content):
        value = node.get(DECISION_KEY)
        if value is None:
            continue
        where = f"{pointer}/{DECISION_KEY}"
        for key, number in _entries(value):
            concrete = _concrete(node, _key_tokens(key))
            tokens = concrete if concrete is not None else _key_tokens(key)
            target = pointer + "".join(f"/{escape_token(t)}" for t in tokens)
            yield Annotation(target, number if isinstance(number, int) else -1, where)


def annotation_problems(content: Any, notes: Mapping[int, str]) -> Iterator[tuple[str, str]]:
    """(pointer, message) for every `x-decision` that is malformed, names nothing in its node,
    or names no entry of NOTES.md."""
    for pointer, node in _nodes(content):
        value = node.get(DECISION_KEY)
        if value is None:
            continue
        where = f"{pointer}/{DECISION_KEY}"
        if not isinstance(value, (int, Mapping)) or isinstance(value, bool):
            yield where, "must be a NOTES.md entry number or a mapping of keys to numbers"
            continue
        for key, number in _entries(value):
            if not isinstance(number, int) or isinstance(number, bool):
                yield where, f"{key or 'the node'}: {number!r} is not a NOTES.md entry number"
            elif number not in notes:
                yield where, f"{key or 'the node'}: spec/NOTES.md has no entry {number}"
            if key and _concrete(node, _key_tokens(key)) is None:
                yield where, f"{key!r} names nothing in this node"
        docs = node.get(DOCS_KEY)
        if docs is not None and not isinstance(docs, Mapping):
            yield f"{pointer}/{DOCS_KEY}", "must be a mapping of keywords to values"


def _nodes(
    content: Any, pointer: str = "", *, names: bool = False
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every mapping of the document that may carry `x-decision`: not example values, nor
    `const`/`enum`/`default` data. `names`: the keys of `content` are names (of properties,
    components, paths...), not keywords."""
    if isinstance(content, dict):
        if not names:
            yield pointer, content
        for key, value in content.items():
            if not names and key in _DATA_KEYS:
                continue
            if not names and key in (DECISION_KEY, DOCS_KEY):
                continue
            yield from _nodes(
                value, f"{pointer}/{escape_token(str(key))}", names=not names and key in _NAMED
            )
    elif isinstance(content, list):
        for index, value in enumerate(content):
            yield from _nodes(value, f"{pointer}/{index}")


_DATA_KEYS = frozenset({"example", "examples", "const", "enum", "default"})
_NAMED = frozenset({"properties", "patternProperties", "$defs", "dependentSchemas"})


# ---------------------------------------------------------------------- provenance


def provenance_of(
    pointer: str, content: Any, resolver: Resolver, notes: Mapping[int, str]
) -> Provenance:
    """The decision that made the rule at `pointer`, or STATED. The pointer may pass through
    `$ref`s (`/paths/~1customers/get/parameters/0/schema/maximum` reads the `Limit` parameter
    the operation refers to) and may name a `$ref` token itself, as jsonschema's schema paths
    do. The innermost `x-decision` covering it wins (the most specific rule), except that one
    naming a `$ref` node itself decides that use of the referenced node as a whole. Raises
    KeyError if the pointer names nothing."""
    tokens = _tokens(pointer)
    node, i, seen = content, 0, 0
    found: int | None = None
    found_at = -1  # how many tokens deep the node the found decision names is
    while True:
        own = _covering(node, tokens[i:]) if isinstance(node, dict) else None
        if own is not None:
            found, found_at = own[1], i + own[0]
        if i == len(tokens) and not (found_at < i and _is_ref(node) and seen < 64):
            break
        token = tokens[i] if i < len(tokens) else "$ref"  # a pointer ending at a reference
        if isinstance(node, dict) and token in node and token != "$ref":
            node, i = node[token], i + 1
        elif isinstance(node, dict) and isinstance(node.get("$ref"), str):
            if found_at == i:
                break  # this use of the referenced node is decided as a whole
            seen += 1
            if seen > 64:
                raise KeyError(f"{pointer}: reference loop")
            node = resolver.resolve({"$ref": node["$ref"]})
            if token == "$ref" and i < len(tokens):
                i += 1
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node, i = node[int(token)], i + 1
        else:
            where = "".join(f"/{escape_token(t)}" for t in tokens[: i + 1])
            raise KeyError(f"{pointer}: nothing at {where}")
    return STATED if found is None else Provenance(found, notes.get(found, ""))


def _is_ref(node: Any) -> bool:
    return isinstance(node, dict) and isinstance(node.get("$ref"), str)


def _covering(node: dict[str, Any], rest: list[str]) -> tuple[int, int] | None:
    """(length of the key, number) of the longest `x-decision` key of `node` that covers the
    rest of a pointer, if any."""
    value = node.get(DECISION_KEY)
    if value is None:
        return None
    best: tuple[int, int] | None = None  # (key length, number): the longest key wins
    for key, number in _entries(value):
        concrete = _concrete(node, _key_tokens(key))
        if concrete is None or rest[: len(concrete)] != concrete:
            continue
        if isinstance(number, int) and (best is None or len(concrete) > best[0]):
            best = (len(concrete), number)
    return best


# ---------------------------------------------------------------------- the docs' document


def docs_document(content: dict[str, Any]) -> dict[str, Any]:
    """A copy of the document with every decided constraint removed or relaxed (see the module
    docstring): valid under it = valid under what the docs alone state."""
    doc = copy.deepcopy(content)
    _relax(doc, "", schema=False)
    return doc


def _relax(node: Any, pointer: str, *, schema: bool) -> None:
    if isinstance(node, list):
        for index, child in enumerate(node):
            _relax(child, f"{pointer}/{index}", schema=schema)
        return
    if not isinstance(node, dict):
        return
    value = node.get(DECISION_KEY)
    if value is not None:
        for key, _number in _entries(value):
            if key:
                _remove(node, _key_tokens(key))
            else:
                _relax_whole(node, schema=schema)
    docs = node.get(DOCS_KEY)
    if isinstance(docs, Mapping):
        node.update(copy.deepcopy(dict(docs)))
    for key, child, child_is_schema in _children(node, pointer, schema=schema):
        _relax(child, f"{pointer}/{key}", schema=child_is_schema)


def _children(
    node: dict[str, Any], pointer: str, *, schema: bool
) -> Iterator[tuple[str, Any, bool]]:
    """(escaped pointer suffix, child, whether the child is a schema) of the children to relax."""
    for key, child in list(node.items()):
        if key in (DECISION_KEY, DOCS_KEY):
            continue
        if schema:
            if key in _SCHEMA_MAPS and isinstance(child, dict):
                for name, sub in child.items():
                    yield f"{key}/{escape_token(str(name))}", sub, True
            elif key in _SCHEMA_LISTS or key in _SCHEMA_ONE:
                yield key, child, True
        elif key in ("example", "examples") and pointer != "/components":
            continue
        else:
            yield escape_token(str(key)), child, key == "schema" or pointer == "/components/schemas"


def _remove(node: Any, tokens: list[str]) -> None:
    concrete = _concrete(node, tokens)
    if not concrete:
        return
    for token in concrete[:-1]:
        node = node[int(token)] if isinstance(node, list) else node[token]
    last = concrete[-1]
    if isinstance(node, list):
        del node[int(last)]
    else:
        node.pop(last, None)


def _relax_whole(node: dict[str, Any], *, schema: bool) -> None:
    if schema:
        for key in [k for k in node if k not in _ANNOTATIONS and not k.startswith("x-")]:
            del node[key]
    elif isinstance(node.get("schema"), dict) and ("in" in node or "required" in node):
        # a parameter or a header: no longer required, its value unconstrained
        if node.get("in") != "path":
            node["required"] = False
        _relax_whole(node["schema"], schema=True)
