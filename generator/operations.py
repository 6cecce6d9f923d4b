"""Operations and webhooks of the spec, read into the IR: names, parameters, bodies, responses."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from . import ir
from .load import Problem
from .naming import join_pointer, py_identifier, snake_case, split_words
from .schemas import SchemaReader

__all__ = ["OperationReader"]

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
# Cursor parameters in the Stripe style: the page after / before the object with this id.
AFTER_PARAMS = ("starting_after",)
BEFORE_PARAMS = ("starting_before", "ending_before")
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


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
        pagination = self._pagination(response, query)
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
                location = param.get("in")
                if location == "cookie":
                    self.problems.append(Problem(where, "cookie parameters are not supported"))
                    continue
                merged[(param["name"], location)] = self._parameter(param, location, where)
        return sorted(merged.values(), key=lambda p: (not p.required, p.location != "path"))

    def _parameter(self, param: dict[str, Any], location: str, pointer: str) -> ir.Parameter:
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
            examples=self._examples(content[chosen]),
        )

    # ------------------------------------------------------------------ responses

    def _responses(
        self, raw: dict[str, Any], pointer: str
    ) -> tuple[ir.Response, tuple[ir.Response, ...]]:
        success: list[ir.Response] = []
        errors: list[ir.Response] = []
        for status, node in (raw.get("responses") or {}).items():
            response = self._response(str(status), self.schemas.resolve(node))
            (success if str(status).startswith("2") else errors).append(response)
        if not success:
            self.problems.append(Problem(f"{pointer}/responses", "no 2xx response to return"))
            return ir.Response("200", ""), tuple(errors)
        return success[0], tuple(errors)

    def _response(self, status: str, node: dict[str, Any]) -> ir.Response:
        content = node.get("content") or {}
        media_type = JSON if JSON in content else next(iter(content), None)
        schema = (content.get(media_type) or {}).get("schema") if media_type else None
        headers = tuple(
            (name, str(self.schemas.resolve(h).get("description", "") or "").strip())
            for name, h in (node.get("headers") or {}).items()
        )
        return ir.Response(
            status=status,
            description=str(node.get("description", "") or "").strip(),
            model=self.schemas.ref_name(schema) if schema else None,
            type=self.schemas.type_of(schema) if schema is not None else None,
            content_type=media_type,
            examples=self._examples(content.get(media_type) or {}),
            headers=headers,
        )

    def _examples(self, media: dict[str, Any]) -> tuple[ir.Example, ...]:
        found = []
        if "example" in media:
            found.append(ir.Example("example", media["example"]))
        for name, node in (media.get("examples") or {}).items():
            example = self.schemas.resolve(node)
            found.append(
                ir.Example(str(name), example.get("value"), str(example.get("summary", "") or ""))
            )
        return tuple(found)

    def _pagination(
        self, response: ir.Response, query: tuple[ir.Parameter, ...]
    ) -> ir.Pagination | None:
        by_name = {p.name: p for p in query}
        after = next((by_name[n] for n in AFTER_PARAMS if n in by_name), None)
        if after is None or response.model is None or response.model not in self.schemas.schemas:
            return None
        envelope = self.schemas.schemas[response.model]
        props = envelope.get("properties") or {}
        data = self.schemas.resolve(props.get("data") or {})
        if (
            data.get("type") != "array"
            or self.schemas.resolve(props.get("has_more") or {}).get("type") != "boolean"
        ):
            return None
        before = next((n for n in BEFORE_PARAMS if n in by_name), None)
        cursor_type = ir.TypeRef(
            after.type.python.replace(" | None", ""), after.type.display, after.type.models
        )
        return ir.Pagination(
            envelope=response.model,
            item=self.schemas.type_of(data.get("items") or {}),
            items_attr="data",
            has_more_attr="has_more",
            after_param=after.name,
            before_param=before,
            cursor_attr="id",
            cursor_type=cursor_type,
        )

    # ------------------------------------------------------------------ webhooks

    def webhooks(self) -> tuple[ir.WebhookEvent, ...]:
        hooks = []
        for name, item in (self.doc.get("webhooks") or {}).items():
            item = self.schemas.resolve(item)
            for method in METHODS:
                raw = item.get(method)
                if not isinstance(raw, dict):
                    continue
                pointer = join_pointer("webhooks", name, method)
                body = self.schemas.resolve(raw.get("requestBody") or {})
                content = body.get("content") or {}
                media_type = JSON if JSON in content else next(iter(content), JSON)
                schema = (content.get(media_type) or {}).get("schema") or {}
                responses = tuple(
                    self._response(str(s), self.schemas.resolve(r))
                    for s, r in (raw.get("responses") or {}).items()
                )
                hooks.append(
                    ir.WebhookEvent(
                        name=str(name),
                        operation_id=str(raw.get("operationId", "") or ""),
                        http_method=method.upper(),
                        summary=str(raw.get("summary", "") or ""),
                        description=str(raw.get("description", "") or "").strip(),
                        pointer=pointer,
                        payload=self.schemas.type_of(schema),
                        payload_model=self.schemas.ref_name(schema),
                        content_type=media_type,
                        responses=responses,
                        examples=self._examples(content.get(media_type) or {}),
                    )
                )
        return tuple(hooks)
