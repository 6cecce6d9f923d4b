"""Helpers for the docs tests: where things are, and the code samples as the page shows them."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "spec" / "openapi.yaml"
DOCS = REPO / "generated" / "docs"
INDEX = DOCS / "index.html"
MARKDOWN = DOCS / "markdown"
TEST_OUTPUT = REPO / "test-output" / "docs"
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def original_docs() -> Path:
    """The original prose docs: ../shared/spaces-api-docs beside the repository, unless
    SPACES_ORIGINAL_DOCS names another folder."""
    override = os.environ.get("SPACES_ORIGINAL_DOCS")
    return Path(override) if override else REPO.parent / "shared" / "spaces-api-docs"


def load_spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC.read_text(encoding="utf-8"))


def spec_operations(spec: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """operationId -> (METHOD, path) for every operation under `paths`."""
    ops = {}
    for path, item in spec["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                ops[item[method]["operationId"]] = (method.upper(), path)
    return ops


@dataclass(frozen=True)
class DocSample:
    lang: str  # "curl", "python", "python-async"
    code: str
    operation_id: str  # "" for the samples of the overview sections
    section: str  # id of the enclosing section
    event: str = ""  # webhook receivers: the event type they handle


class _SampleParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.samples: list[DocSample] = []
        self._sections: list[str] = []
        self._depth: list[str] = []
        self._current: dict[str, str] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "section":
            self._sections.append(a.get("id", ""))
        if tag == "pre" and "data-sample" in a:
            self._current = a
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "section" and self._sections:
            self._sections.pop()
        if tag == "pre" and self._current is not None:
            self.samples.append(
                DocSample(
                    lang=self._current["data-sample"],
                    code="".join(self._text),
                    operation_id=self._current.get("data-operation", ""),
                    section=self._sections[-1] if self._sections else "",
                    event=self._current.get("data-event", ""),
                )
            )
            self._current = None

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._text.append(data)


def html_samples(html: str | None = None) -> list[DocSample]:
    parser = _SampleParser()
    parser.feed(INDEX.read_text(encoding="utf-8") if html is None else html)
    return parser.samples


_FENCE = re.compile(r"^```(\w+)\n(.*?)\n```$", re.S | re.M)


def markdown_code_blocks(text: str) -> list[tuple[str, str]]:
    """(language, code) of every fenced block."""
    return [(m.group(1), m.group(2)) for m in _FENCE.finditer(text)]
