"""Operations and webhooks of the spec, read into the IR: names, parameters, bodies, responses."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from . import ir
from .load import Problem
from .naming import join_pointer, py_identifier, snake_case, split_words
from .responses import JSON, METHODS, read_examples, read_pagination, read_response
from .schemas import SchemaReader

__all__ = ["OperationReader"]

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
FORM = "application/x-www-form-urlencoded"
# Parameter locations the client supports (OpenAPI's `in`; the only other one is "cookie").
_LOCATIONS: dict[str, ir.ParamLocation] = {"path": "path", "query": "query", "header": "header"}


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def method_name(operation_id: str, tag: str) -> str:
    """'listCapturedEmails' in tag 'Captured Emails' -> 'list'; 'listCustomerSubscriptions' in
    tag 'Subscriptions' -> 'list_customer'; otherwise the snake_case operationId."""
    words = [w.lower() for w in split_words(operation_id)]
    tag_words = [w.lower() for w in split_words(tag)]
    forms = (
        {tuple(tag_words), tuple(tag_words[:-1] + [_singular(tag_words[-1])])}
        if tag_words
        else set()
    )
    for form in sorted(forms, key=len, reverse=True):
        n = len(form)
        if n and tuple(words[-n:]) == form and len(words) > n:
            words = words[:-n]
            break
        if n and tuple(words[1 : n + 1]) == form and len(words) > n:
            words = words[:1] + words[n + 1 :]
            break
    return py_identifier("_".join(words))


class OperationReader:
    def __init__(self, doc: dict[str, Any], schemas: SchemaReader, problems: list[Problem]) -> None:
        self.doc = doc
        self.schemas = schemas
        self.problems = problems

    def operations(self) -> Iterator[tuple[ir.Operation, str]]:
        for path, item in (self.doc.get("paths") or {}).items():
            item = self.schemas.resolve(item)
            for method in METHODS:
                if isinstance(item.get(method), dict):
                    pointer = join_pointer("paths", path, method)
                    op = self._operation(path, method, item, item[method], pointer)
                    if op is not None:
                        yield op

    def _operation(
        self, path: str, method: str, item: dict[str, Any], raw: dict[str, Any], pointer: str
    ) -> tuple[ir.Operation, str] | None:
        op_id = raw.get("operationId")
        tags = raw.get("tags") or []
        if not op_id:
            self.problems.append(
                Problem(pointer, "no operationId: the generator names methods after it")
            )
        if not tags:
            self.problems.append(
                Problem(pointer, "no tag: the generator groups methods into resources by tag")
            )
        if not op_id or not tags:
            return None
        params = self._parameters(item, raw, pointer)
        body = self._request_body(raw, pointer)
        names: dict[str, str] = {}
        for p in (*params, *(body.fields if body else ())):
            if p.python_name in names:
                self.problems.append(
                    Problem(p.pointer, f"argument name {p.python_name!r} is taken twice")
                )
            names[p.python_name] = p.name
        response, errors = self._responses(raw, pointer)
        query = tuple(p for p in params if p.location == "query")
        pagination = read_pagination(self.schemas, response, query)
        returns = response.type or ir.TypeRef("None", "nothing", nullable=True)
        name = raw.get("x-method-name") or method_name(op_id, tags[0])
        return ir.Operation(
            operation_id=op_id,
            name=py_identifier(str(name)),
            http_method=method.upper(),
            path=path,
            summary=str(raw.get("summary", "") or ""),
            description=str(raw.get("description", "") or "").strip(),
            pointer=pointer,
            path_params=tuple(p for p in params if p.location == "path"),
            query_params=query,
            header_params=tuple(p for p in params if p.location == "header"),
            body=body,
            response=response,
            errors=errors,
            pagination=pagination,
            returns=returns,
            idempotent=method.upper() in IDEMPOTENT,
            deprecated=bool(raw.get("deprecated")),
        ), str(tags[0])

    # ------------------------------------------------------------------ parameters

    def _parameters(
        self, item: dict[str, Any], raw: dict[str, Any], pointer: str
    ) -> list[ir.Parameter]:
        merged: dict[tuple[str, str], ir.Parameter] = {}
        sources = [
            (item.get("parameters") or [], pointer.rsplit("/", 1)[0]),
            (raw.get("parameters") or [], pointer),
        ]
        for params, base in sources:
            for i, node in enumerate(params):
                param = self.schemas.resolve(node)
                where = f"{base}/parameters/{i}"
                location = _LOCATIONS.get(param.get("in"))
                if location is None:
                    unsupported = f"{param.get('in')} parameters are not supported"
                    self.problems.append(Problem(where, unsupported))
                    continue
                merged[(param["name"], location)] = self._parameter(param, location, where)
        return sorted(merged.values(), key=lambda p: (not p.required, p.location != "path"))

    def _parameter(
        self, param: dict[str, Any], location: ir.ParamLocation, pointer: str
    ) -> ir.Parameter:
        schema = param.get("schema") or {}
        resolved = self.schemas.resolve(schema)
        required = bool(param.get("required")) or location == "path"
        return ir.Parameter(
            name=param["name"],
            python_name=py_identifier(snake_case(param["name"]) or param["name"]),
            location=location,
            required=required,
            type=self.schemas.type_of(schema, for_input=True),
            description=str(
                param.get("description", "") or resolved.get("description", "") or ""
            ).strip(),
            pointer=pointer,
            default=resolved.get("default"),
            has_default="default" in resolved,
            example=param.get("example", resolved.get("example")),
            constraints=tuple(
                (k, resolved[k])
                for k in ("minimum", "maximum", "minLength", "maxLength", "pattern", "format")
                if k in resolved
            ),
        )

    def _request_body(self, raw: dict[str, Any], pointer: str) -> ir.RequestBody | None:
        if "requestBody" not in raw:
            return None
        body = self.schemas.resolve(raw["requestBody"])
        content = body.get("content") or {}
        chosen = JSON if JSON in content else FORM if FORM in content else None
        if chosen is None:
            self.problems.append(
                Problem(f"{pointer}/requestBody", "only JSON or form-encoded bodies are supported")
            )
            return None
        schema = content[chosen].get("schema") or {}
        model = self.schemas.ref_name(schema)
        resolved = self.schemas.resolve(schema)
        if resolved.get("type") != "object" and "properties" not in resolved:
            self.problems.append(
                Problem(
                    f"{pointer}/requestBody", "the body schema must be an object with properties"
                )
            )
            return None
        fields = []
        for attr in self.schemas.attributes(resolved, f"{pointer}/requestBody"):
            sub = (resolved.get("properties") or {})[attr.name]
            fields.append(
                ir.Parameter(
                    name=attr.name,
                    python_name=attr.python_name,
                    location="body",
                    required=attr.required,
                    type=self.schemas.type_of(sub, for_input=True),
                    description=attr.description,
                    pointer=attr.pointer,
                    constraints=attr.constraints,
                )
            )
        fields.sort(key=lambda p: not p.required)
        return ir.RequestBody(
            required=bool(body.get("required")),
            content_types=tuple(content),
            content_type=chosen,
            model=model,
            fields=tuple(fields),
            description=str(body.get("description", "") or "").strip(),
            examples=read_examples(self.schemas, content[chosen]),
        )

    # ------------------------------------------------------------------ responses

    def _responses(
        self, raw: dict[str, Any], pointer: str
    ) -> tuple[ir.Response, tuple[ir.Response, ...]]:
        success: list[ir.Response] = []
        errors: list[ir.Response] = []
        for status, node in (raw.get("responses") or {}).items():
            response = read_response(self.schemas, str(status), self.schemas.resolve(node))
            (success if str(status).startswith("2") else errors).append(response)
        if not success:
            self.problems.append(Problem(f"{pointer}/responses", "no 2xx response to return"))
            return ir.Response("200", ""), tuple(errors)
        return success[0], tuple(errors)
