"""Paths, operations and webhooks: added, removed, and what changed inside each one."""

from __future__ import annotations

import re
from typing import Any

from spaces_toolkit.spec import METHODS, ref_pointer
from spaces_toolkit.spec import escape_token as esc

from . import rules as R
from .context import Diff, json_key
from .media import compare_content, compare_docs
from .model import BOTH, CLIENTS, COMPATIBLE, SERVERS, Direction, presence_impact
from .responses import compare_responses
from .schemas import compare_schema
from .security import compare_security

__all__ = ["compare_operations"]

_TEMPLATE = re.compile(r"\{[^}]*\}")


def compare_operations(d: Diff, section: str) -> None:
    """`paths` or `webhooks`. Paths that differ only in a path parameter's name are one path."""
    hook = section == "webhooks"
    old, new = d.old.get(section) or {}, d.new.get(section) or {}
    shape = {_TEMPLATE.sub("{}", key): key for key in new} if not hook else {}
    matched: dict[str, str] = {}
    for key in old:
        if key in new:
            matched[key] = key
        elif not hook and _TEMPLATE.sub("{}", key) in shape:
            matched[key] = shape[_TEMPLATE.sub("{}", key)]
    noun = "Webhook" if hook else "Path"
    for key in old:
        if key not in matched:
            d.add(
                f"/{section}/{esc(key)}",
                R.WEBHOOK_REMOVED if hook else R.PATH_REMOVED,
                f"{noun} `{key}` was removed.",
                CLIENTS,
            )
    for key in new:
        if key not in matched.values():
            # A new path is a new duty for implementations; a new webhook is only delivered to
            # receivers that subscribe to it.
            d.add(
                f"/{section}/{esc(key)}",
                R.WEBHOOK_ADDED if hook else R.PATH_ADDED,
                f"{noun} `{key}` was added.",
                SERVERS,
            )
    for old_key, new_key in matched.items():
        _compare_item(d, section, old_key, new_key, hook)


def _compare_item(d: Diff, section: str, old_key: str, new_key: str, hook: bool) -> None:
    a = d.old_node(d.old[section][old_key]) or {}
    b = d.new_node(d.new[section][new_key]) or {}
    ptr = f"/{section}/{esc(new_key)}"
    for method in METHODS:
        what = f"`{method.upper()} {new_key}`" if not hook else f"webhook `{new_key}`"
        if method in a and method not in b:
            d.add(f"{ptr}/{method}", R.OPERATION_REMOVED, f"Operation {what} was removed.", CLIENTS)
        elif method in b and method not in a:
            d.add(f"{ptr}/{method}", R.OPERATION_ADDED, f"Operation {what} was added.", SERVERS)
        elif method in a:
            _compare_operation(d, a, b, a[method], b[method], f"{ptr}/{method}", what, hook)
    compare_docs(d, a, b, ptr, f"{'webhook' if hook else 'path'} `{new_key}`")


def _compare_operation(
    d: Diff,
    item_a: dict[str, Any],
    item_b: dict[str, Any],
    a: dict[str, Any],
    b: dict[str, Any],
    ptr: str,
    what: str,
    hook: bool,
) -> None:
    if a.get("operationId") != b.get("operationId"):
        d.add(
            f"{ptr}/operationId",
            R.OPERATION_ID_CHANGED,
            f"The operationId of {what} changed "
            f"from `{a.get('operationId')}` to `{b.get('operationId')}`.",
            COMPATIBLE,
        )
    if json_key(a.get("tags")) != json_key(b.get("tags")):
        d.add(f"{ptr}/tags", R.OPERATION_TAGS_CHANGED, f"The tags of {what} changed.", COMPATIBLE)
    if bool(a.get("deprecated")) != bool(b.get("deprecated")):
        state = "is now deprecated" if b.get("deprecated") else "is no longer deprecated"
        d.add(f"{ptr}/deprecated", R.OPERATION_DEPRECATION_CHANGED, f"{what} {state}.", COMPATIBLE)
    request: Direction = "response" if hook else "request"
    before, after = _params(d, item_a, a, old=True), _params(d, item_b, b, old=False)
    _parameters(d, before, after, ptr, what, request)
    _body(d, a.get("requestBody"), b.get("requestBody"), f"{ptr}/requestBody", what, request)
    compare_responses(
        d, a.get("responses") or {}, b.get("responses") or {}, f"{ptr}/responses", what, hook
    )
    compare_security(d, a, b, ptr, what)
    for key, rule in R.UNCOMPARED.items():  # rare here: not compared in detail, never missed
        if json_key(a.get(key)) != json_key(b.get(key)):
            d.add(
                f"{ptr}/{key}",
                rule,
                f"The {key} of {what} changed (not compared in detail: review it).",
                BOTH,
            )
    compare_docs(d, a, b, ptr, what)


def _params(
    d: Diff, item: dict[str, Any], op: dict[str, Any], *, old: bool
) -> dict[tuple[str, str], tuple[Any, int]]:
    """(in, name) -> (raw parameter, index); operation-level ones override path-level ones."""
    resolve = d.old_node if old else d.new_node
    found: dict[tuple[str, str], tuple[Any, int]] = {}
    for index, raw in enumerate([*(item.get("parameters") or ()), *(op.get("parameters") or ())]):
        param = resolve(raw) or {}
        found[(str(param.get("in")), str(param.get("name")))] = (raw, index)
    return found


