"""The Python client: `generated/python/` (a distribution) with the `<name>_client` package."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from spaces_toolkit.spec import Problem, SpecError

from .. import ir
from ..changes import render_changelog
from ..models import generate_models
from ..render import environment, render
from . import EmitContext, Emitter
from .python_models import rebuild_order, unions, webhooks_context
from .python_views import docstring, resource_view

__all__ = ["EMITTER", "RUNTIME"]

RUNTIME = Path(__file__).resolve().parent.parent / "runtime"
# Names the generated modules import or define next to the models they import.
_RUNTIME_NAMES = frozenset(
    {
        "Any",
        "Literal",
        "Annotated",
        "Callable",
        "Enum",
        "StrEnum",
        "AnyUrl",
        "TYPE_CHECKING",
        "Discriminator",
        "Tag",
        "BaseModel",
        "Field",
        "ConfigDict",
        "RootModel",
        "cast",
        "builtins",
        "path_param",
        "AsyncPaginator",
        "Cursor",
        "SyncPage",
        "AsyncAPIResource",
        "SyncAPIResource",
        "async_to_raw_response_wrapper",
        "to_raw_response_wrapper",
        "NOT_GIVEN",
        "Headers",
        "NotGiven",
        "Query",
        "RequestOptions",
        "Timeout",
        "InvalidWebhookError",
        "WebhookEvent",
        "WEBHOOK_EVENT_TYPES",
        "parse_webhook",
        "unsafe_parse_webhook",
        "verify_webhook",
        "DEFAULT_WEBHOOK_TOLERANCE",
        "Sequence",
        "json",
        "pydantic",
        "Mapping",
    }
)

# Signature checks of generator/runtime/_webhooks.py, exported where the spec has webhooks.
_WEBHOOK_ERRORS = (
    "WebhookVerificationError",
    "WebhookHeaderError",
    "WebhookTimestampError",
    "WebhookSignatureError",
    "WebhookSecretError",
)


def _examples(api: ir.Api) -> list[str]:
    """Lines of usage for the docs: a call without arguments, and a list walked page by page
    (preferring one whose items always have the cursor field)."""

    def sure_cursor(op: ir.ClientMethod) -> bool:
        p = op.pagination
        if p is None or len(p.item.models) != 1:
            return False
        item = {m.name: m for m in api.models}.get(p.item.models[0])
        return item is not None and any(
            a.name == p.cursor_attr and a.required for a in item.attributes
        )

    ops = [(r, op) for r in api.resources for op in r.operations]
    plain = next(
        (
            f"print(client.{r.name}.{op.name}())"
            for r, op in ops
            if not op.params and not op.pagination
        ),
        None,
    )
    lists = [(r, op) for r, op in ops if op.pagination and not any(p.required for p in op.params)]
    lists.sort(key=lambda pair: not sure_cursor(pair[1]))
    lines = [plain] if plain else []
    if lists:
        r, op = lists[0]
        lines += [
            f"for item in client.{r.name}.{op.name}():  # every item, page after page",
            "    print(item)",
        ]
    return lines


def _context(ctx: EmitContext) -> dict[str, Any]:
    api = ctx.api
    names = api.client
    resources = [resource_view(r) for r in api.resources]
    public = [
        names.client_class,
        names.async_client_class,
        names.error_class,
        "APIError",
        "APIConnectionError",
        "APITimeoutError",
        "APIStatusError",
        "BadRequestError",
        "AuthenticationError",
        "PermissionDeniedError",
        "NotFoundError",
        "ConflictError",
        "UnprocessableEntityError",
        "RateLimitError",
        "InternalServerError",
        "APIResponseValidationError",
        "PaginationError",
        "PaginationWarning",
        "InvalidWebhookError",
        "APIResponse",
        "SyncPage",
        "AsyncPage",
        "AsyncPaginator",
        "NOT_GIVEN",
        "NotGiven",
        "Timeout",
        *(["parse_webhook", "verify_webhook", *_WEBHOOK_ERRORS] if api.webhooks else []),
        "models",
        "resources",
        "API_VERSION",
        "__version__",
    ]
    auth_note = {
        "basic": "sent as the HTTP Basic username, with an empty password",
        "bearer": "sent as a Bearer token",
        "none": "not used by this API",
    }[api.auth.kind]
    return {
        "api": api,
        "names": names,
        "resources": resources,
        "public": public,
        "default_base_url": api.servers[0].url,
        "request_id_header": _request_id_header(api),
        "auth_note": auth_note,
        "examples": _examples(api),
        "client_doc": docstring(f"{api.title} client ({api.version}). {api.summary}"),
        "description": f"Python client for the {api.title}, generated from its OpenAPI spec.",
        "operation_rows": [
            {"resource": r.name, "method": f"{op.name}()", "http": f"{op.http_method} {op.path}"}
            for r in api.resources
            for op in r.operations
        ],
        "webhooks": bool(api.webhooks),
        "webhook_types": ", ".join(f"`{w.name}`" for w in api.webhooks),
    }


def taken_names(api: ir.Api) -> frozenset[str]:
    """Names the generated modules import or define besides the models."""
    classes = {r.class_name for r in api.resources}
    classes |= {f"Async{name}" for name in classes}
    return _RUNTIME_NAMES | classes | {f"{name}WithRawResponse" for name in classes}


def _request_id_header(api: ir.Api) -> str | None:
    """The response header that carries the server's id of each request: the one the spec
    declares on its operations' responses under a name ending in `request-id` (spec/NOTES.md)."""
    names = {
        name
        for r in api.resources
        for op in r.operations
        for response in (op.response, *op.errors)
        for name, _ in response.headers
        if name.lower().endswith("request-id")
    }
    return min(names, default=None)


