"""Compare two JSON Schemas: what values each allows, judged by who writes them.

A `$ref` to the same component on both sides is not followed here: every component is
compared once, at its own pointer, for all the directions it is used in (see usage.py).
"""

from __future__ import annotations

from typing import Any

from .context import Diff, Dirs, json_key, quote, schema_ref_name
from .model import BOTH, CLIENTS, COMPATIBLE, DOCS, SERVERS, Impact

__all__ = ["compare_component", "compare_schema"]

_LOWER = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties", "minContains")
_UPPER = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties", "maxContains")
_DOC_KEYS = frozenset(
    {"description", "title", "examples", "example", "$comment", "externalDocs", "summary"}
)
_HANDLED = frozenset(
    {
        "$ref",
        "type",
        "nullable",
        "enum",
        "const",
        "pattern",
        "format",
        "multipleOf",
        "uniqueItems",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "oneOf",
        "anyOf",
        "allOf",
        "not",
        "discriminator",
        "default",
        "deprecated",
        "readOnly",
        "writeOnly",
        *_LOWER,
        *_UPPER,
        *_DOC_KEYS,
    }
)


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
                "schema-changed",
                f"The schema of {label} changed to {json_key(new)}.",
                dirs,
                narrows=not wider,
                widens=wider,
            )
        return
    _type(d, old, new, ptr, label, dirs)
    _values(d, old, new, ptr, label, dirs)
    _bounds(d, old, new, ptr, label, dirs)
    _object(d, old, new, ptr, label, dirs, seen)
    _composition(d, old, new, ptr, label, dirs, seen)
    _annotations(d, old, new, ptr, label, dirs)


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


def _types(schema: dict[str, Any]) -> frozenset[str] | None:
    raw = schema.get("type")
    if raw is None:
        return None
    types = frozenset([raw] if isinstance(raw, str) else raw)
    return types | {"null"} if schema.get("nullable") is True else types


def _type(
    d: Diff, old: dict[str, Any], new: dict[str, Any], ptr: str, label: str, dirs: Dirs
) -> None:
    before, after = _types(old), _types(new)
    if before == after:
        return
    if before is None or after is None:
        wider = after is None
        text = "no longer restricted" if wider else f"restricted to {_join(after or ())}"
        d.moved(
            f"{ptr}/type",
            "type-changed",
            f"The type of {label} is {text}.",
            dirs,
            narrows=not wider,
            widens=wider,
        )
        return
    added, removed = after - before, before - after
    if added == {"null"} and not removed:
        d.moved(
            f"{ptr}/type",
            "became-nullable",
            f"{_cap(label)} may now be null.",
            dirs,
            narrows=False,
            widens=True,
        )
    elif removed == {"null"} and not added:
        d.moved(
            f"{ptr}/type",
            "became-non-nullable",
            f"{_cap(label)} may no longer be null.",
            dirs,
            narrows=True,
            widens=False,
        )
    else:
        d.moved(
            f"{ptr}/type",
            "type-changed",
            f"The type of {label} changed from {_join(before)} to {_join(after)}.",
            dirs,
            narrows=bool(removed) and not (removed == {"integer"} and "number" in added),
            widens=bool(added) and not (added == {"integer"} and "number" in removed),
        )


