"""Spec evolution: every change between two OpenAPI documents, and whom it breaks.

Small modules: `sources` (read a side), `usage` (who writes each component), `schemas`,
`operations`, `responses`, `media`, `security`, `surface` (the generated client's names),
`document` (the walk), `render`, `versions` (semver rules) and `cli` (`spaces diff`).
"""

from .compare import Comparison, compare_documents, compare_sources
from .model import CATEGORIES, Change, Impact
from .render import FORMATS, render

__all__ = [
    "CATEGORIES",
    "FORMATS",
    "Change",
    "Comparison",
    "Impact",
    "compare_documents",
    "compare_sources",
    "render",
]
