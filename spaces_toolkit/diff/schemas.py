"""Compare two JSON Schemas: what values each allows, judged by who writes them.

A `$ref` to the same component on both sides is not followed here: every component is
compared once, at its own pointer, for all the directions it is used in (see usage.py).
"""

from __future__ import annotations

from typing import Any

from spaces_toolkit.spec import escape_token as esc

from . import rules as R
from .context import Diff, Dirs, json_key, quote, schema_ref_name
from .keywords import (
    cap,
    child,
    compare_annotations,
    compare_bounds,
    compare_type,
    compare_values,
    reads,
)
from .model import BOTH, CLIENTS, COMPATIBLE, SERVERS, Impact, Presence, presence_impact

__all__ = ["compare_component", "compare_schema"]


def compare_schema(d: Diff, old: Any, new: Any, ptr: str, label: str, dirs: Dirs) -> None:
    """Record every change between schema `old` (in d.old) and `new` (in d.new) at `ptr`."""
    old_name, new_name = schema_ref_name(old), schema_ref_name(new)
    if old_name is not None and old_name == new_name:
        return  # compared once as a component
    _compare(d, d.old_node(old), d.new_node(new), ptr, label, dirs, frozenset())


def compare_component(d: Diff, old: Any, new: Any, ptr: str, label: str, dirs: Dirs) -> None:
    """A component schema at its own pointer (even if it is itself a `$ref` to another)."""
    _compare(d, d.old_node(old), d.new_node(new), ptr, label, dirs, frozenset())


def _compare(
    d: Diff, old: Any, new: Any, ptr: str, label: str, dirs: Dirs, seen: frozenset[str]
) -> None:
    if isinstance(old, bool) or isinstance(new, bool) or old is None or new is None:
        if json_key(old) != json_key(new):
            wider = new is True or new == {} or old is False
            d.moved(
                ptr,
                R.SCHEMA_CHANGED,
                f"The schema of {label} changed to {json_key(new)}.",
                dirs,
                narrows=not wider,
                widens=wider,
            )
        return
    compare_type(d, old, new, ptr, label, dirs)
    compare_values(d, old, new, ptr, label, dirs)
    compare_bounds(d, old, new, ptr, label, dirs)
    _object(d, old, new, ptr, label, dirs, seen)
    _composition(d, old, new, ptr, label, dirs, seen)
    compare_annotations(d, old, new, ptr, label, dirs)


def _sub(
    d: Diff, old: Any, new: Any, ptr: str, label: str, dirs: Dirs, seen: frozenset[str]
) -> None:
    """A nested schema: same-named component refs are compared elsewhere; others inline."""
    old_name, new_name = schema_ref_name(old), schema_ref_name(new)
    if old_name is not None and old_name == new_name:
        return
    key = f"{old_name}->{new_name}"
    if (old_name or new_name) and key in seen:
        return  # a recursive schema reached again
    _compare(d, d.old_node(old), d.new_node(new), ptr, label, dirs, seen | {key})


def _presence(event: Presence, dirs: Dirs) -> Impact:
    impact = CLIENTS if event == "removed" else COMPATIBLE  # the generated attribute goes
    for direction in dirs:
        impact = impact | presence_impact(event, direction)
    return impact


def _object(
    d: Diff,
    old: dict[str, Any],
    new: dict[str, Any],
    ptr: str,
    label: str,
    dirs: Dirs,
    seen: frozenset[str],
) -> None:
    old_props, new_props = old.get("properties") or {}, new.get("properties") or {}
    old_req, new_req = set(old.get("required") or ()), set(new.get("required") or ())
    closed = new.get("additionalProperties") is False
    for name in old_props:
        where = f"{ptr}/properties/{esc(name)}"
        if name not in new_props:
            impact = _presence("removed", dirs)
            if closed and "response" in dirs:  # servers still sending it now break the schema
                impact = impact | SERVERS
            d.add(
                where,
                R.PROPERTY_REMOVED,
                f"Property `{name}` was removed from {label}{reads(dirs)}.",
                impact,
            )
            continue
        if (name in old_req) != (name in new_req):
            made = name in new_req
            d.add(
                where,
                R.PROPERTY_MADE_REQUIRED if made else R.PROPERTY_MADE_OPTIONAL,
                f"Property `{name}` of {label} is now "
                f"{'required' if made else 'optional'}{reads(dirs)}.",
                _presence("made-required" if made else "made-optional", dirs),
            )
        _sub(d, old_props[name], new_props[name], where, child(label, name), dirs, seen)
    for name in new_props:
        if name in old_props:
            continue
        required = name in new_req
        d.add(
            f"{ptr}/properties/{esc(name)}",
            R.PROPERTY_ADDED,
            f"{'Required' if required else 'Optional'} "
            f"property `{name}` was added to {label}{reads(dirs)}.",
            _presence("added-required" if required else "added-optional", dirs),
        )
    _additional(d, old, new, ptr, label, dirs, seen)


