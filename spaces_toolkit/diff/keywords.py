"""Leaf keywords of a JSON Schema: type, values (enum, const, pattern, format), bounds and
annotations. Each change is judged by who writes the values (see model.impact_of)."""

from __future__ import annotations

from typing import Any

from spaces_toolkit.spec import escape_token as esc

from . import rules as R
from .context import Diff, Dirs, json_key, quote
from .model import BOTH, COMPATIBLE, DOCS, Impact

__all__ = [
    "cap",
    "child",
    "compare_annotations",
    "compare_bounds",
    "compare_type",
    "compare_values",
    "join",
    "plural",
    "reads",
]

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


def _types(schema: dict[str, Any]) -> frozenset[str] | None:
    raw = schema.get("type")
    if raw is None:
        return None
    types = frozenset([raw] if isinstance(raw, str) else raw)
    return types | {"null"} if schema.get("nullable") is True else types


def compare_type(
    d: Diff, old: dict[str, Any], new: dict[str, Any], ptr: str, label: str, dirs: Dirs
) -> None:
    before, after = _types(old), _types(new)
    if before == after:
        return
    if before is None or after is None:
        wider = after is None
        text = "no longer restricted" if wider else f"restricted to {join(after or ())}"
        d.moved(
            f"{ptr}/type",
            R.TYPE_CHANGED,
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
            R.BECAME_NULLABLE,
            f"{cap(label)} may now be null.",
            dirs,
            narrows=False,
            widens=True,
        )
    elif removed == {"null"} and not added:
        d.moved(
            f"{ptr}/type",
            R.BECAME_NON_NULLABLE,
            f"{cap(label)} may no longer be null.",
            dirs,
            narrows=True,
            widens=False,
        )
    else:
        d.moved(
            f"{ptr}/type",
            R.TYPE_CHANGED,
            f"The type of {label} changed from {join(before)} to {join(after)}.",
            dirs,
            narrows=bool(removed) and not (removed == {"integer"} and "number" in added),
            widens=bool(added) and not (added == {"integer"} and "number" in removed),
        )


def compare_values(
    d: Diff, old: dict[str, Any], new: dict[str, Any], ptr: str, label: str, dirs: Dirs
) -> None:
    if "enum" in old or "enum" in new:
        before = {json_key(v): v for v in old.get("enum", ())}
        after = {json_key(v): v for v in new.get("enum", ())}
        if "enum" not in new:
            d.moved(
                f"{ptr}/enum",
                R.ENUM_REMOVED,
                f"{cap(label)} is no longer an enumeration.",
                dirs,
                narrows=False,
                widens=True,
            )
        elif "enum" not in old:
            d.moved(
                f"{ptr}/enum",
                R.ENUM_ADDED,
                f"{cap(label)} is now restricted to {join(quote(v) for v in after.values())}.",
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
                    R.ENUM_VALUE_ADDED,
                    f"{cap(label)} gained enum value{plural(added)} "
                    f"{join(quote(v) for v in added)}.",
                    dirs,
                    narrows=False,
                    widens=True,
                )
            if removed:
                d.moved(
                    f"{ptr}/enum",
                    R.ENUM_VALUE_REMOVED,
                    f"{cap(label)} lost enum value"
                    f"{plural(removed)} {join(quote(v) for v in removed)}.",
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
                R.VALUE_KEYWORDS[key],
                f"{cap(label)} {text}.",
                dirs,
                narrows=narrows,
                widens=widens,
            )
    if json_key(old.get("uniqueItems", False)) != json_key(new.get("uniqueItems", False)):
        unique = bool(new.get("uniqueItems"))
        d.moved(
            f"{ptr}/uniqueItems",
            R.UNIQUE_ITEMS_CHANGED,
            f"{cap(label)} {'now' if unique else 'no longer'} requires unique items.",
            dirs,
            narrows=unique,
            widens=not unique,
        )
    if json_key(old.get("multipleOf")) != json_key(new.get("multipleOf")):
        d.moved(
            f"{ptr}/multipleOf",
            R.MULTIPLE_OF_CHANGED,
            f"{cap(label)} changed its multipleOf to {quote(new.get('multipleOf'))}.",
            dirs,
            narrows=True,
            widens=True,
        )


def compare_bounds(
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
                R.BOUND_NARROWED if narrows else R.BOUND_WIDENED,
                f"{cap(label)} {text} ({verb}).",
                dirs,
                narrows=narrows,
                widens=not narrows,
            )


def compare_annotations(
    d: Diff, old: dict[str, Any], new: dict[str, Any], ptr: str, label: str, dirs: Dirs
) -> None:
    if json_key(old.get("default")) != json_key(new.get("default")):
        # The default is what a server assumes when the client leaves the value out.
        impact: Impact = BOTH if "request" in dirs else COMPATIBLE
        d.add(
            f"{ptr}/default",
            R.DEFAULT_CHANGED,
            f"The default of {label} changed from "
            f"{quote(old.get('default'))} to {quote(new.get('default'))}.",
            impact,
        )
    if bool(old.get("deprecated")) != bool(new.get("deprecated")):
        state = "is now deprecated" if new.get("deprecated") else "is no longer deprecated"
        d.add(f"{ptr}/deprecated", R.DEPRECATION_CHANGED, f"{cap(label)} {state}.", COMPATIBLE)
    for key in ("readOnly", "writeOnly"):
        if bool(old.get(key)) != bool(new.get(key)):
            d.add(
                f"{ptr}/{key}",
                R.ACCESS_CHANGED,
                f"{cap(label)} changed `{key}` to {json_key(bool(new.get(key)))}.",
                BOTH,
            )
    for key in sorted(set(old) | set(new)):
        if json_key(old.get(key)) == json_key(new.get(key)):
            continue
        if key in _DOC_KEYS or key.startswith("x-"):
            d.add(
                f"{ptr}/{esc(key)}",
                R.SCHEMA_DOCUMENTATION_CHANGED,
                f"The {key} of {label} changed.",
                DOCS,
            )
        elif key not in _HANDLED:
            d.add(
                f"{ptr}/{esc(key)}",
                R.SCHEMA_KEYWORD_CHANGED,
                f"Keyword `{key}` of {label} changed (not understood: review it).",
                BOTH,
            )


def child(label: str, name: str) -> str:
    """`Customer` + email -> `Customer.email`; `Customer` + [] -> `Customer[]` (array items)."""
    if label.startswith("`") and label.endswith("`") and label.count("`") == 2:
        return f"`{label[1:-1]}{name if name == '[]' else '.' + name}`"
    return f"the items of {label}" if name == "[]" else f"property `{name}` of {label}"


def reads(dirs: Dirs) -> str:
    if dirs == {"request"}:
        return " (in requests)"
    if dirs == {"response"}:
        return " (in responses)"
    return " (in requests and responses)" if dirs else " (unused in the API)"


def join(items: Any) -> str:
    return (
        ", ".join(str(i) for i in sorted(items, key=str))
        if not isinstance(items, list)
        else ", ".join(items)
    )


def plural(items: list[Any]) -> str:
    return "s" if len(items) > 1 else ""


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]
