"""The single-file HTML reference: generated/docs/index.html.

Stylesheet and script are inlined from generator/templates/docs/ (style.css, app.js); the page's
Content-Security-Policy forbids loading anything else, so it reads the same from `file://` on a
machine with no network as from the reference server's `/docs`.
"""

from __future__ import annotations

import json
from pathlib import Path

import jinja2

from ..changes import ReleaseNotes
from .model import DocsView
from .overview import status_anchor
from .text import highlight, markdown_block, markdown_inline, path_html, word_breaks

__all__ = ["TEMPLATES", "render_html"]

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "docs"

METHOD_CLASSES = {"GET": "get", "POST": "post", "PUT": "put", "PATCH": "patch", "DELETE": "delete"}


def environment(*, html: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=html,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["md"] = markdown_block
    env.filters["md_inline"] = markdown_inline
    env.filters["highlight"] = highlight
    env.filters["path_html"] = path_html
    env.filters["wbr"] = word_breaks
    env.filters["method_class"] = lambda m: METHOD_CLASSES.get(m, "other")
    env.filters["status_anchor"] = status_anchor
    env.filters["json_compact"] = lambda v: json.dumps(v, separators=(",", ":"), sort_keys=True)
    return env


def render_html(view: DocsView, history: tuple[ReleaseNotes, ...] = ()) -> str:
    template = environment(html=True).get_template("index.html.jinja")
    return template.render(view=view, history=history)
