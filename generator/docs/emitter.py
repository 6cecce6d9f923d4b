"""The docs emitter, as the generator's registry lists it (generator/emitters/__init__.py)."""

from __future__ import annotations

from ..emitters import EmitContext, Emitter
from . import render_files

__all__ = ["EMITTER"]


def _render(ctx: EmitContext) -> dict[str, str]:
    return render_files(ctx.api, ctx.history)


EMITTER = Emitter(
    name="docs",
    directory="docs",
    render=_render,
    description="API reference: single-file HTML and Markdown",
)