def _values(
    d: Diff, old: dict[str, Any], new: dict[str, Any], ptr: str, label: str, dirs: Dirs
) -> None:
    if "enum" in old or "enum" in new:
        before = {json_key(v): v for v in old.get("enum", ())}
        after = {json_key(v): v for v in new.get("enum", ())}
        if "enum" not in new:
            d.moved(
                f"{ptr}/enum",
                "enum-removed",
                f"{_cap(label)} is no longer an enumeration.",
                dirs,
                narrows=False,
                widens=True,
            )
        elif "enum" not in old:
            d.moved(
                f"{ptr}/enum",
                "enum-added",
                f"{_cap(label)} is now restricted to {_join(quote(v) for v in after.values())}.",
                dirs,
                narrows=True,
                widens=False,
            )
        else:
            added = [after[k] for k in after if k not in before]
            removed = [before[k] for k in before if k not in after]
            if added:
                d.moved(
                    f"{ptr}/enum",
                    "enum-value-added",
                    f"{_cap(label)} gained enum value{_s(added)} {_join(quote(v) for v in added)}.",
                    dirs,
                    narrows=False,
                    widens=True,
                )
            if removed:
                d.moved(
                    f"{ptr}/enum",
                    "enum-value-removed",
                    f"{_cap(label)} lost enum value"
                    f"{_s(removed)} {_join(quote(v) for v in removed)}.",
                    dirs,
                    narrows=True,
                    widens=False,
                )
    for key, what in (("const", "constant value"), ("pattern", "pattern"), ("format", "format")):
        if key in old or key in new:
            a, b = old.get(key), new.get(key)
            if json_key(a) == json_key(b):
                continue
            if key not in new:
                text, narrows, widens = f"no longer has a {what}", False, True
            elif key not in old:
                text, narrows, widens = f"now has the {what} {quote(b)}", True, False
            else:
                text, narrows, widens = (
                    f"changed its {what} from {quote(a)} to {quote(b)}",
                    True,
                    True,
                )
            d.moved(
                f"{ptr}/{key}",
                f"{key}-changed",
                f"{_cap(label)} {text}.",
                dirs,
                narrows=narrows,
                widens=widens,
            )
    if json_key(old.get("uniqueItems", False)) != json_key(new.get("uniqueItems", False)):
        unique = bool(new.get("uniqueItems"))
        d.moved(
            f"{ptr}/uniqueItems",
            "unique-items-changed",
            f"{_cap(label)} {'now' if unique else 'no longer'} requires unique items.",
            dirs,
            narrows=unique,
            widens=not unique,
        )
    if json_key(old.get("multipleOf")) != json_key(new.get("multipleOf")):
        d.moved(
            f"{ptr}/multipleOf",
            "multiple-of-changed",
            f"{_cap(label)} changed its multipleOf to {quote(new.get('multipleOf'))}.",
            dirs,
            narrows=True,
            widens=True,
        )


def _bounds(
    d: Diff, old: dict[str, Any], new: dict[str, Any], ptr: str, label: str, dirs: Dirs
) -> None:
    for keys, lower in ((_LOWER, True), (_UPPER, False)):
        for key in keys:
            a, b = old.get(key), new.get(key)
            if a == b or isinstance(a, bool) or isinstance(b, bool):
                continue
            if a is None:
                narrows, text = True, f"now has {key} {b}"
            elif b is None:
                narrows, text = False, f"no longer has {key} (was {a})"
            else:
                narrows = (b > a) if lower else (b < a)
                text = f"changed {key} from {a} to {b}"
            verb = "narrowed" if narrows else "widened"
            d.moved(
                f"{ptr}/{key}",
                f"bound-{verb}",
                f"{_cap(label)} {text} ({verb}).",
                dirs,
                narrows=narrows,
                widens=not narrows,
            )


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
        where = f"{ptr}/properties/{_esc(name)}"
        if name not in new_props:
            impact = CLIENTS
            if closed and "response" in dirs:
                impact = impact | SERVERS
            d.add(
                where,
                "property-removed",
                f"Property `{name}` was removed from {label}{_reads(dirs)}.",
                impact,
            )
            continue
        _required(d, name, name in old_req, name in new_req, where, label, dirs)
        _sub(d, old_props[name], new_props[name], where, f"property `{name}`", dirs, seen)
    for name in new_props:
        if name in old_props:
            continue
        required = name in new_req
        impact = COMPATIBLE
        if "request" in dirs:
            impact = impact | (BOTH if required else SERVERS)
        if "response" in dirs and required:
            impact = impact | SERVERS
        d.add(
            f"{ptr}/properties/{_esc(name)}",
            "property-added",
            f"{'Required' if required else 'Optional'} "
            f"property `{name}` was added to {label}{_reads(dirs)}.",
            impact,
        )
    _additional(d, old, new, ptr, label, dirs, seen)


