"""Client, server and spec model agree about the API: the same operations, the same list
operations (with the same cursor parameters) and the same parameter bounds; and the names the
answers wear (a list page's fields, the error's message, the API's path prefix) are the
document's, read through the model by the server, the suite and the proxy.

Each consumer contributes a *leg*: a function that says what that consumer believes, in the
common `Surface` shape, read from the consumer's own objects (and, for the server, from how it
answers). Every leg must equal the model's. To add a consumer, add its leg to `LEGS`.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import yaml

from spaces_toolkit.spec import default_spec

REPO = Path(__file__).resolve().parents[2]
Bounds = tuple[Any, Any, Any, Any, Any]  # minimum, maximum, minLength, maxLength, default


@dataclasses.dataclass(frozen=True)
class Surface:
    operations: frozenset[tuple[str, str, str]]  # (operationId, METHOD, path)
    lists: dict[str, tuple[str | None, str | None]]  # operationId -> (after, before) parameter
    bounds: dict[tuple[str, str, str], Bounds]  # (operationId, location, name) -> bounds


def _bounds(schema: dict[str, Any], default: Any) -> Bounds:
    keys = ("minimum", "maximum", "minLength", "maxLength")
    return (*(schema.get(k) for k in keys), default)  # type: ignore[return-value]


def model_leg() -> Surface:
    spec = default_spec()
    return Surface(
        operations=frozenset((op.operation_id or "", op.method, op.path) for op in spec.operations),
        lists={
            lst.operation.operation_id or "": (
                lst.after.name,
                lst.before.name if lst.before else None,
            )
            for lst in spec.lists
        },
        bounds={
            (op.operation_id or "", str(p.location), p.name): (
                p.bounds.minimum,
                p.bounds.maximum,
                p.bounds.min_length,
                p.bounds.max_length,
                p.default,
            )
            for op in spec.operations
            for p in op.parameters
        },
    )


def generator_leg() -> Surface:
    """What the generated client is built from: the generator's IR of spec/openapi.yaml."""
    from generator.build import load_api

    _, api = load_api(REPO / "spec" / "openapi.yaml")
    return Surface(
        operations=frozenset((op.operation_id, op.http_method, op.path) for op in api.operations),
        lists={
            op.operation_id: (op.pagination.after_param, op.pagination.before_param)
            for op in api.operations
            if op.pagination is not None
        },
        bounds={
            (op.operation_id, p.location, p.name): _bounds(
                dict(p.constraints), p.default if p.has_default else None
            )
            for op in api.operations
            for p in (*op.path_params, *op.query_params, *op.header_params)
        },
    )


async def server_leg(tmp_path: Path) -> Surface:
    """What the reference server serves: its routes' parameter checks, which GETs answer with a
    page, the cursor names its pagination reads, and the page-size bounds it enforces."""
    from spaces_toolkit.server.app import create_app
    from spaces_toolkit.server.http.operations import served_operations
    from spaces_toolkit.server.settings import Settings, api_prefix
    from spaces_toolkit.server.storage.repo.accounts import create_account

    served = served_operations()
    bounds = {
        (op.operation_id, p.location, p.name): _bounds(p.schema, p.default)
        for op in served
        for p in op.params
    }
    app = create_app(Settings(db_path=tmp_path / "agreement.db", run_delivery_worker=False))
    _, token = create_account(app.state.db, name="Agreement", email="agreement@example.com")
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url=f"http://testserver{api_prefix()}",
        auth=(token, ""),
    )
    lists = {}
    try:
        for op in served:
            names = {p.name for p in op.params if p.location == "query"}
            if op.method != "GET" or "{" in op.path or "limit" not in names:
                continue
            body = (await client.get(op.path, params={"limit": 1})).json()
            if not (isinstance(body.get("data"), list) and isinstance(body.get("has_more"), bool)):
                continue
            # A cursor the server reads refuses an id that names no object (400); a parameter it
            # ignores does not. Declared order says which is which (after, then before).
            cursors = [
                p.name
                for p in op.params
                if p.location == "query"
                and p.name != "limit"
                and (await client.get(op.path, params={p.name: _no_such_id(p)})).status_code == 400
            ]
            after, before = (cursors + [None, None])[:2]
            lists[op.operation_id] = (after, before)
            lo, hi, *rest = bounds[(op.operation_id, "query", "limit")]
            bounds[(op.operation_id, "query", "limit")] = (
                await _enforced(client, op.path, lo, lo - 1),
                await _enforced(client, op.path, hi, hi + 1),
                *rest,
            )
    finally:
        await client.aclose()
        app.state.db.close()
    return Surface(
        operations=frozenset((op.operation_id, op.method, op.path) for op in served),
        lists=lists,
        bounds=bounds,
    )


def _no_such_id(param: Any) -> str:
    """A value of the parameter's type that names no object."""
    return str(2**62) if param.schema.get("type") == "integer" else "no_such_object_0"


