"""Text helpers for the HTML page: Markdown from the spec to HTML, and code highlighting.

Both run at generation time (no script or stylesheet from anywhere else is needed to read the
page), and both are deterministic: the same input gives the same bytes.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markupsafe import Markup, escape
from pygments import highlight as _pygments_highlight  # type: ignore[import-untyped]
from pygments.formatters import HtmlFormatter  # type: ignore[import-untyped]
from pygments.lexers import (  # type: ignore[import-untyped]
    BashLexer,
    JavascriptLexer,
    JsonLexer,
    PythonLexer,
)

__all__ = [
    "first_sentence",
    "highlight",
    "markdown_block",
    "markdown_inline",
    "path_html",
    "word_breaks",
]

# CommonMark without raw HTML: descriptions in the spec cannot inject markup into the page.
_MD = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_LEXERS = {
    "json": JsonLexer,
    "python": PythonLexer,
    "python-async": PythonLexer,
    "curl": BashLexer,
    "shell": BashLexer,
    "javascript": JavascriptLexer,
    "http": None,
}
_FORMATTER = HtmlFormatter(nowrap=True, classprefix="tok-")


def markdown_block(text: str) -> Markup:
    return Markup(_external_links(_MD.render(text or "")))


def markdown_inline(text: str) -> Markup:
    return Markup(_external_links(_MD.renderInline(" ".join((text or "").split()))))


def _external_links(html: str) -> str:
    # Links out of the page open in a new tab and send no referrer from a local file.
    return re.sub(
        r'<a href="(https?://[^"]+)"', r'<a href="\1" rel="noreferrer" target="_blank"', html
    )


def highlight(code: str, lang: str) -> Markup:
    lexer = _LEXERS.get(lang)
    if lexer is None:
        return Markup(escape(code))
    return Markup(_pygments_highlight(code, lexer(), _FORMATTER).rstrip("\n"))


def path_html(path: str) -> Markup:
    """'/customers/{id}' with the template parameters marked up."""
    parts = re.split(r"(\{[^}]+\})", path)
    return Markup("").join(
        Markup('<span class="path-param">{}</span>').format(p) if p.startswith("{") else escape(p)
        for p in parts
    )


def word_breaks(text: str) -> Markup:
    """Allow line breaks after the dots of a dotted path ('invoice.items.data')."""
    return Markup(".<wbr>").join(escape(part) for part in text.split("."))


def first_sentence(markdown: str) -> str:
    """The first sentence of a description, on one line (for one-line summaries)."""
    text = " ".join((markdown or "").split())
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    return match.group(1) if match else text
