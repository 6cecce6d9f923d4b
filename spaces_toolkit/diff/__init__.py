"""Spec evolution: every change between two OpenAPI documents, and whom it breaks.

Small modules: `sources` (read a side), `usage` (who writes each component), `schemas`,
`operations`, `responses`, `media`, `security`, `surface` (the generated client's names),
`document` (the walk), `rules` (the catalogue of change kinds, `spaces diff --list-rules`),
`render`, `versions` (semver rules) and `cli` (`spaces diff`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .compare import Comparison, compare_documents, compare_sources
    from .model import CATEGORIES, Change, Impact
    from .render import FORMATS, render

# Names load on first use (PEP 562), so importing a submodule, or `spaces --help`, does not
# import the spec model.
_LAZY = {
    "CATEGORIES": ".model",
    "Change": ".model",
    "Impact": ".model",
    "Comparison": ".compare",
    "compare_documents": ".compare",
    "compare_sources": ".compare",
    "FORMATS": ".render",
    "render": ".render",
}
__all__ = [
    "CATEGORIES",
    "Change",
    "Comparison",
    "FORMATS",
    "Impact",
    "compare_documents",
    "compare_sources",
    "render",
]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
