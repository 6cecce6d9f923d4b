"""Names the hand-written runtime (generator/runtime/) already uses, read from its source, so a
generated name can never shadow one: the per-request options every generated method takes, and
the public attributes of the client classes."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

__all__ = ["RUNTIME", "client_attribute_names", "request_option_names"]

RUNTIME = Path(__file__).resolve().parent / "runtime"
_CLIENT_MODULES = ("_base_client.py", "_sync_client.py", "_async_client.py")


def _classes(module: str) -> list[ast.ClassDef]:
    tree = ast.parse((RUNTIME / module).read_text(encoding="utf-8"))
    return [node for node in tree.body if isinstance(node, ast.ClassDef)]


def _fields(cls: ast.ClassDef) -> set[str]:
    return {
        node.target.id
        for node in cls.body
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
    }


@functools.cache
def request_option_names() -> frozenset[str]:
    """The keyword arguments of `RequestOptions` (extra_headers, timeout, ...)."""
    for cls in _classes("_types.py"):
        if cls.name == "RequestOptions":
            return frozenset(_fields(cls))
    raise RuntimeError("generator/runtime/_types.py defines no RequestOptions")


@functools.cache
def client_attribute_names() -> frozenset[str]:
    """Public methods and attributes the runtime's client classes define (the generated
    clients inherit them; a resource attribute must not take one of these names)."""
    names: set[str] = set()
    for module in _CLIENT_MODULES:
        for cls in _classes(module):
            names |= _fields(cls)
            names |= {
                node.name
                for node in cls.body
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            }
            for node in ast.walk(cls):
                if (
                    isinstance(node, ast.Attribute)
                    and isinstance(node.ctx, ast.Store)
                    and isinstance(node.value, ast.Name)
                    and node.value.id == "self"
                ):
                    names.add(node.attr)
    return frozenset(n for n in names if not n.startswith("_"))
