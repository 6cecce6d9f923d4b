"""The spec model: the one reader of the Spaces API's OpenAPI document.

Everything in the toolkit that needs to know the API (the generator's IR, the reference
server's routes and validation, the contract suite) asks this package; nothing else parses the
YAML or follows a `$ref`.

Loading
    `load(source=SPEC_PATH) -> Spec`: read, validate with openapi-spec-validator, model.
    Raises `SpecError` whose `.problems` are `Problem(pointer, message)`s, every one at once.
    `source` is a `Path`, a URL (http, https, file), or the document itself as `str`/`bytes`
    (see `read_document`), so other revisions of the spec are read the same way;
    `load_document(text, source)` parses one without validating (`spaces diff` sides).
    `default_spec()`: the spec the toolkit ships (`SPEC_PATH`, spec/openapi.yaml
    inside the package, read through importlib.resources), loaded once per process.
    `read_document(source)` / `validate_document(content)` / `build_spec(document)`: the three
    steps apart, for callers (the generator) that report validation and their own problems
    together.

The model (frozen dataclasses; see `model`)
    `Spec`: `title`, `version`, `servers`, `tags`, `security`, `security_schemes`,
    `operations`, `lists`, `webhooks`, plus `operation(id)`, `by_label("GET /x")`,
    `list_of(op)`, `schema(name)`, `schema_name(ref_node)`, `resolve(node)`, `lookup(ptr)` and
    `validator(ptr)` (a JSON Schema validator bound to this document).
    The names the API wraps answers in (see `envelope`): `envelope` (`Envelope`: a list page's
    `data`, `has_more`, `count`, `object` and its constant; `page(data, has_more)`),
    `error_fields` (`ErrorFields`: the error body's `message`) and `api_prefix` (the servers'
    URL path, "/api/v1").
    Provenance (see `provenance`): `provenance(ptr) -> Provenance` (`decision` None when the
    docs state the rule, else its spec/NOTES.md number, and `title`), `decisions` (number ->
    `Decision(number, title, pointers)`, every NOTES entry), `docs_document()` / `docs_spec()`
    (the document with every decided rule relaxed: what the docs alone state), `notes`.
    `Operation`: id, method, path, pointer, tags, parameters (path-level merged with its own),
    `request_body` (`RequestBody` with `MediaType`s), `responses` (`Response` per status, with
    content, headers and `Link`s), effective `security`, x-* `extensions`.
    `Parameter`: name, location, required, `schema` (`SchemaRef`: as written and resolved, with
    pointers), `bounds` (`Bounds`: minimum, maximum, lengths, pattern, format, enum), default.
    `ListOperation`: a cursor-paginated list (the convention is `lists`): `limit`, `after`,
    `before` parameters, `items_field`, `has_more_field`, `cursor_fields` (the item fields a
    cursor may be, preferred first; `cursor_of(item)`; `cursor_required`), `item` and
    `envelope` schemas, `item_links` (how one listed item is fetched on its own, from the
    spec's links).
    `Webhook`: a top-level webhook with its request body and responses.

Schema nodes inside the model are the parsed document's own values, shared, not copied:
treat them as read-only.

Compatibility helpers (raw-dict access, for code not yet on the model): `load_spec(path)`,
`resolve(spec_dict, node)`, `validator_at(pointer, spec_dict)`, `iter_examples(spec_dict)`.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from .api import Spec, build_spec, default_spec, load
from .envelope import Envelope, ErrorFields
from .examples import iter_examples
from .lists import list_operation
from .model import (
    Bounds,
    Example,
    Header,
    ItemLink,
    Link,
    ListOperation,
    MediaType,
    Operation,
    Parameter,
    ParamLocation,
    RequestBody,
    Response,
    SchemaRef,
    SecurityRequirement,
    SecurityScheme,
    Server,
    Tag,
    Webhook,
)
from .problems import Problem, SpecError, validate_document
from .provenance import NOTES_PATH, STATED, Decision, Provenance, read_notes
from .reader import METHODS
from .refs import (
    DOCUMENT_URI,
    RefError,
    Resolver,
    escape_token,
    join_pointer,
    pointer_ref,
    ref_pointer,
    split_pointer,
    unescape_token,
)
from .source import SPEC_PATH, Document, Source, load_document, read_document

__all__ = [
    "DOCUMENT_URI",
    "METHODS",
    "NOTES_PATH",
    "SPEC_PATH",
    "STATED",
    "Bounds",
    "Decision",
    "Document",
    "Envelope",
    "ErrorFields",
    "Example",
    "Header",
    "ItemLink",
    "Link",
    "ListOperation",
    "MediaType",
    "Operation",
    "ParamLocation",
    "Parameter",
    "Problem",
    "Provenance",
    "RefError",
    "RequestBody",
    "Resolver",
    "Response",
    "SchemaRef",
    "SecurityRequirement",
    "SecurityScheme",
    "Server",
    "Source",
    "Spec",
    "SpecError",
    "Tag",
    "Webhook",
    "build_spec",
    "default_spec",
    "escape_token",
    "iter_examples",
    "join_pointer",
    "list_operation",
    "load",
    "load_spec",
    "pointer_ref",
    "ref_pointer",
    "split_pointer",
    "unescape_token",
    "load_document",
    "read_document",
    "read_notes",
    "resolve",
    "validate_document",
    "validator_at",
]


@functools.cache
def _spec_at(path: str) -> Spec:
    return default_spec() if Path(path) == SPEC_PATH else load(Path(path))


def load_spec(path: Path = SPEC_PATH) -> dict[str, Any]:
    """The parsed, validated document at `path` (cached; read-only)."""
    return _spec_at(str(path)).content


def resolve(spec: dict[str, Any], node: Any) -> Any:
    """`node` with its local `$ref`s (into `spec`) followed."""
    return _resolver(spec).resolve(node)


def validator_at(pointer: str, spec: dict[str, Any] | None = None) -> Draft202012Validator:
    """A JSON Schema validator for the schema at `pointer` (e.g. '/components/schemas/Customer')."""
    return Draft202012Validator(
        {"$ref": DOCUMENT_URI + pointer_ref(pointer)},
        registry=_resolver(load_spec() if spec is None else spec).registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


_RESOLVERS: dict[int, tuple[Any, Resolver]] = {}
_RESOLVERS_KEPT = 8


def _resolver(spec: dict[str, Any]) -> Resolver:
    # A Resolver per document object, for the last few documents (each entry keeps its
    # document alive, so an id is never reused while it is cached).
    found = _RESOLVERS.get(id(spec))
    if found is None or found[0] is not spec:
        if len(_RESOLVERS) >= _RESOLVERS_KEPT:
            _RESOLVERS.pop(next(iter(_RESOLVERS)))
        found = (spec, Resolver(spec))
        _RESOLVERS[id(spec)] = found
    return found[1]
