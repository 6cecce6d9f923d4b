"""Operations of the spec model, read into the IR: names, parameters, bodies, responses."""

from __future__ import annotations

from collections.abc import Iterator

from spaces_toolkit import spec as model
from spaces_toolkit.spec import Problem

from . import ir
from .naming import py_identifier, snake_case, split_words
from .responses import JSON, read_examples, read_pagination, read_response
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
    def __init__(self, spec: model.Spec, schemas: SchemaReader, problems: list[Problem]) -> None:
        self.spec = spec
        self.schemas = schemas
        self.problems = problems

    def operations(self) -> Iterator[tuple[ir.ClientMethod, str]]:
        for op in self.spec.operations:
            found = self._operation(op)
            if found is not None:
                yield found

    def _operation(self, op: model.Operation) -> tuple[ir.ClientMethod, str] | None:
        pointer = op.pointer
        if not op.operation_id:
            self.problems.append(
                Problem(pointer, "no operationId: the generator names methods after it")
            )
        if not op.tags:
            self.problems.append(
                Problem(pointer, "no tag: the generator groups methods into resources by tag")
            )
        if not op.operation_id or not op.tags:
            return None
        params = self._parameters(op)
        body = self._request_body(op)
        names: dict[str, str] = {}
        for p in (*params, *(body.fields if body else ())):
            if p.python_name in names:
                self.problems.append(
                    Problem(p.pointer, f"argument name {p.python_name!r} is taken twice")
                )
            names[p.python_name] = p.name
        response, errors = self._responses(op)
        query = tuple(p for p in params if p.location == "query")
        pagination = read_pagination(self.schemas, self.spec.list_of(op), response, query)
        returns = response.type or ir.TypeRef("None", "nothing", nullable=True)
        name = op.extension("x-method-name") or method_name(op.operation_id, op.tags[0])
        return ir.ClientMethod(
            name=py_identifier(str(name)),
            path_params=tuple(p for p in params if p.location == "path"),
            query_params=query,
            header_params=tuple(p for p in params if p.location == "header"),
            body=body,
            response=response,
            errors=errors,
            pagination=pagination,
            returns=returns,
            idempotent=op.method in IDEMPOTENT,
            spec=op,
        ), op.tags[0]

    # ------------------------------------------------------------------ parameters

    def _parameters(self, op: model.Operation) -> list[ir.Argument]:
        params = []
        for param in op.parameters:
            location = _LOCATIONS.get(str(param.location))
            if location is None:
                unsupported = f"{param.location} parameters are not supported"
                self.problems.append(Problem(param.pointer, unsupported))
                continue
            params.append(self._parameter(param, location))
        return sorted(params, key=lambda p: (not p.required, p.location != "path"))

    def _parameter(self, param: model.Parameter, location: ir.ParamLocation) -> ir.Argument:
        resolved = param.schema.resolved if isinstance(param.schema.resolved, dict) else {}
        return ir.Argument(
            name=param.name,
            python_name=py_identifier(snake_case(param.name) or param.name),
            location=location,
            required=param.required,
            type=self.schemas.type_of(param.schema.node, for_input=True),
            description=param.description or str(resolved.get("description", "") or "").strip(),
            pointer=param.pointer,
            default=param.default,
            has_default=param.has_default,
            example=param.example,
            decisions=self.schemas.decisions(param.pointer, f"{param.pointer}/schema"),
            constraints=param.bounds.keywords(),
            spec=param,
        )

    def _request_body(self, op: model.Operation) -> ir.ClientBody | None:
        body = op.request_body
        if body is None:
            return None
        where = f"{op.pointer}/requestBody"
        media = body.media(JSON) or body.media(FORM)
        if media is None:
            self.problems.append(Problem(where, "only JSON or form-encoded bodies are supported"))
            return None
        schema = (media.schema.node if media.schema else None) or {}
        resolved = self.schemas.resolve(schema)
        if resolved.get("type") != "object" and "properties" not in resolved:
            self.problems.append(
                Problem(where, "the body schema must be an object with properties")
            )
            return None
        fields = []
        for attr in self.schemas.attributes(resolved, where):
            sub = (resolved.get("properties") or {})[attr.name]
            fields.append(
                ir.Argument(
                    name=attr.name,
                    python_name=attr.python_name,
                    location="body",
                    required=attr.required,
                    type=self.schemas.type_of(sub, for_input=True),
                    description=attr.description,
                    pointer=attr.pointer,
                    constraints=attr.constraints,
                    decisions=attr.decisions,
                )
            )
        fields.sort(key=lambda p: not p.required)
        return ir.ClientBody(
            content_type=media.media_type,
            model=self.schemas.ref_name(schema),
            fields=tuple(fields),
            examples=read_examples(media),
            spec=body,
        )

    # ------------------------------------------------------------------ responses

    def _responses(
        self, op: model.Operation
    ) -> tuple[ir.ClientResponse, tuple[ir.ClientResponse, ...]]:
        success: list[ir.ClientResponse] = []
        errors: list[ir.ClientResponse] = []
        for node in op.responses:
            response = read_response(self.schemas, node)
            (success if node.status.startswith("2") else errors).append(response)
        if not success:
            self.problems.append(Problem(f"{op.pointer}/responses", "no 2xx response to return"))
            nothing = model.Response("200", f"{op.pointer}/responses", "")
            return ir.ClientResponse(spec=nothing), tuple(errors)
        return success[0], tuple(errors)
