"""Every code sample in the docs runs against the reference server.

The samples use the docs' placeholders (`ACCESS_TOKEN`, `CUSTOMER_TOKEN`, Space `1` …). Here the
server is seeded, the real ids are found the way the spec's links say (list, then take
`data/0/id`), and each placeholder is swapped for its real value: in curl samples in the URL and
the `-u`/`-d` arguments, in Python samples in the arguments of the `client.<resource>.<method>(…)`
call (through the syntax tree, so nothing else in the code can be touched), in JavaScript
samples in their string literals (the URL, the `btoa` credentials, the body's values). Then curl
runs for real, the Python code is executed with the generated client, and the JavaScript with
the machine's Node.js (its own `fetch`).
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from generator.build import build_api
from generator.docs.samples import ACCESS_TOKEN, placeholder_values
from generator.docs.view import build_view
from spaces_toolkit.server.run.embedded import EmbeddedServer, run_embedded
from spaces_toolkit.server.signing import new_secret, signed_headers
from spaces_toolkit.spec import load as load_model

from ._docs import SPEC, DocSample, html_samples, load_spec, spec_operations

API = build_api(load_model(SPEC))
OPS = {op.operation_id: op for op in API.operations}
SAMPLES = html_samples()
WEBHOOK_PAYLOADS = {h.name: json.loads(h.example) for h in build_view(API).webhooks}
DEFAULT_BASE = API.servers[0].url
# Deliveries must never leave this machine: a created subscription points at a closed loopback port.
BODY_OVERRIDES = {"target_url": "http://127.0.0.1:9/resource_subscription_example"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServer]:
    db = tmp_path_factory.mktemp("docs-samples") / "spaces.db"
    with run_embedded(db, accounts=1, seed_customers=4) as embedded:
        yield embedded


@pytest.fixture(scope="module")
def real_values(server: EmbeddedServer) -> dict[str, dict[str, Any]]:
    """operationId -> {path parameter: a real value}, found through the spec's response links."""
    spec = load_spec()
    found: dict[str, dict[str, Any]] = {}
    auth = (server.tokens[0], "")
    for path, item in spec["paths"].items():
        if "{" in path:
            continue
        for operation in item.values():
            for response in operation.get("responses", {}).values():
                for link in (response.get("links") or {}).values():
                    target, params = link["operationId"], link.get("parameters") or {}
                    if not params or target in found:
                        continue
                    body = httpx.get(f"{server.base_url}{path}", auth=auth, timeout=20).json()
                    found[target] = {
                        name: _pointer(body, expr.split("#", 1)[1]) for name, expr in params.items()
                    }
    needed = {o.operation_id for o in API.operations if o.path_params}
    missing = sorted(needed - set(found))
    assert not missing, f"no spec link gives real ids for {missing}"
    return found


def _pointer(document: Any, pointer: str) -> Any:
    for token in pointer.lstrip("/").split("/"):
        document = document[int(token)] if isinstance(document, list) else document[token]
    return document


def _swaps(real_values: dict[str, dict[str, Any]], operation_id: str) -> dict[str, Any]:
    """Placeholder text -> real value: the operation's own first, then every other one."""
    swaps: dict[str, Any] = {}
    for op_id in [operation_id, *real_values]:
        if op_id not in OPS:
            continue
        placeholders = placeholder_values(OPS[op_id])
        for name, real in real_values.get(op_id, {}).items():
            swaps.setdefault(str(placeholders[name]), real)
    return swaps


def _id(sample: DocSample) -> str:
    return f"{sample.section}:{sample.lang}"


# ---------------------------------------------------------------------------------- curl


def _curl_argv(sample: DocSample, server: EmbeddedServer, swaps: dict[str, Any]) -> list[str]:
    argv = shlex.split(sample.code.replace("\\\n", " "))
    assert argv[0] == "curl", sample.code
    out: list[str] = []
    for arg in argv[1:]:
        if arg.startswith(DEFAULT_BASE):
            path = arg[len(DEFAULT_BASE) :]
            segments = [str(swaps.get(seg, seg)) for seg in path.split("/")]
            arg = server.base_url + "/".join(segments)
        elif arg == f"{ACCESS_TOKEN}:":
            arg = f"{server.tokens[0]}:"
        elif out and out[-1] == "-d" and "=" in arg:
            name, value = arg.split("=", 1)
            value = BODY_OVERRIDES.get(name, str(swaps.get(value, value)))
            arg = f"{name}={value}"
        out.append(arg)
    return out