def _check_names(api: ir.Api) -> None:
    """Model names that would collide with what the generated modules import or define."""
    taken = taken_names(api)
    problems = [
        Problem(
            m.pointer,
            f"schema name {m.name!r} collides with a name the generated Python "
            "client uses; rename the schema",
        )
        for m in api.models
        if m.name in taken
    ]
    if problems:
        raise SpecError(problems)


def render_python(ctx: EmitContext) -> dict[str, str]:
    api = ctx.api
    _check_names(api)
    env = environment()
    context = _context(ctx)
    pkg = api.client.package
    files = {
        "pyproject.toml": render(env, "python/pyproject.toml.jinja", **context),
        "README.md": render(env, "python/README.md.jinja", **context),
        "CHANGELOG.md": render_changelog(ctx.history, api.title),
        f"{pkg}/py.typed": render(env, "python/package/py.typed.jinja"),
    }
    for name in ("__init__.py", "_metadata.py", "_exceptions.py", "_client.py"):
        files[f"{pkg}/{name}"] = render(env, f"python/package/{name}.jinja", **context)
    files[f"{pkg}/resources/__init__.py"] = render(
        env, "python/package/resources/__init__.py.jinja", **context
    )
    for view in context["resources"]:
        files[f"{pkg}/resources/{view.module}.py"] = render(
            env, "python/package/resources/resource.py.jinja", r=view
        )
    files[f"{pkg}/models.py"] = render(
        env,
        "python/package/models.py.jinja",
        dmcg_code=generate_models(ctx.document, api).rstrip("\n"),
        unions=unions(api),
        enums=[m.name for m in api.models if m.kind == "enum"],
        rebuild=rebuild_order(api),
    )
    if api.webhooks:
        files[f"{pkg}/webhooks.py"] = render(
            env, "python/package/webhooks.py.jinja", **webhooks_context(api)
        )
    for source in _runtime_files():
        files[f"{pkg}/{source.name}"] = source.read_text(encoding="utf-8")
    return files


def _runtime_files() -> list[Path]:
    return sorted(RUNTIME.glob("_*.py"))


def copied_python(ctx: EmitContext) -> dict[str, str]:
    """The runtime modules of the package, each with its hand-written source in the repository."""
    pkg = ctx.api.client.package
    where = f"{RUNTIME.parent.name}/{RUNTIME.name}"
    return {f"{pkg}/{source.name}": f"{where}/{source.name}" for source in _runtime_files()}


def format_python(folder: Path) -> None:
    """Sort imports, drop unused ones, then format: ruff with fixed settings (no config lookup)."""
    settings = ["--isolated", "--line-length", "100", "--target-version", "py311", "--no-cache"]
    ruff = [sys.executable, "-m", "ruff"]
    for args in (["check", "--fix-only", "--select", "I,F401", "--exit-zero"], ["format"]):
        subprocess.run([*ruff, *args, *settings, "--quiet", str(folder)], check=True)


EMITTER = Emitter(
    name="python",
    directory="python",
    render=render_python,
    postprocess=format_python,
    copies=copied_python,
    description="typed sync + async Python client (Pydantic v2 models), a distribution of its own",
)