async def _enforced(client: httpx.AsyncClient, path: str, edge: int, outside: int) -> int | None:
    """`edge` if the server takes limit=edge and refuses limit=outside with a 400, else None."""
    taken = (await client.get(path, params={"limit": edge})).status_code == 200
    refused = (await client.get(path, params={"limit": outside})).status_code == 400
    return edge if taken and refused else None


async def _generator(tmp_path: Path) -> Surface:
    return generator_leg()


async def contract_leg(tmp_path: Path) -> Surface:
    """What the contract suite judges by: its view of the spec (operations, the cursor
    parameters its walks send, the parameter schemas its coverage and checks read)."""
    from spaces_toolkit.contract.apispec import load_model

    suite = load_model()
    return Surface(
        operations=frozenset((op.operation_id, op.method, op.path) for op in suite.operations),
        lists={lst.operation.operation_id: (lst.after, lst.before) for lst in suite.lists},
        bounds={
            (op.operation_id, p.location, p.name): _bounds(p.schema, p.schema.get("default"))
            for op in suite.operations
            for p in op.parameters
        },
    )


# Consumer -> its leg.
LEGS: dict[str, Callable[[Path], Awaitable[Surface]]] = {
    "contract": contract_leg,
    "generator": _generator,
    "server": server_leg,
}


@pytest.fixture(scope="module")
def model() -> Surface:
    return model_leg()


def test_the_model_knows_the_api(model: Surface) -> None:
    assert len(model.operations) >= 14 and len(model.lists) >= 8
    assert all(b[:2] == (1, 100) for k, b in model.bounds.items() if k[2] == "limit")


@pytest.mark.parametrize("leg", sorted(LEGS))
async def test_each_consumer_agrees_with_the_model(
    leg: str, model: Surface, tmp_path: Path
) -> None:
    surface = await LEGS[leg](tmp_path)
    assert surface.operations == model.operations
    assert surface.lists == model.lists
    assert surface.bounds == model.bounds


async def test_the_server_leg_measures_rather_than_repeats(tmp_path: Path) -> None:
    """The page-size bounds of the server leg are what the server answers: a wrong edge is seen."""
    from spaces_toolkit.server.app import create_app
    from spaces_toolkit.server.settings import Settings, api_prefix
    from spaces_toolkit.server.storage.repo.accounts import create_account

    app = create_app(Settings(db_path=tmp_path / "probe.db", run_delivery_worker=False))
    _, token = create_account(app.state.db, name="Probe", email="probe@example.com")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url=f"http://testserver{api_prefix()}",
        auth=(token, ""),
    ) as client:
        assert await _enforced(client, "/customers", 100, 101) == 100
        assert await _enforced(client, "/customers", 101, 102) is None  # 101 is refused
        assert await _enforced(client, "/customers", 99, 100) is None  # 100 is taken
    app.state.db.close()


# ---------------------------------------------------------------------- the names answers wear

# A list page's items, more-flag, count, type-name field and its value; the error body's message
# field; the path the API is served under.
Names = tuple[str, str, str | None, str | None, str | None, str, str]
STATED = ("data", "has_more", "count", "object", "list", "message", "/api/v1")


def model_names(spec: Any) -> Names:
    env = spec.envelope
    return (
        env.data,
        env.has_more,
        env.count,
        env.object,
        env.object_value,
        spec.error_fields.message,
        spec.api_prefix,
    )


def _follow(document: dict[str, Any], node: Any) -> Any:
    """`node` with its local `$ref`s followed, read by hand (RFC 6901, no percent-escapes)."""
    while isinstance(node, dict) and "$ref" in node:
        found: Any = document
        for token in node["$ref"].removeprefix("#/").split("/"):
            found = found[token.replace("~1", "/").replace("~0", "~")]
        node = found
    return node


def document_names(document: dict[str, Any]) -> Names:
    """The same names read from the YAML by hand, not through the model: the properties every
    page of a cursor-paginated GET (one taking `starting_after`) shares, by their types; the
    string property every error response's body has; the servers' URL path."""
    pages, errors = [], []
    for item in document["paths"].values():
        for method, op in _follow(document, item).items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            params = [_follow(document, p) for p in op.get("parameters", [])]
            for status, response in op["responses"].items():
                content = _follow(document, response).get("content", {})
                schema = _follow(document, content.get("application/json", {}).get("schema"))
                props = {
                    name: _follow(document, sub)
                    for name, sub in (schema or {}).get("properties", {}).items()
                }
                if status.startswith(("4", "5")):
                    errors.append({n for n, s in props.items() if s.get("type") == "string"})
                elif method == "get" and any(p["name"] == "starting_after" for p in params):
                    pages.append(props)

    def shared(kind: str) -> str:
        (name,) = set.intersection(
            *({n for n, s in props.items() if s.get("type") == kind} for props in pages)
        )
        return name

    consts = {n: s["const"] for props in pages for n, s in props.items() if "const" in s}
    ((kind, value),) = consts.items()
    (message,) = set.intersection(*errors)
    (prefix,) = {urlsplit(s["url"]).path.rstrip("/") for s in document["servers"]}
    return (shared("array"), shared("boolean"), shared("integer"), kind, value, message, prefix)


