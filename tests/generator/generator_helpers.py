"""Helpers for generator tests: run the generator in-process, import what it generated."""

from __future__ import annotations

import contextlib
import copy
import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from generator.__main__ import main
from spaces_toolkit.spec import read_document

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "spec" / "openapi.yaml"
GENERATED = ROOT / "generated"


def run(*argv: str | Path) -> int:
    return main([str(a) for a in argv])


def write_spec(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def real_spec() -> dict[str, Any]:
    """A fresh, mutable copy of the spec's parsed document (read by the spec model)."""
    return copy.deepcopy(read_document(SPEC).content)


@contextlib.contextmanager
def imported(folder: Path, package: str) -> Iterator[ModuleType]:
    """Import `package` from `folder`; afterwards, put back whatever was imported under that name
    before (tests/client uses the committed generated/python/spaces_client)."""

    def ours(name: str) -> bool:
        return name == package or name.startswith(package + ".")

    saved = {name: module for name, module in sys.modules.items() if ours(name)}
    for name in saved:
        del sys.modules[name]
    sys.path.insert(0, str(folder))
    try:
        module = importlib.import_module(package)
        assert Path(str(module.__file__)).is_relative_to(folder), module.__file__
        yield module
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if ours(n)]:
            del sys.modules[name]
        sys.modules.update(saved)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def widget_spec() -> dict[str, Any]:
    """A small API unlike Spaces: bearer auth, form bodies, a DELETE, a union field, no webhooks."""
    error = {"description": "Error", "content": {"application/json": {"schema": _ref("Error")}}}
    cursor = {"in": "query", "required": False, "schema": {"type": "string"}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Widget Store API", "version": "2.0"},
        "servers": [{"url": "https://api.widgets.test/v2"}],
        "security": [{"token": []}],
        "tags": [
            {"name": "Widgets", "description": "Widgets for sale."},
            {"name": "Gadget Orders"},
        ],
        "paths": {
            "/widgets": {
                "get": {
                    "operationId": "listWidgets",
                    "tags": ["Widgets"],
                    "summary": "List widgets",
                    "parameters": [
                        {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                        {"name": "starting_after", **cursor},
                        {"name": "starting_before", **cursor},
                        {"name": "color", "in": "query", "schema": _ref("Color")},
                    ],
                    "responses": {
                        "200": {
                            "description": "A page",
                            "content": {"application/json": {"schema": _ref("WidgetList")}},
                        },
                        "400": error,
                    },
                },
                "post": {
                    "operationId": "createWidget",
                    "tags": ["Widgets"],
                    "summary": "Create a widget",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/x-www-form-urlencoded": {"schema": _ref("WidgetParams")}
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "Created",
                            "content": {"application/json": {"schema": _ref("Widget")}},
                        }
                    },
                },
            },
            "/widgets/{widget_id}": {
                "parameters": [
                    {
                        "name": "widget_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    }
                ],
                "get": {
                    "operationId": "retrieveWidget",
                    "tags": ["Widgets"],
                    "responses": {
                        "200": {
                            "description": "The widget",
                            "content": {"application/json": {"schema": _ref("Widget")}},
                        },
                        "404": error,
                    },
                },
                "delete": {
                    "operationId": "deleteWidget",
                    "tags": ["Widgets"],
                    "responses": {"204": {"description": "Deleted"}},
                },
            },
            "/gadget_orders": {
                "get": {
                    "operationId": "listGadgetOrders",
                    "tags": ["Gadget Orders"],
                    "responses": {
                        "200": {
                            "description": "All orders",
                            "content": {
                                "application/json": {
                                    "schema": {"type": "array", "items": _ref("GadgetOrder")}
                                }
                            },
                        }
                    },
                },
            },
        },
        "components": {
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["message"],
                    "properties": {"message": {"type": "string"}},
                },
                "Color": {"type": "string", "enum": ["red", "green"]},
                "Circle": {
                    "type": "object",
                    "required": ["kind", "radius"],
                    "properties": {
                        "kind": {"type": "string", "const": "circle"},
                        "radius": {"type": "number"},
                    },
                },
                "Square": {
                    "type": "object",
                    "required": ["kind", "side"],
                    "properties": {
                        "kind": {"type": "string", "const": "square"},
                        "side": {"type": "number"},
                    },
                },
                "Shape": {
                    "oneOf": [_ref("Circle"), _ref("Square")],
                    "discriminator": {"propertyName": "kind"},
                },
                "Widget": {
                    "type": "object",
                    "description": "A widget.",
                    "required": ["id", "name", "color", "shape"],
                    "properties": {
                        "id": {"type": "string"},
                        "name": {"type": "string", "description": "Its name."},
                        "color": _ref("Color"),
                        "shape": _ref("Shape"),
                        "size": {"type": ["integer", "null"]},
                    },
                },
                "WidgetList": {
                    "type": "object",
                    "required": ["object", "data", "has_more"],
                    "properties": {
                        "object": {"type": "string", "const": "list"},
                        "data": {"type": "array", "items": _ref("Widget")},
                        "has_more": {"type": "boolean"},
                    },
                },
                "WidgetParams": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string"},
                        "color": _ref("Color"),
                        "size": {"type": "integer"},
                    },
                },
                "GadgetOrder": {
                    "type": "object",
                    "required": ["id"],
                    "properties": {"id": {"type": "integer"}},
                },
            },
        },
    }
