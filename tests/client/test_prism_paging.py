"""The generated client against a Prism mock of the spec (static mode: it answers the spec's
examples): every list pages to its end. A list example that said `has_more: true` would make
the mock answer every following page with the same example (spec/NOTES.md 48)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from spaces_client import AsyncSpacesClient, SpacesClient

from generator.build import build_api
from spaces_toolkit.spec import load as load_model
from spaces_toolkit.spec import load_spec as load_raw_spec
from spaces_toolkit.spec import resolve
from testing.support import free_port

ROOT = Path(__file__).resolve().parents[2]
PRISM = ROOT / "node_modules" / ".bin" / "prism"
SPEC = ROOT / "spec" / "openapi.yaml"
API = build_api(load_model(SPEC))
LISTS = sorted(
    (r.name, op) for r in API.resources for op in r.operations if op.pagination is not None
)


def _list_examples(operation_path: str) -> list[dict[str, Any]]:
    """The examples of a list operation's success response, resolved."""
    spec = load_raw_spec(SPEC)
    response = resolve(spec, spec["paths"][operation_path]["get"]["responses"]["200"])
    examples = response["content"]["application/json"].get("examples", {})
    return [resolve(spec, e)["value"] for e in examples.values()]


@pytest.mark.parametrize(("resource", "op"), LISTS, ids=[r for r, _ in LISTS])
def test_list_examples_can_be_paged(resource: str, op: Any) -> None:
    examples = _list_examples(op.path)
    assert examples, f"{op.path} has no list example"
    for example in examples:
        assert example["count"] == len(example["data"])
        if example["has_more"]:
            assert all("id" in item for item in example["data"]), (
                f"{op.path}: has_more is true but an item has no id to page after"
            )


@pytest.fixture(scope="module")
def prism() -> Iterator[str]:
    if not PRISM.exists() or shutil.which("node") is None:
        pytest.skip("Prism is not installed (npm ci: package.json pins @stoplight/prism-cli)")
    port = free_port()
    argv = [str(PRISM), "mock", str(SPEC), "-h", "127.0.0.1", "-p", str(port), "-v", "error"]
    env = {**os.environ, "DO_NOT_TRACK": "1", "SCARF_ANALYTICS": "false"}
    proc = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            with contextlib.suppress(httpx.TransportError):
                httpx.get(f"{base}/account", auth=("t", ""), timeout=5)
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Prism did not start: {proc.stderr.read()!r}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize(("resource", "op"), LISTS, ids=[r for r, _ in LISTS])
def test_every_list_of_a_prism_mock_pages_to_its_end(prism: str, resource: str, op: Any) -> None:
    expected = [item.get("id") for e in _list_examples(op.path)[:1] for item in e["data"]]
    with SpacesClient("mock_token", base_url=prism, max_retries=0) as client:
        pages = list(getattr(client, resource).list(limit=5).iter_pages())
        walked = [item.id for item in getattr(client, resource).list(limit=5)]
    assert [p.has_more for p in pages] == [False] and walked == expected


async def test_the_async_client_pages_the_mock_too(prism: str) -> None:
    async with AsyncSpacesClient("mock_token", base_url=prism, max_retries=0) as client:
        for resource, op in LISTS:
            expected = [item["id"] for item in _list_examples(op.path)[0]["data"]]
            assert [i.id async for i in getattr(client, resource).list()] == expected, resource