def test_the_answer_names_are_the_documents() -> None:
    """`Spec.envelope`, `.error_fields` and `.api_prefix` say what the document says, and what
    the docs state (a changed spec fails here until both agree again)."""
    document = yaml.safe_load((REPO / "spec" / "openapi.yaml").read_text(encoding="utf-8"))
    assert model_names(default_spec()) == document_names(document) == STATED


def test_the_answer_names_follow_the_document() -> None:
    """Renamed in the document, renamed in the model: the accessors read, they do not repeat."""
    from spaces_toolkit.spec import Document, build_spec

    document = copy.deepcopy(default_spec().content)
    schemas = document["components"]["schemas"]
    for schema in schemas.values():
        props = schema.get("properties", {})
        if "has_more" in props and "count" in props:
            props["total"] = props.pop("count")
            props["object"] = {**props["object"], "const": "page"}
    schemas["Error"]["properties"] = {"error": schemas["Error"]["properties"]["message"]}
    schemas["Error"]["required"] = ["error"]
    document["servers"] = [{"url": "https://example.com/v2/"}]
    edited = build_spec(Document(document, "", "edited"))
    expected = ("data", "has_more", "total", "object", "page", "error", "/v2")
    assert model_names(edited) == document_names(document) == expected


async def test_the_server_answers_in_the_models_names(tmp_path: Path) -> None:
    """The reference server's pages and errors carry exactly the model's names, under its
    prefix (and nothing answers outside it)."""
    from spaces_toolkit.server.app import create_app
    from spaces_toolkit.server.settings import Settings
    from spaces_toolkit.server.storage.repo.accounts import create_account

    spec = default_spec()
    env = spec.envelope
    app = create_app(Settings(db_path=tmp_path / "names.db", run_delivery_worker=False))
    _, token = create_account(app.state.db, name="Names", email="names@example.com")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver", auth=(token, "")
    ) as client:
        page = await client.get(f"{spec.api_prefix}/customers", params={"limit": 1})
        missing = await client.get(f"{spec.api_prefix}/customers/no_such_customer")
        outside = await client.get("/customers", params={"limit": 1})
    app.state.db.close()
    assert page.status_code == 200
    assert list(page.json()) == [env.object, env.data, env.has_more, env.count]
    assert page.json()[env.object] == env.object_value
    assert missing.status_code == 404 and list(missing.json()) == [spec.error_fields.message]
    assert outside.status_code == 404


def test_the_suite_the_proxy_and_the_client_use_the_models_names() -> None:
    from generator.build import load_api
    from spaces_toolkit.contract.apispec import load_model
    from spaces_toolkit.proxy.checking import base_path_of

    spec = default_spec()
    assert load_model().error_message == spec.error_fields.message
    assert base_path_of(spec) == spec.api_prefix
    _, api = load_api(REPO / "spec" / "openapi.yaml")
    pages = {
        (op.pagination.items_attr, op.pagination.has_more_attr)
        for op in api.operations
        if op.pagination
    }
    assert pages == {(spec.envelope.data, spec.envelope.has_more)}
    assert urlsplit(api.servers[0].url).path.rstrip("/") == spec.api_prefix


def test_the_error_field_is_the_required_one_else_the_conventions() -> None:
    """Of several string fields the error bodies share, the one they all require; a document
    that does not settle it keeps the convention's `message` (`spec.envelope.MESSAGE_FIELD`)."""
    from spaces_toolkit.spec import Document, build_spec

    def message_of(edit: Callable[[dict[str, Any]], None]) -> str:
        document = copy.deepcopy(default_spec().content)
        edit(document["components"]["schemas"]["Error"])
        return build_spec(Document(document, "", "edited")).error_fields.message

    def detail(error: dict[str, Any]) -> None:
        error["properties"] = {"detail": {"type": "string"}, **error["properties"]}

    def detail_required(error: dict[str, Any]) -> None:
        detail(error)
        error["required"] = ["detail"]

    assert message_of(detail) == "message"
    assert message_of(detail_required) == "detail"
    assert message_of(lambda error: error["properties"].clear()) == "message"


def test_the_default_base_url_and_the_clients_error_reading_follow_the_model() -> None:
    """Two places that keep a spec name as a literal for speed or by design: the toolkit's
    default base URL (read at `--help`, where loading the spec would cost the start-up) and the
    generated client's runtime (a stamped copy); both must name what the model does."""
    from spaces_client._base_client import _error_message

    from spaces_toolkit.envdefaults import DEFAULT_BASE_URL

    spec = default_spec()
    assert urlsplit(DEFAULT_BASE_URL).path.rstrip("/") == spec.api_prefix
    field = spec.error_fields.message
    answer = httpx.Response(400, json={field: "the model's own field"})
    assert _error_message(answer)[0] == "the model's own field"
