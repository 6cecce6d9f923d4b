"""What the Python emitter's models and webhooks modules render: unions, rebuild order, payloads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import ir
from .python_views import docstring

__all__ = ["UNKNOWN_TAG", "UnionView", "rebuild_order", "unions", "webhooks_context"]

UNKNOWN_TAG = "__unknown__"


@dataclass(frozen=True)
class UnionView:
    name: str
    docstring: str
    discriminator: str | None
    variants: tuple[tuple[str | None, str], ...]
    unknown: str | None
    unknown_tag: str
    tags: tuple[str, ...]

    @property
    def variant_models(self) -> tuple[str, ...]:
        return tuple(model for _, model in self.variants)


def unions(api: ir.Api) -> tuple[UnionView, ...]:
    return tuple(
        UnionView(
            m.name,
            docstring(
                m.description,
                f"Unknown `{m.discriminator}` values parse as {m.unknown_variant}."
                if m.unknown_variant
                else "",
            ),
            m.discriminator,
            tuple((v.tag, v.model) for v in m.variants),
            m.unknown_variant,
            UNKNOWN_TAG,
            tuple(sorted(v.tag for v in m.variants if v.tag)),
        )
        for m in api.models
        if m.kind == "union"
    )


def rebuild_order(api: ir.Api) -> tuple[str, ...]:
    """Object models that (transitively) hold a union, dependencies first (rebuilt after it)."""
    unions = {m.name for m in api.models if m.kind == "union"}
    refs = {
        m.name: {r for a in m.attributes for r in a.type.models}
        for m in api.models
        if m.kind == "object"
    }
    holding = {name for name, r in refs.items() if r & unions}
    changed = True
    while changed:
        more = {name for name, r in refs.items() if r & holding} - holding
        holding |= more
        changed = bool(more)
    order: list[str] = []

    def visit(name: str) -> None:
        if name in order or name not in holding:
            return
        order.append("")  # placeholder against cycles
        for dep in sorted(refs[name]):
            visit(dep)
        order.remove("")
        order.append(name)

    for name in sorted(holding):
        visit(name)
    return tuple(order)


def webhooks_context(api: ir.Api) -> dict[str, Any]:
    if api.webhook_union:
        union = api.model(api.webhook_union)
        payload, imports = api.webhook_union, [api.webhook_union]
        parse_doc = (
            f"Known event types parse into their own models; any other `{union.discriminator}` "
            f"parses as {union.unknown_variant or 'its fallback'}, with every field kept."
        )
    else:
        models = sorted({w.payload_model for w in api.webhooks if w.payload_model})
        payload, imports = " | ".join(models) or "dict[str, Any]", models
        parse_doc = "The body is validated against the payload schemas of the spec's webhooks."
    return {
        "payload_type": payload,
        "model_imports": imports,
        "parse_doc": parse_doc,
        "payload_doc": docstring(", ".join(w.name for w in api.webhooks) + "."),
        "event_types": tuple(sorted(w.name for w in api.webhooks)),
    }
