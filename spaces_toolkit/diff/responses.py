"""Responses of an operation: status codes, bodies, headers and links."""

from __future__ import annotations

from typing import Any

from spaces_toolkit.spec import escape_token as esc
from spaces_toolkit.spec import ref_pointer, split_pointer

from . import rules as R
from .context import Diff, json_key
from .media import compare_content, compare_docs
from .model import BOTH, CLIENTS, COMPATIBLE, SERVERS, Direction, Impact
from .schemas import compare_schema

__all__ = ["compare_responses"]


def compare_responses(
    d: Diff, old: dict[str, Any], new: dict[str, Any], ptr: str, what: str, hook: bool
) -> None:
    """`responses` of an operation. For a webhook the receiver writes the response."""
    writer, reader = (CLIENTS, SERVERS) if hook else (SERVERS, CLIENTS)
    direction: Direction = "request" if hook else "response"
    # YAML reads an unquoted 200 as a number: the same status either way.
    old = {str(status): value for status, value in old.items()}
    new = {str(status): value for status, value in new.items()}
    for status in old:
        if status not in new:
            d.add(
                f"{ptr}/{esc(status)}",
                R.STATUS_REMOVED,
                f"{what} no longer responds with status {status}.",
                writer,
            )
    for status in new:
        where = f"{ptr}/{esc(status)}"
        if status not in old:
            success = str(status)[:1] in ("2", "3")
            d.add(
                where,
                R.STATUS_ADDED,
                f"{what} may now respond with status {status}.",
                reader if success else COMPATIBLE,
            )
            continue
        a_raw, b_raw = old[status], new[status]
        if _same_ref(a_raw, b_raw):
            ref = str(b_raw["$ref"])
            if not d.first_time(f"{ref}|{direction}"):
                continue
            where = ref_pointer(ref)
            label = f"response `{split_pointer(where)[-1]}`"
        else:
            label = f"the {status} response of {what}"
        a, b = d.old_node(a_raw) or {}, d.new_node(b_raw) or {}
        compare_content(
            d, a.get("content") or {}, b.get("content") or {}, f"{where}/content", label, direction
        )
        _headers(
            d,
            a.get("headers") or {},
            b.get("headers") or {},
            f"{where}/headers",
            label,
            writer,
            reader,
            direction,
        )
        _links(d, a.get("links") or {}, b.get("links") or {}, f"{where}/links", label)
        compare_docs(d, a, b, where, label)


def _same_ref(a: Any, b: Any) -> bool:
    return (
        isinstance(a, dict)
        and isinstance(b, dict)
        and "$ref" in a
        and a.get("$ref") == b.get("$ref")
    )


def _headers(
    d: Diff,
    old: dict[str, Any],
    new: dict[str, Any],
    ptr: str,
    label: str,
    writer: Impact,
    reader: Impact,
    direction: Direction,
) -> None:
    for name in old:
        if name not in new:
            d.add(
                f"{ptr}/{esc(name)}",
                R.RESPONSE_HEADER_REMOVED,
                f"Header `{name}` was removed from {label}.",
                reader,
            )
    for name in new:
        b = d.new_node(new[name]) or {}
        if name not in old:
            required = bool(b.get("required"))
            d.add(
                f"{ptr}/{esc(name)}",
                R.RESPONSE_HEADER_ADDED,
                f"{'Required' if required else 'Optional'} header `{name}` was added to {label}.",
                writer if required else COMPATIBLE,
            )
            continue
        a = d.old_node(old[name]) or {}
        if bool(a.get("required")) != bool(b.get("required")):
            made = bool(b.get("required"))
            d.add(
                f"{ptr}/{esc(name)}/required",
                R.RESPONSE_HEADER_REQUIRED_CHANGED,
                f"Header `{name}` of {label} is now {'required' if made else 'optional'}.",
                writer if made else reader,
            )
        compare_schema(
            d,
            a.get("schema", True),
            b.get("schema", True),
            f"{ptr}/{esc(name)}/schema",
            f"header `{name}` of {label}",
            frozenset({direction}),
        )
        compare_docs(d, a, b, f"{ptr}/{esc(name)}", f"header `{name}` of {label}")


_LINK_TARGET = ("operationId", "operationRef", "parameters", "requestBody", "server")


def _links(d: Diff, old: dict[str, Any], new: dict[str, Any], ptr: str, label: str) -> None:
    """Links promise a relation clients may follow; the contract suite's stateful phase holds
    servers to each one."""
    for name in old:
        if name not in new:
            d.add(
                f"{ptr}/{esc(name)}",
                R.LINK_REMOVED,
                f"Link `{name}` was removed from {label}; clients following it lose the relation.",
                CLIENTS,
            )
    for name in new:
        b = d.new_node(new[name]) or {}
        if name not in old:
            d.add(
                f"{ptr}/{esc(name)}",
                R.LINK_ADDED,
                f"Link `{name}` was added to {label}; servers must satisfy the new relation.",
                SERVERS,
            )
            continue
        a = d.old_node(old[name]) or {}
        for key in _LINK_TARGET:
            if json_key(a.get(key)) != json_key(b.get(key)):
                d.add(
                    f"{ptr}/{esc(name)}/{key}",
                    R.LINK_CHANGED,
                    f"The {key} of link `{name}` of {label} changed.",
                    BOTH,
                )
        compare_docs(d, a, b, f"{ptr}/{esc(name)}", f"link `{name}`")