def _parameters(
    d: Diff,
    old: dict[tuple[str, str], tuple[Any, int]],
    new: dict[tuple[str, str], tuple[Any, int]],
    ptr: str,
    what: str,
    direction: Direction,
) -> None:
    """Parameters by (in, name). A webhook's are written by Spaces (`direction` "response")."""
    gone = [k for k in old if k not in new]
    came = [k for k in new if k not in old]
    for key in list(gone):
        renamed = _renamed_to(d, key, old[key][0], [k for k in came], new)
        if renamed is None:
            continue
        gone.remove(key)
        came.remove(renamed)
        # Path parameters: same URL, new argument name. Others: a new name on the wire too.
        impact = CLIENTS if key[0] == "path" else BOTH
        d.add(
            f"{ptr}/parameters/{new[renamed][1]}",
            R.PARAMETER_RENAMED,
            f"The {key[0]} parameter `{key[1]}` of {what} was renamed to `{renamed[1]}`.",
            impact,
        )
    for key in gone:
        d.add(
            f"{ptr}/parameters/{old[key][1]}",
            R.PARAMETER_REMOVED,
            f"The {key[0]} parameter `{key[1]}` was removed from {what}.",
            presence_impact("removed", direction),
        )
    for key in came:
        required = bool((d.new_node(new[key][0]) or {}).get("required"))
        d.add(
            f"{ptr}/parameters/{new[key][1]}",
            R.PARAMETER_ADDED,
            f"{_presence(required)} {key[0]} parameter `{key[1]}` was added to {what}.",
            presence_impact("added-required" if required else "added-optional", direction),
        )
    for key in old:
        if key in new:
            where = f"{ptr}/parameters/{new[key][1]}"
            _parameter(d, old[key][0], new[key][0], where, key, what, direction)


def _renamed_to(
    d: Diff,
    key: tuple[str, str],
    raw: Any,
    came: list[tuple[str, str]],
    new: dict[tuple[str, str], tuple[Any, int]],
) -> tuple[str, str] | None:
    """The added parameter that is `key` under another name: same location and schema."""
    a = d.old_node(raw) or {}
    candidates = [
        k
        for k in came
        if k[0] == key[0]
        and json_key(d.old_node(a.get("schema")))
        == json_key(d.new_node((d.new_node(new[k][0]) or {}).get("schema")))
    ]
    return candidates[0] if len(candidates) == 1 else None


def _parameter(
    d: Diff,
    raw_a: Any,
    raw_b: Any,
    ptr: str,
    key: tuple[str, str],
    what: str,
    direction: Direction,
) -> None:
    if (
        isinstance(raw_a, dict)
        and "$ref" in raw_a
        and raw_a.get("$ref") == (raw_b or {}).get("$ref")
    ):
        ref = str(raw_a["$ref"])
        if not d.first_time(f"{ref}|{direction}"):
            return
        ptr = ref_pointer(ref)
    a, b = d.old_node(raw_a) or {}, d.new_node(raw_b) or {}
    label = f"{key[0]} parameter `{key[1]}`"
    if bool(a.get("required")) != bool(b.get("required")):
        made = bool(b.get("required"))
        d.add(
            f"{ptr}/required",
            R.PARAMETER_REQUIRED_CHANGED,
            f"The {label} of {what} is now {'required' if made else 'optional'}.",
            presence_impact("made-required" if made else "made-optional", direction),
        )
    for field in ("style", "explode", "allowReserved", "content"):
        if json_key(a.get(field)) != json_key(b.get(field)):
            d.add(
                f"{ptr}/{field}",
                R.PARAMETER_SERIALIZATION_CHANGED,
                f"The {field} of the {label} changed: it is written differently on the wire.",
                BOTH,
            )
    if bool(a.get("deprecated")) != bool(b.get("deprecated")):
        d.add(
            f"{ptr}/deprecated",
            R.PARAMETER_DEPRECATION_CHANGED,
            f"The {label} is {'now' if b.get('deprecated') else 'no longer'} deprecated.",
            COMPATIBLE,
        )
    compare_schema(
        d,
        a.get("schema", True),
        b.get("schema", True),
        f"{ptr}/schema",
        f"the {label}",
        frozenset({direction}),
    )
    compare_docs(d, a, b, ptr, f"the {label}")


def _body(d: Diff, raw_a: Any, raw_b: Any, ptr: str, what: str, direction: Direction) -> None:
    if raw_a is None and raw_b is None:
        return
    a, b = d.old_node(raw_a) or {}, d.new_node(raw_b) or {}
    if raw_b is None:
        d.add(ptr, R.REQUEST_BODY_REMOVED, f"The request body of {what} was removed.", CLIENTS)
        return
    if raw_a is None:
        required = bool(b.get("required"))
        d.add(
            ptr,
            R.REQUEST_BODY_ADDED,
            f"{'A required' if required else 'An optional'} request body was added to {what}.",
            presence_impact("added-required" if required else "added-optional", direction),
        )
        return
    if isinstance(raw_a, dict) and "$ref" in raw_a and raw_a.get("$ref") == raw_b.get("$ref"):
        ref = str(raw_a["$ref"])
        if not d.first_time(f"{ref}|{direction}"):
            return
        ptr = ref_pointer(ref)
    if bool(a.get("required")) != bool(b.get("required")):
        made = bool(b.get("required"))
        d.add(
            f"{ptr}/required",
            R.REQUEST_BODY_REQUIRED_CHANGED,
            f"The request body of {what} is now {'required' if made else 'optional'}.",
            presence_impact("made-required" if made else "made-optional", direction),
        )
    compare_content(
        d,
        a.get("content") or {},
        b.get("content") or {},
        f"{ptr}/content",
        f"the request body of {what}",
        direction,
    )
    compare_docs(d, a, b, ptr, f"the request body of {what}")


def _presence(required: bool) -> str:
    return "Required" if required else "Optional"
