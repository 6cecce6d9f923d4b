"""Reading the parts of a document into the model's objects (used by `Spec`)."""

from __future__ import annotations

from typing import Any

from .model import (
    Bounds,
    Example,
    Header,
    Link,
    MediaType,
    Operation,
    Parameter,
    RequestBody,
    Response,
    SchemaRef,
    SecurityRequirement,
    Webhook,
)
from .refs import Resolver, escape_token, join_pointer

__all__ = ["METHODS", "Reader"]

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _text(node: Any, key: str) -> str:
    value = node.get(key) if isinstance(node, dict) else None
    return str(value or "").strip()


def _dict(node: Any) -> dict[str, Any]:
    return node if isinstance(node, dict) else {}


class Reader:
    def __init__(self, document: dict[str, Any], resolver: Resolver) -> None:
        self.document = document
        self.resolver = resolver

    def schema(self, node: Any, pointer: str) -> SchemaRef:
        resolved, target = self.resolver.follow(node, pointer)
        return SchemaRef(node, pointer, resolved, target)

    # ------------------------------------------------------------------ operations

    def operations(self) -> list[Operation]:
        ops = []
        default_security = self.security(self.document.get("security"))
        for path, item_node in _dict(self.document.get("paths")).items():
            item, item_ptr = self.resolver.follow(item_node, join_pointer("paths", path))
            for method in METHODS:
                raw = _dict(item).get(method)
                if isinstance(raw, dict):
                    ops.append(self.operation(path, method, item, item_ptr, raw, default_security))
        return ops

    def operation(
        self,
        path: str,
        method: str,
        item: dict[str, Any],
        item_ptr: str,
        raw: dict[str, Any],
        default_security: tuple[SecurityRequirement, ...],
    ) -> Operation:
        pointer = f"{item_ptr}/{method}"
        op_id = raw.get("operationId")
        return Operation(
            operation_id=str(op_id) if op_id else None,
            method=method.upper(),
            path=path,
            pointer=pointer,
            tags=tuple(str(t) for t in raw.get("tags") or ()),
            summary=str(raw.get("summary", "") or ""),
            description=_text(raw, "description"),
            deprecated=bool(raw.get("deprecated")),
            parameters=self.parameters(item, item_ptr, raw, pointer),
            request_body=self.request_body(raw.get("requestBody"), f"{pointer}/requestBody"),
            responses=self.responses(raw.get("responses"), f"{pointer}/responses"),
            security=(self.security(raw["security"]) if "security" in raw else default_security),
            extensions=tuple((k, v) for k, v in raw.items() if str(k).startswith("x-")),
        )

    def parameters(
        self, item: dict[str, Any], item_ptr: str, raw: dict[str, Any], pointer: str
    ) -> tuple[Parameter, ...]:
        merged: dict[tuple[str, str], Parameter] = {}
        for nodes, base in ((item.get("parameters"), item_ptr), (raw.get("parameters"), pointer)):
            for i, node in enumerate(nodes or ()):
                param = self.parameter(node, f"{base}/parameters/{i}")
                merged[(param.name, str(param.location))] = param
        return tuple(merged.values())

    def parameter(self, node: Any, pointer: str) -> Parameter:
        param, target = self.resolver.follow(node, pointer)
        param = _dict(param)
        schema = self.schema(param.get("schema") or {}, f"{target}/schema")
        location = str(param.get("in", ""))
        resolved = _dict(schema.resolved)
        return Parameter(
            name=str(param.get("name", "")),
            location=location,
            required=bool(param.get("required")) or location == "path",
            description=_text(param, "description"),
            pointer=pointer,
            target=target,
            schema=schema,
            bounds=Bounds.of(schema),
            default=resolved.get("default"),
            has_default="default" in resolved,
            example=param.get("example", resolved.get("example")),
            deprecated=bool(param.get("deprecated")),
        )

    # ------------------------------------------------------------------ bodies

    def content(self, node: Any, pointer: str) -> tuple[MediaType, ...]:
        found = []
        for media_type, raw in _dict(node).items():
            where = f"{pointer}/{escape_token(str(media_type))}"
            raw = _dict(raw)
            schema = self.schema(raw["schema"], f"{where}/schema") if "schema" in raw else None
            found.append(MediaType(str(media_type), where, schema, self.examples(raw, where)))
        return tuple(found)

    def examples(self, media: dict[str, Any], pointer: str) -> tuple[Example, ...]:
        found = []
        if "example" in media:
            found.append(Example("example", media["example"]))
        for name, node in _dict(media.get("examples")).items():
            where = f"{pointer}/examples/{escape_token(str(name))}"
            example = _dict(self.resolver.follow(node, where)[0])
            found.append(
                Example(str(name), example.get("value"), str(example.get("summary", "") or ""))
            )
        return tuple(found)

    def request_body(self, node: Any, pointer: str) -> RequestBody | None:
        if node is None:
            return None
        body, target = self.resolver.follow(node, pointer)
        body = _dict(body)
        return RequestBody(
            pointer=target,
            required=bool(body.get("required")),
            description=_text(body, "description"),
            content=self.content(body.get("content"), f"{target}/content"),
        )

    def responses(self, node: Any, pointer: str) -> tuple[Response, ...]:
        found = []
        for status, raw in _dict(node).items():
            response, target = self.resolver.follow(raw, f"{pointer}/{escape_token(str(status))}")
            response = _dict(response)
            headers = []
            for name, h in _dict(response.get("headers")).items():
                header, h_ptr = self.resolver.follow(h, f"{target}/headers/{escape_token(name)}")
                header = _dict(header)
                schema = (
                    self.schema(header["schema"], f"{h_ptr}/schema") if "schema" in header else None
                )
                headers.append(Header(str(name), _text(header, "description"), schema))
            links = []
            for name, ln in _dict(response.get("links")).items():
                link = _dict(self.resolver.resolve(ln))
                links.append(
                    Link(
                        name=str(name),
                        operation_id=link.get("operationId"),
                        operation_ref=link.get("operationRef"),
                        parameters=tuple(_dict(link.get("parameters")).items()),
                        description=_text(link, "description"),
                    )
                )
            found.append(
                Response(
                    status=str(status),
                    pointer=target,
                    description=_text(response, "description"),
                    content=self.content(response.get("content"), f"{target}/content"),
                    headers=tuple(headers),
                    links=tuple(links),
                )
            )
        return tuple(found)

    # ------------------------------------------------------------------ the rest

    @staticmethod
    def security(node: Any) -> tuple[SecurityRequirement, ...]:
        return tuple(
            tuple((str(name), tuple(scopes or ())) for name, scopes in _dict(req).items())
            for req in node or ()
        )

    def webhooks(self) -> list[Webhook]:
        hooks = []
        for name, node in _dict(self.document.get("webhooks")).items():
            item, item_ptr = self.resolver.follow(node, join_pointer("webhooks", name))
            for method in METHODS:
                raw = _dict(item).get(method)
                if not isinstance(raw, dict):
                    continue
                pointer = f"{item_ptr}/{method}"
                op_id = raw.get("operationId")
                hooks.append(
                    Webhook(
                        name=str(name),
                        method=method.upper(),
                        pointer=pointer,
                        operation_id=str(op_id) if op_id else None,
                        summary=str(raw.get("summary", "") or ""),
                        description=_text(raw, "description"),
                        parameters=self.parameters(_dict(item), item_ptr, raw, pointer),
                        request_body=self.request_body(
                            raw.get("requestBody"), f"{pointer}/requestBody"
                        ),
                        responses=self.responses(raw.get("responses"), f"{pointer}/responses"),
                    )
                )
        return hooks