def _required(
    d: Diff, name: str, before: bool, after: bool, where: str, label: str, dirs: Dirs
) -> None:
    if before == after:
        return
    impact = COMPATIBLE
    if after:  # made required
        impact = (BOTH if "request" in dirs else impact) | (
            SERVERS if "response" in dirs else impact
        )
        d.add(
            where,
            "property-made-required",
            f"Property `{name}` of {label} is now required{_reads(dirs)}.",
            impact,
        )
    else:
        impact = (SERVERS if "request" in dirs else impact) | (
            CLIENTS if "response" in dirs else impact
        )
        d.add(
            where,
            "property-made-optional",
            f"Property `{name}` of {label} is now optional{_reads(dirs)}.",
            impact,
        )


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
        "additional-properties-changed",
        f"{_cap(label)} now {text.get(b, 'constrains additional properties by a schema')}.",
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
            f"the items of {label}",
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
                        "variant-removed",
                        f"{_cap(label)} lost {key} member `{name}`.",
                        dirs,
                        narrows=not restricts,
                        widens=restricts,
                    )
            for i, name in enumerate(names_b):
                if name not in names_a:
                    d.moved(
                        f"{ptr}/{key}/{i}",
                        "variant-added",
                        f"{_cap(label)} gained {key} member `{name}`.",
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
                    "variant-removed",
                    f"{_cap(label)} lost {key} member {i}.",
                    dirs,
                    narrows=not restricts,
                    widens=restricts,
                )
            elif i >= len(before):
                d.moved(
                    where,
                    "variant-added",
                    f"{_cap(label)} gained {key} member {i}.",
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
                "not-changed",
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
            "discriminator-changed",
            f"The discriminator of {label} changed from "
            f"{quote(old.get('propertyName'))} to {quote(new.get('propertyName'))}.",
            BOTH,
        )
    before, after = old.get("mapping") or {}, new.get("mapping") or {}
    for tag in before:
        if tag not in after:
            d.moved(
                f"{where}/mapping",
                "discriminator-value-removed",
                f"{_cap(label)} no longer maps discriminator value `{tag}`.",
                dirs,
                narrows=True,
                widens=False,
            )
        elif before[tag] != after[tag]:
            d.moved(
                f"{where}/mapping/{_esc(tag)}",
                "discriminator-value-remapped",
                f"{_cap(label)} maps discriminator value `{tag}` to {after[tag]} instead of "
                f"{before[tag]}.",
                dirs,
                narrows=True,
                widens=True,
            )
    for tag in after:
        if tag not in before:
            d.moved(
                f"{where}/mapping/{_esc(tag)}",
                "discriminator-value-added",
                f"{_cap(label)} maps the new discriminator value `{tag}`.",
                dirs,
                narrows=False,
                widens=True,
            )


def _annotations(
    d: Diff, old: dict[str, Any], new: dict[str, Any], ptr: str, label: str, dirs: Dirs
) -> None:
    if json_key(old.get("default")) != json_key(new.get("default")):
        # The default is what a server assumes when the client leaves the value out.
        impact: Impact = BOTH if "request" in dirs else COMPATIBLE
        d.add(
            f"{ptr}/default",
            "default-changed",
            f"The default of {label} changed from "
            f"{quote(old.get('default'))} to {quote(new.get('default'))}.",
            impact,
        )
    if bool(old.get("deprecated")) != bool(new.get("deprecated")):
        state = "is now deprecated" if new.get("deprecated") else "is no longer deprecated"
        d.add(f"{ptr}/deprecated", "deprecation-changed", f"{_cap(label)} {state}.", COMPATIBLE)
    for key in ("readOnly", "writeOnly"):
        if bool(old.get(key)) != bool(new.get(key)):
            d.add(
                f"{ptr}/{key}",
                "access-changed",
                f"{_cap(label)} changed `{key}` to {json_key(bool(new.get(key)))}.",
                BOTH,
            )
    for key in sorted(set(old) | set(new)):
        if json_key(old.get(key)) == json_key(new.get(key)):
            continue
        if key in _DOC_KEYS or key.startswith("x-"):
            d.add(
                f"{ptr}/{_esc(key)}",
                "schema-documentation-changed",
                f"The {key} of {label} changed.",
                DOCS,
            )
        elif key not in _HANDLED:
            d.add(
                f"{ptr}/{_esc(key)}",
                "schema-keyword-changed",
                f"Keyword `{key}` of {label} changed (not understood: review it).",
                BOTH,
            )


def _reads(dirs: Dirs) -> str:
    if dirs == {"request"}:
        return " (in requests)"
    if dirs == {"response"}:
        return " (in responses)"
    return " (in requests and responses)" if dirs else " (unused in the API)"


def _esc(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _join(items: Any) -> str:
    return (
        ", ".join(str(i) for i in sorted(items, key=str))
        if not isinstance(items, list)
        else ", ".join(items)
    )


def _s(items: list[Any]) -> str:
    return "s" if len(items) > 1 else ""


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]
