"""The spec's operations, read once: for each path and method, what to validate and what the
answer must look like. Routing, validation and the served-routes test all start from here."""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.protocols import Validator

from ..spec import load_spec, validator_at
from .validation import FORMATS, BodySpec, ParamSpec

__all__ = ["Operation", "operations", "HTTP_METHODS"]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


@dataclasses.dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str  # upper case
    path: str  # as in the spec, e.g. "/customers/{id}"
    params: tuple[ParamSpec, ...]
    body: BodySpec | None
    # status code ("200", "400", …) → JSON-schema validator of that response's JSON body
    responses: dict[str, Draft202012Validator]

    def response_validator(self, status: int) -> Draft202012Validator | None:
        return self.responses.get(str(status)) or self.responses.get(f"{str(status)[0]}XX")


def _deref(spec: dict[str, Any], node: Any, pointer: str) -> tuple[Any, str]:
    """Follow local $refs; return the node and its JSON pointer."""
    while isinstance(node, dict) and "$ref" in node:
        pointer = node["$ref"][1:]
        node = spec
        for part in pointer[1:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node, pointer


def _params(spec: dict[str, Any], nodes: list[Any], base: str) -> tuple[ParamSpec, ...]:
    out = []
    for i, raw in enumerate(nodes):
        param, ptr = _deref(spec, raw, f"{base}/{i}")
        if param["in"] not in ("path", "query"):
            raise ValueError(f"{ptr}: parameters in {param['in']} are not supported")
        out.append(
            ParamSpec(
                name=param["name"],
                location=param["in"],
                required=bool(param.get("required", False)),
                schema=_deref(spec, param["schema"], f"{ptr}/schema")[0],
                validator=validator_at(f"{ptr}/schema", spec),
            )
        )
    return tuple(out)


def _body(spec: dict[str, Any], node: Any, base: str) -> BodySpec | None:
    if node is None:
        return None
    body, ptr = _deref(spec, node, base)
    media: dict[str, Validator] = {}
    fields: set[str] = set()
    for mt, content in body.get("content", {}).items():
        if "schema" not in content:
            continue
        pointer = f"{ptr}/content/{_escape(mt)}/schema"
        media[mt] = validator_at(pointer, spec).evolve(format_checker=FORMATS)
        fields |= set(_deref(spec, content["schema"], pointer)[0].get("properties", {}))
    return BodySpec(
        required=bool(body.get("required", False)), media_types=media, fields=frozenset(fields)
    )


def _responses(spec: dict[str, Any], node: dict[str, Any], base: str) -> dict[str, Any]:
    out = {}
    for status, raw in node.items():
        response, ptr = _deref(spec, raw, f"{base}/{_escape(str(status))}")
        content = response.get("content", {})
        if "application/json" in content and "schema" in content["application/json"]:
            out[str(status)] = validator_at(f"{ptr}/content/application~1json/schema", spec)
    return out


@functools.cache
def operations() -> tuple[Operation, ...]:
    """Every operation under `paths`, in document order."""
    spec = load_spec()
    ops = []
    for path, item in spec["paths"].items():
        base = f"/paths/{_escape(path)}"
        shared = item.get("parameters", [])
        for method in HTTP_METHODS:
            if method not in item:
                continue
            op = item[method]
            mbase = f"{base}/{method}"
            params = _params(spec, shared, f"{base}/parameters")
            own = _params(spec, op.get("parameters", []), f"{mbase}/parameters")
            by_key = {(p.name, p.location): p for p in (*params, *own)}
            ops.append(
                Operation(
                    operation_id=op["operationId"],
                    method=method.upper(),
                    path=path,
                    params=tuple(by_key.values()),
                    body=_body(spec, op.get("requestBody"), f"{mbase}/requestBody"),
                    responses=_responses(spec, op.get("responses", {}), f"{mbase}/responses"),
                )
            )
    return tuple(ops)
