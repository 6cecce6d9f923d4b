"""The API reference, emitted from the generator's IR into generated/docs/:

- `index.html`: one self-contained page (inline CSS and JS, nothing loaded from elsewhere);
- `markdown/`: the same reference in the original docs' layout (README.md + sections/*.md);
- `llms.txt`, `llms-full.txt`: the reference for language models (generator.docs.llms).

`python -m generator --only docs` (`make docs`) writes it; `--check` compares it. The emitter
itself is in `generator.docs.emitter`, which only the emitter registry imports.
"""

from __future__ import annotations

from .. import ir
from ..changes import ReleaseNotes, render_changelog
from .html import render_html
from .llms import render_llms
from .markdown import render_markdown
from .view import build_view

__all__ = ["render_files"]


def render_files(api: ir.Api, history: tuple[ReleaseNotes, ...] = ()) -> dict[str, str]:
    """Relative path under generated/docs/ -> text, before the generator's stamp."""
    view = build_view(api)
    files = {"index.html": render_html(view, history)}
    markdown = render_markdown(view)
    files.update({f"markdown/{path}": text for path, text in markdown.items()})
    files.update(render_llms(view, markdown))
    files["markdown/CHANGES.md"] = render_changelog(history, api.title)
    return files
