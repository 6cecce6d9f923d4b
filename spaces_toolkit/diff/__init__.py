"""Spec evolution: every change between two OpenAPI documents, and whom it breaks.

Small modules: `sources` (read a side), `usage` (who writes each component), `schemas`,
`operations`, `responses`, `media`, `security`, `surface` (the generated client's names),
`document` (the walk), `rules` (the catalogue of change kinds, `spaces diff --list-rules`),
`render`, `versions` (semver rules) and `cli` (`spaces diff`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from spaces_toolkit._lazy import lazy_exports

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


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
