"""The API reference, emitted from the generator's IR into generated/docs/:

- `index.html`: one self-contained page (inline CSS and JS, nothing loaded from elsewhere);
- `markdown/`: the same reference in the original docs' layout (README.md + sections/*.md).

`python -m generator --only docs` (`make docs`) writes it; `--check` compares it.
"""

from __future__ import annotations

from ..emitters import EmitContext, Emitter
from .html import render_html
from .markdown import render_markdown
from .view import build_view

__all__ = ["EMITTER", "render_docs"]


def render_docs(ctx: EmitContext) -> dict[str, str]:
    view = build_view(ctx.api)
    files = {"index.html": render_html(view)}
    files.update({f"markdown/{path}": text for path, text in render_markdown(view).items()})
    return files


EMITTER = Emitter(
    name="docs",
    directory="docs",
    render=render_docs,
    description="API reference: single-file HTML and Markdown",
)
