"""Build the intermediate model (ir.Api) from a validated spec; collect what cannot be generated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from spaces_toolkit.spec import (
    Document,
    Problem,
    Spec,
    SpecError,
    build_spec,
    read_document,
    validate_document,
)
from spaces_toolkit.spec.versions import VERSION_KEY, parse_version

from . import ir
from .naming import join_pointer, pascal_case, py_identifier, snake_case, split_words
from .operations import OperationReader
from .responses import read_webhooks
from .runtime_names import client_attribute_names
from .schemas import SchemaReader

__all__ = ["PACKAGE_VERSION", "build_api", "client_attributes", "load_api"]

PACKAGE_VERSION = "0.1.0"  # for a spec without info.x-contract-version
# Attributes the generated clients already have, so a resource may not take them: what the
# runtime's client classes define (read from their source), and what the client template adds.
# tests/generator/test_ir_model.py checks the generated clients have no other public name.
TEMPLATE_CLIENT_ATTRIBUTES = frozenset({"with_raw_response"})


def client_attributes() -> frozenset[str]:
    return client_attribute_names() | TEMPLATE_CLIENT_ATTRIBUTES


def load_api(path: Path) -> tuple[Document, ir.Api]:
    """Read, validate and build. Raises SpecError with every problem: the validator's and the
    generator's own (a spec can be valid OpenAPI and still lack what the generator needs)."""
    spec = read_document(path)
    problems = validate_document(spec.content)
    try:
        api = build_api(spec)
    except SpecError as exc:
        problems += exc.problems
    except Exception:  # an invalid spec may trip the builder: the validator's problems say why
        if not problems:
            raise
    else:
        if not problems:
            return spec, api
    raise SpecError(problems)


def build_api(spec: Document | Spec) -> ir.Api:
    """The IR of a validated spec, as a view over the spec model. Raises SpecError with every
    generator-level problem."""
    model = spec if isinstance(spec, Spec) else build_spec(spec)
    problems: list[Problem] = []
    schemas = SchemaReader(model, problems)
    models = schemas.models()
    reader = OperationReader(model, schemas, problems)
    resources = _resources(model, reader, problems)
    webhooks = read_webhooks(model, schemas)
    api = ir.Api(
        title=model.title,
        version=model.version,
        summary=model.summary,
        description=model.description,
        servers=model.servers,
        auth=_auth(model, problems),
        resources=resources,
        models=models,
        webhooks=webhooks,
        webhook_union=_webhook_union(models, webhooks),
        client=client_names(model.title, _package_version(model.document.content, problems)),
        spec_label=model.document.label,
        spec_sha256=model.document.sha256,
    )
    if not api.servers or not api.servers[0].url.startswith(("https://", "http://")):
        problems.append(
            Problem(
                "/servers",
                "the first server must be an absolute http(s) URL "
                "(it is the generated client's default base URL)",
            )
        )
    if problems:
        raise SpecError(problems)
    return api


def _package_version(document: dict[str, Any], problems: list[Problem]) -> str:
    """The contract's semantic version (spec/NOTES.md 49), or PACKAGE_VERSION if it has none."""
    version = document.get("info", {}).get(VERSION_KEY, PACKAGE_VERSION)
    try:
        parse_version(str(version))
    except ValueError as exc:
        problems.append(Problem(join_pointer("info", VERSION_KEY), str(exc)))
        return PACKAGE_VERSION
    return str(version)


def client_names(title: str, version: str = PACKAGE_VERSION) -> ir.ClientNames:
    words = [w for w in split_words(title) if w.lower() not in ("api", "rest", "http")] or ["Api"]
    prefix = pascal_case(" ".join(words))
    snake = snake_case(prefix)
    return ir.ClientNames(
        prefix=prefix,
        package=f"{snake}_client",
        distribution=f"{snake.replace('_', '-')}-client",
        env_prefix=snake.upper(),
        version=version,
    )


def _resources(
    model: Spec, reader: OperationReader, problems: list[Problem]
) -> tuple[ir.Resource, ...]:
    tags = {t.name: t for t in model.tags}
    grouped: dict[str, list[ir.ClientMethod]] = {name: [] for name in tags}
    for op, tag in reader.operations():
        grouped.setdefault(tag, []).append(op)
    resources = []
    for tag, ops in grouped.items():
        if not ops:
            continue
        name = py_identifier(snake_case(tag))
        if name in client_attributes():
            problems.append(
                Problem(join_pointer("tags"), f"tag {tag!r} would shadow the client's `{name}`")
            )
        seen: dict[str, ir.ClientMethod] = {}
        for op in ops:
            if op.name in seen:
                problems.append(
                    Problem(
                        op.pointer,
                        f"method name {op.name!r} of resource {name!r} is "
                        f"also taken by {seen[op.name].operation_id!r}; set x-method-name",
                    )
                )
            seen[op.name] = op
        resources.append(
            ir.Resource(
                tag=tag,
                name=name,
                class_name=f"{pascal_case(tag)}Resource",
                module=name,
                description=tags[tag].description if tag in tags else "",
                operations=tuple(ops),
                object_model=_object_model(ops),
            )
        )
    return tuple(resources)


def _object_model(ops: list[ir.ClientMethod]) -> str | None:
    for op in ops:
        if op.pagination and len(op.pagination.item.models) == 1:
            return op.pagination.item.models[0]
    for op in ops:
        if op.response.model:
            return op.response.model
    return None


# The HTTP authentication schemes the client supports (by their lower-cased `scheme`).
_HTTP_AUTH: dict[str, ir.AuthKind] = {"basic": "basic", "bearer": "bearer"}


def _auth(model: Spec, problems: list[Problem]) -> ir.ClientAuth:
    for requirement in model.security:
        for name, _scopes in requirement:
            scheme = model.security_scheme(name)
            kind = _HTTP_AUTH.get(scheme.scheme) if scheme and scheme.type == "http" else None
            if scheme is not None and kind is not None:
                return ir.ClientAuth(kind, spec=scheme)
            problems.append(
                Problem(
                    join_pointer("components", "securitySchemes", name),
                    "only HTTP basic and bearer authentication are supported",
                )
            )
    return ir.ClientAuth("none")


def _webhook_union(models: tuple[ir.Model, ...], hooks: tuple[ir.WebhookEvent, ...]) -> str | None:
    payloads = {h.payload_model for h in hooks}
    for model in models:
        if (
            model.kind == "union"
            and model.discriminator
            and payloads <= {v.model for v in model.variants}
        ):
            return model.name
    return None
