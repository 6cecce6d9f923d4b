"""Code samples per operation: curl (as the original docs write them), Python with the
generated client (sync and async) and JavaScript with `fetch` (an ES module: top-level `await`
works in Node.js 18+ and a browser's console).

Every sample uses the same placeholders: `ACCESS_TOKEN` for the token and the spec's examples for
ids (`CUSTOMER_TOKEN`, `1` …), so the test suite can swap in real values and run each sample.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from typing import Any

from .. import ir
from ..naming import snake_case

__all__ = [
    "ACCESS_TOKEN",
    "Sample",
    "auth_sample",
    "client_setup",
    "curl_pages",
    "javascript",
    "operation_samples",
    "pagination_sample",
    "placeholder_values",
    "webhook_sample",
]

ACCESS_TOKEN = "ACCESS_TOKEN"


@dataclass(frozen=True)
class Sample:
    lang: str  # "curl", "python", "python-async", "javascript"
    label: str  # tab label
    code: str
    operation_id: str = ""
    event: str = ""  # for webhook receivers: the event type


def placeholder_values(op: ir.ClientMethod) -> dict[str, Any]:
    """The value each parameter takes in the samples (path ids and the body's example)."""
    values: dict[str, Any] = {}
    for param in op.path_params:
        example = param.example
        values[param.name] = example if example is not None else param.name.upper()
    if op.body is not None:
        example = op.body.examples[0].value if op.body.examples else {}
        for field in op.body.fields:
            if field.name in example:
                values[field.name] = example[field.name]
            elif field.required:
                values[field.name] = field.example if field.example is not None else field.name
    return values


def operation_samples(
    api: ir.Api, resource: ir.Resource, op: ir.ClientMethod
) -> tuple[Sample, ...]:
    values = placeholder_values(op)
    return (
        Sample("curl", "curl", curl(api, op, values), op.operation_id),
        Sample("python", "Python", python_sync(api, resource, op, values), op.operation_id),
        Sample(
            "python-async",
            "Python (async)",
            python_async(api, resource, op, values),
            op.operation_id,
        ),
        Sample("javascript", "JavaScript", javascript(api, op, values), op.operation_id),
    )


def curl(api: ir.Api, op: ir.ClientMethod, values: dict[str, Any]) -> str:
    path = op.path
    for param in op.path_params:
        path = path.replace("{" + param.name + "}", str(values[param.name]))
    lines = [f"curl {api.servers[0].url}{path}"]
    if op.http_method not in ("GET", "POST") or (op.http_method == "POST" and op.body is None):
        lines.append(f"-X {op.http_method}")
    lines.append(f"-u {ACCESS_TOKEN}:")
    if op.body is not None:
        for field in op.body.fields:
            if field.name in values:
                lines.append(f"-d {field.name}={_curl_quote(values[field.name])}")
    return " \\\n  ".join(lines)


def javascript(api: ir.Api, op: ir.ClientMethod, values: dict[str, Any]) -> str:
    """`fetch` with the token as the Basic username; a body goes form-encoded, like curl's `-d`."""
    path = op.path
    for param in op.path_params:
        path = path.replace("{" + param.name + "}", str(values[param.name]))
    lines = [f"const response = await fetch({json.dumps(api.servers[0].url + path)}, {{"]
    if op.http_method != "GET":
        lines.append(f"  method: {json.dumps(op.http_method)},")
    lines.append(f'  headers: {{ Authorization: `Basic ${{btoa("{ACCESS_TOKEN}:")}}` }},')
    if op.body is not None:
        lines.append("  body: new URLSearchParams({")
        for field in op.body.fields:
            if field.name in values:
                value = values[field.name]
                text = value if isinstance(value, str) else json.dumps(value)
                key = field.name if field.name.isidentifier() else json.dumps(field.name)
                lines.append(f"    {key}: {json.dumps(text)},")
        lines.append("  }),")
    lines += ["});", "console.log(response.status, await response.json());"]
    return "\n".join(lines)


def _curl_quote(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    if text and all(c.isalnum() or c in "._-:/" for c in text):
        return f'"{text}"'
    return shlex.quote(text)


def client_setup(api: ir.Api, *, asynchronous: bool) -> tuple[str, str]:
    """(import line, constructor expression) of the generated client."""
    cls = api.client.async_client_class if asynchronous else api.client.client_class
    return f"from {api.client.package} import {cls}", f"{cls}()"


def _token_comment(api: ir.Api) -> str:
    return f"  # token from {api.client.env_prefix}_ACCESS_TOKEN"


def _call(resource: ir.Resource, op: ir.ClientMethod, values: dict[str, Any]) -> str:
    args = [_py(values[p.name]) for p in op.path_params]
    if op.body is not None:
        args += [
            f"{f.python_name}={_py(values[f.name])}" for f in op.body.fields if f.name in values
        ]
    return f"client.{resource.name}.{op.name}({', '.join(args)})"


def _item_name(op: ir.ClientMethod, resource: ir.Resource) -> str:
    if op.pagination and op.pagination.item.models:
        return snake_case(op.pagination.item.models[0])
    if op.response.model:
        return snake_case(op.response.model)
    return snake_case(resource.name)


def python_sync(
    api: ir.Api, resource: ir.Resource, op: ir.ClientMethod, values: dict[str, Any]
) -> str:
    imp, ctor = client_setup(api, asynchronous=False)
    name = _item_name(op, resource)
    call = _call(resource, op, values)
    if op.pagination:
        body = [f"for {name} in {call}:", f"    print({name})"]
    else:
        body = [f"{name} = {call}", f"print({name})"]
    lines = [imp, "", f"with {ctor} as client:{_token_comment(api)}"]
    lines += [f"    {line}" for line in body]
    return "\n".join(lines)


def python_async(
    api: ir.Api, resource: ir.Resource, op: ir.ClientMethod, values: dict[str, Any]
) -> str:
    imp, ctor = client_setup(api, asynchronous=True)
    name = _item_name(op, resource)
    call = _call(resource, op, values)
    if op.pagination:
        body = [f"async for {name} in {call}:", f"    print({name})"]
    else:
        body = [f"{name} = await {call}", f"print({name})"]
    lines = [
        "import asyncio",
        "",
        imp,
        "",
        "",
        "async def main() -> None:",
        f"    async with {ctor} as client:{_token_comment(api)}",
        *(f"        {line}" for line in body),
        "",
        "",
        "asyncio.run(main())",
    ]
    return "\n".join(lines)


def _py(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value)
    return repr(value)


def auth_sample(api: ir.Api, resource: ir.Resource, op: ir.ClientMethod) -> str:
    """The client with an explicit token, making the request the curl sample makes."""
    imp, _ = client_setup(api, asynchronous=False)
    cls = api.client.client_class
    items = op.pagination.items_attr if op.pagination else "data"
    return "\n".join(
        [
            imp,
            "",
            "# The token is sent as the HTTP Basic username, with an empty password.",
            f'with {cls}(access_token="{ACCESS_TOKEN}") as client:',
            f"    page = client.{resource.name}.{op.name}()",
            f"    print(page.{items})",
            "",
            f"# Without access_token=..., {cls}() reads {api.client.env_prefix}_ACCESS_TOKEN.",
        ]
    )


def pagination_sample(api: ir.Api, resource: ir.Resource, op: ir.ClientMethod) -> str:
    imp, ctor = client_setup(api, asynchronous=False)
    name = _item_name(op, resource)
    call = f"client.{resource.name}.{op.name}"
    return "\n".join(
        [
            imp,
            "",
            f"with {ctor} as client:{_token_comment(api)}",
            "    # Iterating a list fetches the following pages as it goes.",
            f"    for {name} in {call}(limit=100):",
            f"        print({name})",
            "",
            "    # Or one page at a time.",
            f"    page = {call}(limit=10)",
            f"    print(len(page.{op.pagination.items_attr if op.pagination else 'data'}),"
            f" page.{op.pagination.has_more_attr if op.pagination else 'has_more'})",
        ]
    )


def curl_pages(api: ir.Api, op: ir.ClientMethod, cursor: Any) -> str:
    """The list call with the pagination arguments spelled out."""
    lines = [f"curl -G {api.servers[0].url}{op.path}", f"-u {ACCESS_TOKEN}:", "-d limit=3"]
    if op.pagination and cursor is not None:
        lines.append(f"-d {op.pagination.after_param}={cursor}")
    return " \\\n  ".join(lines)


def webhook_sample(api: ir.Api, event: str) -> str:
    """A receiver: verify what a target URL got and parse it into the typed event."""
    return "\n".join(
        [
            "import os",
            "",
            f"from {api.client.package} import parse_webhook",
            "",
            "",
            "def handle(body: bytes, headers: dict[str, str]) -> None:",
            '    """`body`, `headers`: the raw body and headers a POST to your URL got."""',
            '    secret = os.environ["SPACES_WEBHOOK_SECRET"]  # whsec_…',
            "    event = parse_webhook(body, headers, secret=secret)  # 400 if this raises",
            f"    if event.type == {json.dumps(event)}:",
            "        print(event.type, event.data.object)",
        ]
    )
