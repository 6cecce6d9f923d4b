"""The generated client's public surface: names a program written against the SDK uses.

Names come from the generator itself (its IR), so they are derived exactly as the client is:
a renamed model, method or argument breaks the SDK even when the wire format is unchanged.
"""

from __future__ import annotations

import importlib
import re
from typing import TYPE_CHECKING, Any

from spaces_toolkit.spec import Document, SpecError

from . import rules as R
from .context import Diff
from .model import CLIENTS, COMPATIBLE, Impact

if TYPE_CHECKING:
    from generator import ir

__all__ = ["compare_surface"]

# The generator is imported as `spaces_toolkit._generator`: the wheel ships the repository's
# generator/ folder under that name (pyproject.toml), and an editable install maps it there.
_TEMPLATE = re.compile(r"\{[^}]*\}")
_Found = tuple[str, R.Rule, str, Impact, str]  # pointer, rule, message, impact, name


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
    found: list[_Found] = []
    if (
        old.client.client_class != new.client.client_class
        or old.client.package != new.client.package
    ):
        found.append(
            (
                "/info/title",
                R.CLIENT_RENAMED,
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
    for pointer, rule, message, impact, name in found:
        # Already said by a wire-level change as severe, about the same name at the same place.
        if any(
            c.pointer.startswith(pointer)
            and f"`{name}`" in c.message
            and (c.impact.clients or not impact.clients)
            for c in wire
        ):
            continue
        d.add(pointer, rule, message, impact)


def _key(op: ir.ClientMethod) -> tuple[str, str]:
    return op.http_method, _TEMPLATE.sub("{}", op.path)


def _operations(old: ir.Api, new: ir.Api, found: list[_Found]) -> None:
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
                    R.METHOD_RENAMED,
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
                    R.POSITIONAL_ARGUMENTS_CHANGED,
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
                        R.ARGUMENT_REMOVED,
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
                        R.ARGUMENT_ADDED,
                        f"{call} gains the "
                        f"{'required' if param.required else 'optional'} keyword argument "
                        f"`{name}`.",
                        CLIENTS if param.required else COMPATIBLE,
                        param.name,
                    )
                )


def _models(old: ir.Api, new: ir.Api, found: list[_Found]) -> None:
    """Removed models and enum members. (A removed attribute or an added model is always a
    removed property or an added schema at the same pointer, which the wire comparison says.)"""
    before = {m.name: m for m in old.models}
    after = {m.name: m for m in new.models}
    for name, model in before.items():
        if name not in after:
            found.append(
                (
                    model.pointer,
                    R.MODEL_REMOVED,
                    f"The model `{name}` is no longer generated.",
                    CLIENTS,
                    name,
                )
            )
            continue
        members = {e.python_name for e in after[name].enum}
        for member in model.enum:
            if member.python_name not in members:
                found.append(
                    (
                        model.pointer,
                        R.ENUM_MEMBER_REMOVED,
                        f"The enum `{name}` loses its member `{member.python_name}`.",
                        CLIENTS,
                        str(member.value),
                    )
                )