def _replay(argv: list[str]) -> tuple[int, str]:
    """What curl would send, through httpx (only when no curl binary is installed)."""
    method, url, data, auth, as_query = "GET", "", [], None, False
    it = iter(argv)
    for arg in it:
        if arg == "-G":
            as_query = True
        elif arg == "-X":
            method = next(it)
        elif arg == "-u":
            user, _, password = next(it).partition(":")
            auth = (user, password)
        elif arg == "-d":
            data.append(tuple(next(it).split("=", 1)))
        elif arg.startswith("http"):
            url = arg
    if data and not as_query and method == "GET":
        method = "POST"
    kwargs: dict[str, Any] = {"params": data} if as_query else {"data": dict(data)} if data else {}
    response = httpx.request(method, url, auth=auth, timeout=20, **kwargs)
    return response.status_code, response.text


CURL = [s for s in SAMPLES if s.lang == "curl"]


@pytest.mark.parametrize("sample", CURL, ids=[_id(s) for s in CURL])
def test_curl_sample_runs(
    sample: DocSample, server: EmbeddedServer, real_values: dict[str, dict[str, Any]]
) -> None:
    argv = _curl_argv(sample, server, _swaps(real_values, sample.operation_id))
    if shutil.which("curl"):
        done = subprocess.run(
            ["curl", "-sS", "--fail-with-body", "--max-time", "20", *argv],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, f"{argv}\n{done.stderr}\n{done.stdout}"
        text = done.stdout
    else:
        status, text = _replay(argv)
        assert status == 200, f"{argv}: {status} {text}"
    body = json.loads(text)
    if sample.operation_id:
        expected = OPS[sample.operation_id].response
        documented = expected.examples[0].value if expected.examples else None
        if isinstance(documented, dict) and "object" in documented:
            assert body.get("object") == documented["object"]


# ---------------------------------------------------------------------------------- Python


class _Substitute(ast.NodeTransformer):
    """Swap placeholders in the arguments of `client.<resource>.<method>(...)` and of the
    client's constructor; everything else in the sample stays as written."""

    def __init__(self, swaps: dict[str, Any], token: str, client_classes: set[str]) -> None:
        self.swaps, self.token, self.classes = swaps, token, client_classes

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if _rooted_at_client(node.func):
            node.args = [self._swap(arg) for arg in node.args]
            for kw in node.keywords:
                if kw.arg in BODY_OVERRIDES:
                    kw.value = ast.Constant(BODY_OVERRIDES[kw.arg])
        elif isinstance(node.func, ast.Name) and node.func.id in self.classes:
            for kw in node.keywords:
                if kw.arg == "access_token" and _constant(kw.value) == ACCESS_TOKEN:
                    kw.value = ast.Constant(self.token)
        return node

    def _swap(self, arg: ast.expr) -> ast.expr:
        value = _constant(arg)
        if value is not None and str(value) in self.swaps:
            return ast.Constant(self.swaps[str(value)])
        return arg


def _constant(node: ast.expr) -> Any:
    return node.value if isinstance(node, ast.Constant) else None


def _rooted_at_client(func: ast.expr) -> bool:
    while isinstance(func, ast.Attribute):
        func = func.value
    return isinstance(func, ast.Name) and func.id == "client"


PYTHON = [s for s in SAMPLES if s.lang.startswith("python")]


@pytest.mark.parametrize("sample", PYTHON, ids=[_id(s) for s in PYTHON])
def test_python_sample_runs(
    sample: DocSample,
    server: EmbeddedServer,
    real_values: dict[str, dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(f"{API.client.env_prefix}_ACCESS_TOKEN", server.tokens[0])
    monkeypatch.setenv(f"{API.client.env_prefix}_BASE_URL", server.base_url)
    classes = {API.client.client_class, API.client.async_client_class}
    tree = _Substitute(_swaps(real_values, sample.operation_id), server.tokens[0], classes).visit(
        ast.parse(sample.code)
    )
    code = ast.unparse(ast.fix_missing_locations(tree))
    if sample.operation_id:
        assert re.search(r"\bclient\.\w+\.\w+\(", code), "the sample calls no client method"
    printed = io.StringIO()
    namespace: dict[str, Any] = {"__name__": "__main__"}
    with contextlib.redirect_stdout(printed):
        exec(compile(code, f"<docs sample {_id(sample)}>", "exec"), namespace)
        if sample.event:  # a webhook receiver: hand it the documented payload, signed
            body = json.dumps(WEBHOOK_PAYLOADS[sample.event]).encode()
            secret = new_secret()
            with pytest.MonkeyPatch.context() as env:
                env.setenv("SPACES_WEBHOOK_SECRET", secret)
                namespace["handle"](body, signed_headers([secret], "wh_docs", body))
    if sample.operation_id:
        assert printed.getvalue().strip(), "the sample printed nothing"
    if sample.event:
        assert printed.getvalue().startswith(sample.event), printed.getvalue()


# ---------------------------------------------------------------------------------- JavaScript

_JS_STRING = re.compile(r'(?:([A-Za-z_]\w*|"[^"]*"): )?("(?:[^"\\]|\\.)*")')


def _js_code(sample: DocSample, server: EmbeddedServer, swaps: dict[str, Any]) -> str:
    """The sample with its string literals swapped: the URL, the credentials, the body's values."""

    def swap(match: re.Match[str]) -> str:
        key, value = match.group(1), json.loads(match.group(2))
        if value.startswith(DEFAULT_BASE):
            segments = value[len(DEFAULT_BASE) :].split("/")
            value = server.base_url + "/".join(str(swaps.get(seg, seg)) for seg in segments)
        elif value == f"{ACCESS_TOKEN}:":
            value = f"{server.tokens[0]}:"
        elif key:
            name = json.loads(key) if key.startswith('"') else key
            value = BODY_OVERRIDES.get(name, str(swaps.get(value, value)))
        return (f"{key}: " if key else "") + json.dumps(value)

    return _JS_STRING.sub(swap, sample.code)


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI"):
            pytest.fail("node is missing: the project needs Node.js >= 20", pytrace=False)
        pytest.skip("node is missing (Node.js >= 20 runs the JavaScript samples)")
    return node


JAVASCRIPT = [s for s in SAMPLES if s.lang == "javascript"]


@pytest.mark.parametrize("sample", JAVASCRIPT, ids=[_id(s) for s in JAVASCRIPT])
def test_javascript_sample_runs(
    sample: DocSample, server: EmbeddedServer, real_values: dict[str, dict[str, Any]]
) -> None:
    code = _js_code(sample, server, _swaps(real_values, sample.operation_id))
    assert server.base_url in code and server.tokens[0] in code, code
    done = subprocess.run(
        [_node(), "--input-type=module", "-e", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, f"{code}\n{done.stderr}"
    assert done.stdout.startswith("200 "), f"{code}\n{done.stdout}"
    expected = OPS[sample.operation_id].response
    documented = expected.examples[0].value if expected.examples else None
    if isinstance(documented, dict) and "object" in documented:
        assert f"object: '{documented['object']}'" in done.stdout, done.stdout


def test_every_operation_and_event_has_its_samples() -> None:
    have = {(s.operation_id, s.lang) for s in SAMPLES}
    spec = load_spec()
    for operation_id in spec_operations(spec):
        for lang in ("curl", "python", "python-async", "javascript"):
            assert (operation_id, lang) in have, f"{operation_id} has no {lang} sample"
    assert {s.event for s in SAMPLES if s.event} == set(spec["webhooks"])


def test_samples_are_in_the_markdown_too() -> None:
    from ._docs import MARKDOWN, markdown_code_blocks

    blocks = {
        code
        for path in sorted(MARKDOWN.rglob("*.md"))
        for _, code in markdown_code_blocks(Path(path).read_text(encoding="utf-8"))
    }
    missing = [_id(s) for s in SAMPLES if s.code not in blocks]
    assert not missing, f"samples in index.html but not in the Markdown: {missing}"
