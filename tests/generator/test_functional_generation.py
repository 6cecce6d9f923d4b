"""Generate from a small inline spec, import the result, call it through httpx.MockTransport."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest
from generator_helpers import imported, real_spec, run, write_spec

WIDGET = {
    "id": "w1",
    "name": "Sprocket",
    "color": "red",
    "shape": {"kind": "circle", "radius": 2.0},
}


def test_the_package_is_named_after_the_spec_title(widget_build: Path) -> None:
    package = widget_build / "widget_store_client"
    assert (package / "py.typed").exists()
    assert sorted(p.name for p in (package / "resources").glob("*.py")) == [
        "__init__.py",
        "gadget_orders.py",
        "widgets.py",
    ]
    assert not (package / "webhooks.py").exists()  # the spec has no webhooks
    assert '"widget-store-client"' in (widget_build / "pyproject.toml").read_text()


def test_calls_go_over_the_wire_as_the_spec_says(
    widget_build: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WIDGET_STORE_ACCESS_TOKEN", "secret")
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.method == "DELETE":
            return httpx.Response(204)
        if request.method == "POST" or request.url.path.endswith("/widgets/w1"):
            return httpx.Response(200, json=WIDGET)
        if request.url.path.endswith("/gadget_orders"):
            return httpx.Response(200, json=[{"id": 1}, {"id": 2}])
        if "starting_after" in request.url.params:
            return httpx.Response(
                200, json={"object": "list", "data": [{**WIDGET, "id": "w2"}], "has_more": False}
            )
        return httpx.Response(200, json={"object": "list", "data": [WIDGET], "has_more": True})

    with imported(widget_build.parent / "python", "widget_store_client") as pkg:
        client = pkg.WidgetStoreClient(
            http_client=httpx.Client(transport=httpx.MockTransport(handler))
        )
        assert [w.id for w in client.widgets.list(color="red")] == ["w1", "w2"]
        created = client.widgets.create(name="Gear", size=3)
        assert created.shape.radius == 2.0
        assert client.widgets.delete("w1") is None
        assert [o.id for o in client.gadget_orders.list()] == [1, 2]
        assert isinstance(client.widgets.retrieve("w1"), pkg.models.Widget)

    assert seen[0].headers["Authorization"] == "Bearer secret"
    assert str(seen[0].url) == "https://api.widgets.test/v2/widgets?color=red"
    assert dict(seen[1].url.params) == {"color": "red", "starting_after": "w1"}
    assert seen[2].headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert seen[2].content == b"name=Gear&size=3"
    assert (seen[3].method, seen[3].url.path) == ("DELETE", "/v2/widgets/w1")


def test_a_union_field_with_an_unknown_tag_parses(widget_build: Path) -> None:
    with imported(widget_build, "widget_store_client") as pkg:
        widget = pkg.models.Widget.model_validate(
            {**WIDGET, "shape": {"kind": "hexagon", "sides": 6}}
        )
        assert type(widget.shape).__name__ == "UnknownShape"
        assert widget.shape.kind == "hexagon" and widget.shape.model_extra == {"sides": 6}
        square = pkg.models.Widget.model_validate(
            {**WIDGET, "shape": {"kind": "square", "side": 1}}
        )
        assert type(square.shape).__name__ == "Square"
        assert "parse_webhook" not in pkg.__all__


def test_the_async_twin_is_generated_too(widget_build: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"object": "list", "data": [WIDGET], "has_more": False})

    async def go() -> list[str]:
        with imported(widget_build, "widget_store_client") as pkg:
            transport = httpx.MockTransport(handler)
            async with pkg.AsyncWidgetStoreClient(
                "t", http_client=httpx.AsyncClient(transport=transport)
            ) as c:
                return [w.name async for w in c.widgets.list()]

    assert asyncio.run(go()) == ["Sprocket"]


def test_deleting_an_operation_from_the_spec_removes_its_method(tmp_path: Path) -> None:
    spec = real_spec()
    del spec["paths"]["/invoices/{id}"]
    for response in spec["paths"]["/invoices"]["get"]["responses"].values():
        response.pop("links", None)  # the link named the deleted operation
    assert (
        run("--spec", write_spec(tmp_path / "openapi.yaml", spec), "--out", tmp_path / "out") == 0
    )
    with imported(tmp_path / "out" / "python", "spaces_client") as pkg:
        client = pkg.SpacesClient("t")
        assert hasattr(client.invoices, "list")
        assert not hasattr(client.invoices, "retrieve")
        assert not hasattr(client.with_raw_response.invoices, "retrieve")
        assert hasattr(client.customers, "retrieve")
    readme = (tmp_path / "out" / "python" / "README.md").read_text()
    assert "GET /invoices/{id}" not in readme and "GET /invoices`" in readme


def test_a_new_operation_in_the_spec_appears_as_a_method(tmp_path: Path) -> None:
    spec = real_spec()
    get = json.loads(json.dumps(spec["paths"]["/customers/{id}"]["get"]))
    get["operationId"] = "listCustomerInvoices"
    get["tags"] = ["Invoices"]
    get["responses"]["200"]["content"]["application/json"]["schema"] = {
        "$ref": "#/components/schemas/InvoiceList"
    }
    get["responses"]["200"].pop("links")
    get["responses"]["200"]["content"]["application/json"].pop("examples")
    spec["paths"]["/customers/{id}/invoices"] = {"get": get}
    assert (
        run("--spec", write_spec(tmp_path / "openapi.yaml", spec), "--out", tmp_path / "out") == 0
    )
    with imported(tmp_path / "out" / "python", "spaces_client") as pkg:
        method = pkg.SpacesClient("t").invoices.list_customer
        assert "Retrieve a customer" in (method.__doc__ or "")
