"""The generated client's public surface: names a program written against the SDK uses.

Names come from the generator itself (its IR), so they are derived exactly as the client is:
a renamed model, method or argument breaks the SDK even when the wire format is unchanged.
"""

from __future__ import annotations

import importlib
import re
from typing import TYPE_CHECKING, Any

from spaces_toolkit.spec import Document, SpecError

from .context import Diff
from .model import CLIENTS, COMPATIBLE, Impact

if TYPE_CHECKING:
    from generator import ir

__all__ = ["compare_surface"]

# The generator is imported as `spaces_toolkit._generator`: the wheel ships the repository's
# generator/ folder under that name (pyproject.toml), and an editable install maps it there.
_TEMPLATE = re.compile(r"\{[^}]*\}")


def _build(doc: dict[str, Any], side: str, d: Diff) -> ir.Api | None:
    # Not installed is an error, not a note. (The name is the wheel's, see GENERATOR.)
    build = importlib.import_module("spaces_toolkit._generator.build")
    try:
        api: ir.Api = build.build_api(Document(doc, "", ""))
        return api
    except SpecError as exc:
        d.notes.append(
            f"the client surface of the {side} document was not compared: the "
            f"generator refuses it ({exc.problems[0]})"
        )
    except Exception as exc:  # noqa: BLE001 - an invalid document may trip the generator
        d.notes.append(
            f"the client surface of the {side} document was not compared: "
            f"{type(exc).__name__}: {exc}"
        )
    return None


def compare_surface(d: Diff) -> None:
    old, new = _build(d.old, "old", d), _build(d.new, "new", d)
    if old is None or new is None:
        return
    found: list[tuple[str, str, str, Impact, str]] = []  # pointer, kind, message, impact, name
    if (
        old.client.client_class != new.client.client_class
        or old.client.package != new.client.package
    ):
        found.append(
            (
                "/info/title",
                "client-renamed",
                f"The client `{old.client.package}."
                f"{old.client.client_class}` becomes `{new.client.package}."
                f"{new.client.client_class}`.",
                CLIENTS,
                "",
            )
        )
    _operations(old, new, found)
    _models(old, new, found)
    wire = list(d.changes)
    for pointer, kind, message, impact, name in found:
        # Already said by a wire-level change as severe, about the same name at the same place.
        if any(
            c.pointer.startswith(pointer)
            and f"`{name}`" in c.message
            and (c.impact.clients or not impact.clients)
            for c in wire
        ):
            continue
        d.add(pointer, kind, message, impact)


def _key(op: ir.Operation) -> tuple[str, str]:
    return op.http_method, _TEMPLATE.sub("{}", op.path)


def _operations(old: ir.Api, new: ir.Api, found: list[tuple[str, str, str, Impact, str]]) -> None:
    before = {_key(op): (r, op) for r in old.resources for op in r.operations}
    after = {_key(op): (r, op) for r in new.resources for op in r.operations}
    for key, (r_new, op_new) in after.items():
        if key not in before:
            continue
        r_old, op_old = before[key]
        if (r_old.name, op_old.name) != (r_new.name, op_new.name):
            found.append(
                (
                    op_new.pointer,
                    "method-renamed",
                    f"`client.{r_old.name}."
                    f"{op_old.name}()` becomes `client.{r_new.name}.{op_new.name}()`.",
                    CLIENTS,
                    op_old.name,
                )
            )
        call = f"`client.{r_new.name}.{op_new.name}()`"
        positional_a = [p.python_name for p in op_old.path_params]
        positional_b = [p.python_name for p in op_new.path_params]
        if positional_a != positional_b:
            found.append(
                (
                    op_new.pointer,
                    "positional-arguments-changed",
                    f"The positional "
                    f"arguments of {call} change from ({', '.join(positional_a)}) to "
                    f"({', '.join(positional_b)}).",
                    CLIENTS,
                    next((n for n in positional_b if n not in positional_a), ""),
                )
            )
        keywords_a = {p.python_name: p for p in op_old.params if p.location != "path"}
        keywords_b = {p.python_name: p for p in op_new.params if p.location != "path"}
        for name, param in keywords_a.items():
            if name not in keywords_b:
                found.append(
                    (
                        op_new.pointer,
                        "argument-removed",
                        f"{call} loses its keyword argument `{name}`.",
                        CLIENTS,
                        param.name,
                    )
                )
        for name, param in keywords_b.items():
            if name not in keywords_a:
                found.append(
                    (
                        op_new.pointer,
                        "argument-added",
                        f"{call} gains the "
                        f"{'required' if param.required else 'optional'} keyword argument "
                        f"`{name}`.",
                        CLIENTS if param.required else COMPATIBLE,
                        param.name,
                    )
                )


def _models(old: ir.Api, new: ir.Api, found: list[tuple[str, str, str, Impact, str]]) -> None:
    before = {m.name: m for m in old.models}
    after = {m.name: m for m in new.models}
    for name, model in before.items():
        if name not in after:
            found.append(
                (
                    model.pointer,
                    "model-removed",
                    f"The model `{name}` is no longer generated.",
                    CLIENTS,
                    name,
                )
            )
            continue
        attrs = {a.python_name for a in after[name].attributes}
        for attr in model.attributes:
            if attr.python_name not in attrs:
                found.append(
                    (
                        attr.pointer,
                        "model-attribute-removed",
                        f"The model `{name}` loses its attribute `{attr.python_name}`.",
                        CLIENTS,
                        attr.name,
                    )
                )
        members = {e.python_name for e in after[name].enum}
        for member in model.enum:
            if member.python_name not in members:
                found.append(
                    (
                        model.pointer,
                        "enum-member-removed",
                        f"The enum `{name}` loses its member `{member.python_name}`.",
                        CLIENTS,
                        str(member.value),
                    )
                )
    for name, model in after.items():
        if name not in before:
            found.append(
                (
                    model.pointer,
                    "model-added",
                    f"The model `{name}` is generated.",
                    COMPATIBLE,
                    name,
                )
            )
