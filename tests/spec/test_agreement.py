"""Client, server and spec model agree about the API: the same operations, the same list
operations (with the same cursor parameters) and the same parameter bounds.

Each consumer contributes a *leg*: a function that says what that consumer believes, in the
common `Surface` shape, read from the consumer's own objects (and, for the server, from how it
answers). Every leg must equal the model's. To add a consumer, add its leg to `LEGS`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

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
    from spaces_toolkit.server.operations import served_operations
    from spaces_toolkit.server.repo.accounts import create_account
    from spaces_toolkit.server.settings import API_PREFIX, Settings

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
        base_url=f"http://testserver{API_PREFIX}",
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
    from spaces_toolkit.server.repo.accounts import create_account
    from spaces_toolkit.server.settings import API_PREFIX, Settings

    app = create_app(Settings(db_path=tmp_path / "probe.db", run_delivery_worker=False))
    _, token = create_account(app.state.db, name="Probe", email="probe@example.com")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url=f"http://testserver{API_PREFIX}",
        auth=(token, ""),
    ) as client:
        assert await _enforced(client, "/customers", 100, 101) == 100
        assert await _enforced(client, "/customers", 101, 102) is None  # 101 is refused
        assert await _enforced(client, "/customers", 99, 100) is None  # 100 is taken
    app.state.db.close()
