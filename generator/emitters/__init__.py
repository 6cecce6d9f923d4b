"""Emitters: each turns the IR into one folder of generated files under the output root.

Adding another set of emitted files (say `generated/docs/`) is adding an emitter module that
defines an `Emitter` and listing it in `EMITTERS`; loading, validation, stamping, formatting
hooks, the atomic swap and `--check` are shared.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import ir
from ..changes import ReleaseNotes

__all__ = ["EMITTERS", "EmitContext", "Emitter"]


@dataclass(frozen=True)
class EmitContext:
    api: ir.Api
    document: dict[str, Any]  # the validated spec, for tools that read schemas themselves
    history: tuple[ReleaseNotes, ...] = ()  # spec releases, newest first (changelog, docs)


@dataclass(frozen=True)
class Emitter:
    name: str  # what `--only` selects
    directory: str  # folder under the output root that this emitter owns entirely
    render: Callable[[EmitContext], dict[str, str]]  # relative posix path -> file text
    postprocess: Callable[[Path], None] | None = None  # run on the rendered folder (e.g. ruff)
    description: str = ""
    # Files copied verbatim from hand-written sources: relative path -> the source's path in
    # the repository (their stamp names it instead of the spec).
    copies: Callable[[EmitContext], dict[str, str]] | None = None


def _registry() -> tuple[Emitter, ...]:
    from ..docs.emitter import EMITTER as DOCS
    from . import python

    return (python.EMITTER, DOCS)


EMITTERS: tuple[Emitter, ...] = _registry()