def _additional(
    d: Diff,
    old: dict[str, Any],
    new: dict[str, Any],
    ptr: str,
    label: str,
    dirs: Dirs,
    seen: frozenset[str],
) -> None:
    a, b = old.get("additionalProperties", True), new.get("additionalProperties", True)
    a = True if a == {} else a
    b = True if b == {} else b
    if json_key(a) == json_key(b):
        return
    where = f"{ptr}/additionalProperties"
    if isinstance(a, dict) and isinstance(b, dict):
        _sub(d, a, b, where, f"additional properties of {label}", dirs, seen)
        return
    rank = {True: 2, False: 0}
    narrows = rank.get(b, 1) < rank.get(a, 1)  # open (2) > a schema (1) > closed (0)
    text = {True: "allows any additional properties", False: "allows no additional properties"}
    d.moved(
        where,
        R.ADDITIONAL_PROPERTIES_CHANGED,
        f"{cap(label)} now {text.get(b, 'constrains additional properties by a schema')}.",
        dirs,
        narrows=narrows,
        widens=not narrows,
    )


def _composition(
    d: Diff,
    old: dict[str, Any],
    new: dict[str, Any],
    ptr: str,
    label: str,
    dirs: Dirs,
    seen: frozenset[str],
) -> None:
    if "items" in old or "items" in new:
        _sub(
            d,
            old.get("items", True),
            new.get("items", True),
            f"{ptr}/items",
            child(label, "[]"),
            dirs,
            seen,
        )
    for key in ("oneOf", "anyOf", "allOf"):
        before, after = list(old.get(key) or ()), list(new.get(key) or ())
        if not before and not after:
            continue
        # allOf: each member restricts; oneOf/anyOf: each variant allows.
        restricts = key == "allOf"
        names_a = [schema_ref_name(v) for v in before]
        names_b = [schema_ref_name(v) for v in after]
        if all(names_a) and all(names_b):
            for name in names_a:
                if name not in names_b:
                    d.moved(
                        f"{ptr}/{key}",
                        R.VARIANT_REMOVED,
                        f"{cap(label)} lost {key} member `{name}`.",
                        dirs,
                        narrows=not restricts,
                        widens=restricts,
                    )
            for i, name in enumerate(names_b):
                if name not in names_a:
                    d.moved(
                        f"{ptr}/{key}/{i}",
                        R.VARIANT_ADDED,
                        f"{cap(label)} gained {key} member `{name}`.",
                        dirs,
                        narrows=restricts,
                        widens=not restricts,
                    )
            continue
        for i in range(max(len(before), len(after))):
            where = f"{ptr}/{key}/{i}"
            if i >= len(after):
                d.moved(
                    where,
                    R.VARIANT_REMOVED,
                    f"{cap(label)} lost {key} member {i}.",
                    dirs,
                    narrows=not restricts,
                    widens=restricts,
                )
            elif i >= len(before):
                d.moved(
                    where,
                    R.VARIANT_ADDED,
                    f"{cap(label)} gained {key} member {i}.",
                    dirs,
                    narrows=restricts,
                    widens=not restricts,
                )
            else:
                _sub(d, before[i], after[i], where, f"{key} member {i} of {label}", dirs, seen)
    if "not" in old or "not" in new:
        if json_key(old.get("not")) != json_key(new.get("not")):
            d.moved(
                f"{ptr}/not",
                R.NOT_CHANGED,
                f"The `not` schema of {label} changed.",
                dirs,
                narrows=True,
                widens=True,
            )
    _discriminator(
        d, old.get("discriminator") or {}, new.get("discriminator") or {}, ptr, label, dirs
    )


def _discriminator(
    d: Diff, old: dict[str, Any], new: dict[str, Any], ptr: str, label: str, dirs: Dirs
) -> None:
    where = f"{ptr}/discriminator"
    if old.get("propertyName") != new.get("propertyName"):
        d.add(
            where,
            R.DISCRIMINATOR_CHANGED,
            f"The discriminator of {label} changed from "
            f"{quote(old.get('propertyName'))} to {quote(new.get('propertyName'))}.",
            BOTH,
        )
    before, after = old.get("mapping") or {}, new.get("mapping") or {}
    for tag in before:
        if tag not in after:
            d.moved(
                f"{where}/mapping",
                R.DISCRIMINATOR_VALUE_REMOVED,
                f"{cap(label)} no longer maps discriminator value `{tag}`.",
                dirs,
                narrows=True,
                widens=False,
            )
        elif before[tag] != after[tag]:
            d.moved(
                f"{where}/mapping/{esc(tag)}",
                R.DISCRIMINATOR_VALUE_REMAPPED,
                f"{cap(label)} maps discriminator value `{tag}` to {after[tag]} instead of "
                f"{before[tag]}.",
                dirs,
                narrows=True,
                widens=True,
            )
    for tag in after:
        if tag not in before:
            d.moved(
                f"{where}/mapping/{esc(tag)}",
                R.DISCRIMINATOR_VALUE_ADDED,
                f"{cap(label)} maps the new discriminator value `{tag}`.",
                dirs,
                narrows=False,
                widens=True,
            )
