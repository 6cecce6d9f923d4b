"""index.html without a browser: self-contained, complete, reproducible, served at /docs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import httpx

from generator.build import build_api
from generator.docs import render_files
from spaces_toolkit.server.run.embedded import run_embedded
from spaces_toolkit.server.settings import LLMS_FILES, SANDBOX_BASE_META, api_prefix
from spaces_toolkit.spec import load as load_model

from ._docs import DOCS, INDEX, REPO, SPEC, load_spec, spec_operations

HTML = INDEX.read_text(encoding="utf-8")


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def _tags() -> list[tuple[str, dict[str, str]]]:
    parser = _Collect()
    parser.feed(HTML)
    return parser.tags


def test_nothing_is_loaded_from_elsewhere() -> None:
    tags = _tags()
    for tag, attrs in tags:
        for name in ("src", "srcset", "data", "poster", "background"):
            assert name not in attrs or attrs[name].startswith("data:"), (tag, attrs)
        if tag == "link":
            assert attrs.get("href", "").startswith("data:"), attrs
    for style in re.findall(r"<style>(.*?)</style>", HTML, re.S):
        assert "@import" not in style
        assert not re.search(r"url\((?!['\"]?data:)", style), "CSS url() to something not inline"
    csp = [
        a["content"]
        for t, a in tags
        if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert csp and "default-src 'none'" in csp[0]
    assert "<base" not in HTML


def test_every_operation_and_event_has_a_section() -> None:
    spec = load_spec()
    ids = {a.get("data-operation") for t, a in _tags() if t == "section"}
    assert set(spec_operations(spec)) <= ids
    events = {a.get("data-event") for t, a in _tags() if t == "section"}
    assert set(spec["webhooks"]) <= events


def test_every_attribute_of_every_object_is_shown() -> None:
    api = build_api(load_model(SPEC))
    paths = {a.get("data-path") for t, a in _tags() if t == "li" and "field" in a.get("class", "")}
    for resource in api.resources:
        model = api.model(resource.object_model) if resource.object_model else None
        if model is None or model.kind != "object":
            continue
        for attr in model.attributes:
            assert attr.name in paths, f"{model.name}.{attr.name}"


def test_anchors_are_unique_and_links_resolve() -> None:
    ids = [a["id"] for _, a in _tags() if "id" in a]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    targets = {a["href"][1:] for t, a in _tags() if t == "a" and a.get("href", "").startswith("#")}
    assert targets <= set(ids), sorted(targets - set(ids))


def test_rendering_is_reproducible(tmp_path: Path) -> None:
    """Same bytes in-process and in a fresh interpreter with another hash seed."""
    api = build_api(load_model(SPEC))
    first = render_files(api)
    assert render_files(api) == first
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    done = subprocess.run(
        [sys.executable, "-m", "generator", "--only", "docs", "--out", str(tmp_path)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for rel in first:
        assert (tmp_path / "docs" / rel).read_bytes() == (DOCS / rel).read_bytes(), rel


def test_reference_server_serves_the_page_at_docs(tmp_path: Path) -> None:
    """The page as generated, except that the sandbox fills in where its API is (a path the
    page resolves against its own origin); and the llms.txt files beside it, as generated."""
    with run_embedded(tmp_path / "spaces.db", accounts=1, seed_customers=1) as server:
        response = httpx.get(f"{server.root_url}/docs", timeout=20)
        texts = {name: httpx.get(f"{server.root_url}/{name}", timeout=20) for name in LLMS_FILES}
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert SANDBOX_BASE_META in HTML
    filled = SANDBOX_BASE_META.replace('content=""', f'content="{api_prefix()}"')
    assert response.text == HTML.replace(SANDBOX_BASE_META, filled)
    for name, answer in texts.items():
        assert answer.status_code == 200, name
        assert answer.headers["content-type"].startswith("text/plain"), name
        assert answer.content == (DOCS / name).read_bytes(), name


def test_the_page_sends_requests_only_to_its_own_origin() -> None:
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', HTML)
    assert csp is not None
    directives = [d.strip() for d in csp.group(1).split(";")]
    assert "default-src 'none'" in directives and "connect-src 'self'" in directives


def _search_entries() -> list[tuple[str, str, str]]:
    """(kind, label, href) of every entry of the page's search index."""
    rows = re.findall(
        r'<li data-kind="(\w+)" data-text="[^"]*"><a href="#([^"]+)">'
        r'<span class="kind[^"]*">\w+</span><span class="label">(.*?)</span>',
        HTML,
    )
    return [(kind, re.sub(r"<wbr>", "", label), anchor) for kind, anchor, label in rows]


def test_search_finds_parameters_status_codes_fields_and_events() -> None:
    entries = _search_entries()
    ids = {a["id"] for _, a in _tags() if "id" in a}
    assert all(anchor in ids for _, _, anchor in entries)
    api = build_api(load_model(SPEC))
    found = {(kind, label) for kind, label, _ in entries}
    for op in api.operations:
        assert ("operation", op.summary) in found, op.operation_id
        for param in (*op.path_params, *op.query_params, *(op.body.fields if op.body else ())):
            assert ("parameter", param.name) in found, (op.operation_id, param.name)
        for error in op.errors:
            assert ("status", error.status) in found, (op.operation_id, error.status)
    for hook in api.webhooks:
        assert ("event", hook.name) in found
    for word in ("limit", "starting_after", "401"):
        assert any(label == word for _, label, _ in entries), word
    assert any(kind == "attribute" and label == "error.message" for kind, label, _ in entries)


class _TryForms(HTMLParser):
    """operationId -> {(location, name): (value, placeholder)} of every try-it panel's inputs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: dict[str, dict[tuple[str, str], tuple[str, str]]] = {}
        self._current = ""
        self._select: tuple[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "data-try" in a:
            self._current = a["data-try"]
            self.forms[self._current] = {}
        elif tag == "input" and "data-in" in a:
            key = (a["data-in"], a["name"])
            self.forms[self._current][key] = (a.get("value", ""), a.get("placeholder", ""))
        elif tag == "select" and "data-in" in a:
            self._select = (a["data-in"], a["name"])
        elif tag == "option" and self._select and "selected" in a:
            self.forms[self._current][self._select] = (a["value"], "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def test_try_it_forms_are_filled_from_the_spec() -> None:
    from generator.docs.samples import placeholder_values

    parser = _TryForms()
    parser.feed(HTML)
    api = build_api(load_model(SPEC))
    assert set(parser.forms) == {op.operation_id for op in api.operations}
    for op in api.operations:
        form = parser.forms[op.operation_id]
        values = placeholder_values(op)
        for param in op.path_params:
            assert form[("path", param.name)][0] == str(values[param.name]), param.name
        for param in op.query_params:
            value, placeholder = form[("query", param.name)]
            assert value == "", (op.operation_id, param.name)  # sent only when typed
            if param.has_default:
                assert placeholder == str(param.default), (op.operation_id, param.name)
        for field in op.body.fields if op.body else ():
            if field.name in values:
                assert form[("body", field.name)][0] == str(values[field.name]), field.name
