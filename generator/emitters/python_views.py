"""What the Python templates render, decided in Python: signatures, calls, imports, docstrings."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import ir

__all__ = ["Arg", "MethodView", "ResourceView", "docstring", "resource_view", "typing_imports"]

_OPTION_ARGS = (
    ("extra_headers", "Headers | None", "None"),
    ("extra_query", "Query | None", "None"),
    ("timeout", "Timeout | NotGiven", "NOT_GIVEN"),
    ("max_retries", "int | NotGiven", "NOT_GIVEN"),
)
_SHADOWED = ("list", "dict", "type", "set")


@dataclass(frozen=True)
class Arg:
    name: str
    annotation: str
    default: str | None = None  # source text of the default; None: required

    @property
    def text(self) -> str:
        return f"{self.name}: {self.annotation}" + (f" = {self.default}" if self.default else "")


@dataclass(frozen=True)
class MethodView:
    name: str
    docstring: str
    positional: tuple[Arg, ...]
    keyword: tuple[Arg, ...]
    http_method: str
    path_expr: str
    query_items: tuple[tuple[str, str], ...]  # (wire name, argument)
    body_items: tuple[tuple[str, str], ...] | None
    content_type: str | None
    cast_to: str
    cursor_expr: str | None  # set for paginated lists
    runtime_models: tuple[str, ...]  # models the method body needs (imported in the body)
    return_sync: str
    return_async: str


@dataclass(frozen=True)
class ResourceView:
    name: str
    class_name: str
    module: str
    docstring: str
    methods: tuple[MethodView, ...]
    model_imports: tuple[str, ...]
    typing_names: tuple[str, ...]
    uses_builtins: bool
    paginated: bool
    uses_path_param: bool


def docstring(*parts: str) -> str:
    """Docstring text (without quotes) from paragraphs; safe inside triple double quotes."""
    text = "\n\n".join(p.strip() for p in parts if p and p.strip())
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"').rstrip('"') or "No description."


def typing_imports(annotations: list[str]) -> tuple[str, ...]:
    joined = " ".join(annotations)
    return tuple(name for name in ("Any", "Literal") if re.search(rf"\b{name}\b", joined))


def _shadow_safe(annotation: str, method_names: set[str]) -> str:
    for name in _SHADOWED:
        if name in method_names:
            annotation = re.sub(rf"(?<![\w.]){name}\[", f"builtins.{name}[", annotation)
    return annotation


def _path_expr(op: ir.ClientMethod) -> str:
    names = {p.name: p.python_name for p in op.path_params}
    if not names:
        return repr(op.path)

    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        return (
            f"{{path_param({names[name]}, {names[name]!r})}}" if name in names else match.group(0)
        )

    return "f" + repr(re.sub(r"\{([^}]+)\}", sub, op.path))


def _args_doc(params: tuple[ir.Argument, ...]) -> str:
    lines = [
        f"  {p.python_name}: {' '.join(p.description.split()) or p.type.display}" for p in params
    ]
    return "Args:\n" + "\n\n".join(lines) if lines else ""


def method_view(op: ir.ClientMethod, method_names: set[str]) -> MethodView:
    def ann(t: str) -> str:
        return _shadow_safe(t, method_names)

    positional = tuple(Arg(p.python_name, ann(p.type.python)) for p in op.path_params)
    rest = (*op.query_params, *(op.body.fields if op.body else ()))
    keyword = [Arg(p.python_name, ann(p.type.python)) for p in rest if p.required]
    keyword += [
        Arg(p.python_name, ann(_optional(p.type.python)), "None") for p in rest if not p.required
    ]
    keyword += [Arg(*option) for option in _OPTION_ARGS]
    pagination = op.pagination
    item = pagination.item.python if pagination else ""
    returns_note = (
        "Returns a page; iterating it yields every item, fetching the following pages as needed."
        if pagination
        else ""
    )
    options_note = (
        "Per-request options: `extra_headers`, `extra_query`, `timeout` and `max_retries` "
        "(non-idempotent requests are retried only when `max_retries` is given)."
    )
    doc = docstring(op.summary, op.description, _args_doc(op.params), returns_note, options_note)
    cursor = None
    if pagination:
        cursor = (
            f"Cursor({pagination.envelope}, {pagination.after_param!r}, "
            f"{pagination.before_param!r}, "
            f"{pagination.cursor_attrs!r})"
        )
    # The models the call itself passes at run time (the list envelope, or the type to parse
    # the body as); the rest of the method only names models in annotations.
    runtime: set[str] = set()
    if pagination:
        runtime.add(pagination.envelope)
    elif op.response.type:
        runtime.update(op.returns.models)
    return MethodView(
        name=op.name,
        docstring=doc,
        positional=positional,
        keyword=tuple(keyword),
        http_method=op.http_method,
        path_expr=_path_expr(op),
        query_items=tuple((p.name, p.python_name) for p in op.query_params),
        body_items=tuple((p.name, p.python_name) for p in op.body.fields) if op.body else None,
        content_type=op.body.content_type if op.body else None,
        cast_to=op.returns.python if op.response.type else "None",
        cursor_expr=cursor,
        runtime_models=tuple(sorted(runtime)),
        return_sync=ann(f"SyncPage[{item}]" if pagination else op.returns.python),
        return_async=ann(f"AsyncPaginator[{item}]" if pagination else op.returns.python),
    )


def _optional(annotation: str) -> str:
    return (
        annotation
        if annotation.endswith("| None") or annotation == "None"
        else f"{annotation} | None"
    )


def resource_view(resource: ir.Resource) -> ResourceView:
    names = {op.name for op in resource.operations}
    methods = tuple(method_view(op, names) for op in resource.operations)
    models: set[str] = set()
    for op in resource.operations:
        for t in (op.returns, *(p.type for p in op.params)):
            models.update(t.models)
        if op.pagination:
            models.update(op.pagination.item.models)
            models.add(op.pagination.envelope)
    annotations = [a.annotation for m in methods for a in (*m.positional, *m.keyword)]
    annotations += [m.return_sync for m in methods]
    return ResourceView(
        name=resource.name,
        class_name=resource.class_name,
        module=resource.module,
        docstring=docstring(resource.description or f"The {resource.tag} resource."),
        methods=methods,
        model_imports=tuple(sorted(models)),
        typing_names=typing_imports(annotations),
        uses_builtins=any("builtins." in a for a in annotations),
        paginated=any(m.cursor_expr for m in methods),
        uses_path_param=any("path_param(" in m.path_expr for m in methods),
    )
