"""Compare two OpenAPI documents: the entry point that walks every part in a fixed order."""

from __future__ import annotations

from typing import Any

from spaces_toolkit.spec import escape_token as esc

from . import rules as R
from .context import Diff, json_key, quote
from .model import CLIENTS, COMPATIBLE, DOCS, Change, Direction
from .operations import compare_operations
from .schemas import compare_component
from .security import compare_global_security, compare_schemes
from .surface import compare_surface
from .usage import component_directions

__all__ = ["diff_documents"]


def diff_documents(d: Diff) -> list[Change]:
    """Every change from `d.old` to `d.new`, in document order (notes go to `d.notes`)."""
    _info(d)
    _servers(d)
    compare_global_security(d)
    compare_operations(d, "paths")
    compare_operations(d, "webhooks")
    _component_schemas(d)
    compare_schemes(d)
    _tags(d)
    _descriptive(d)
    compare_surface(d)
    return _unique(d.changes)


def _info(d: Diff) -> None:
    a, b = d.old.get("info") or {}, d.new.get("info") or {}
    for key in sorted(set(a) | set(b)):
        if json_key(a.get(key)) != json_key(b.get(key)):
            kind = R.VERSION_CHANGED if "version" in key else R.INFO_CHANGED
            d.add(f"/info/{esc(key)}", kind, f"`info.{key}` {_changed(a, b, key)}.", DOCS)


def _changed(a: dict[str, Any], b: dict[str, Any], key: str) -> str:
    if key not in a:
        return f"was added: {quote(b[key])}"
    if key not in b:
        return "was removed"
    if isinstance(a[key], str) and len(a[key]) > 60:
        return "was reworded"
    return f"changed from {quote(a[key])} to {quote(b[key])}"


def _servers(d: Diff) -> None:
    a = [s.get("url") for s in d.old.get("servers") or () if isinstance(s, dict)]
    b = [s.get("url") for s in d.new.get("servers") or () if isinstance(s, dict)]
    if a[:1] != b[:1]:
        # The generated client's default base URL is the first server.
        d.add(
            "/servers/0/url",
            R.DEFAULT_SERVER_CHANGED,
            f"The first server (the client's default base URL) changed from {a[:1]} to {b[:1]}.",
            CLIENTS,
        )
    for url in a[1:]:
        if url not in b:
            d.add("/servers", R.SERVER_REMOVED, f"Server `{url}` was removed.", CLIENTS)
    for url in b[1:]:
        if url not in a:
            d.add("/servers", R.SERVER_ADDED, f"Server `{url}` was added.", COMPATIBLE)
    if a == b and json_key(d.old.get("servers")) != json_key(d.new.get("servers")):
        d.add("/servers", R.SERVER_DESCRIPTION_CHANGED, "Server descriptions changed.", DOCS)


def _component_schemas(d: Diff) -> None:
    old = (d.old.get("components") or {}).get("schemas") or {}
    new = (d.new.get("components") or {}).get("schemas") or {}
    dirs: dict[str, set[Direction]] = {}
    for doc in (d.old, d.new):
        for name, found in component_directions(doc).items():
            dirs.setdefault(name, set()).update(found)
    renamed = _renamed_schemas(old, new)
    for name in old:
        if name in renamed:
            d.add(
                f"/components/schemas/{esc(renamed[name])}",
                R.SCHEMA_RENAMED,
                f"Schema `{name}` was renamed to `{renamed[name]}`: the wire format is the "
                "same, the generated model's name is not.",
                CLIENTS,
            )
        elif name not in new:
            d.add(
                f"/components/schemas/{esc(name)}",
                R.SCHEMA_REMOVED,
                f"Schema `{name}` was removed (its generated model goes with it).",
                CLIENTS,
            )
    for name in new:
        ptr = f"/components/schemas/{esc(name)}"
        if name not in old and name not in renamed.values():
            d.add(ptr, R.SCHEMA_ADDED, f"Schema `{name}` was added.", COMPATIBLE)
            continue
        if name not in old:
            continue
        compare_component(d, old[name], new[name], ptr, f"`{name}`", frozenset(dirs.get(name, ())))


def _renamed_schemas(old: dict[str, Any], new: dict[str, Any]) -> dict[str, str]:
    """Removed name -> added name, where exactly one added schema has the same content."""
    added: dict[str, list[str]] = {}
    for name in new:
        if name not in old:
            added.setdefault(json_key(new[name]), []).append(name)
    found = {}
    for name in old:
        if name not in new and len(added.get(json_key(old[name]), ())) == 1:
            found[name] = added[json_key(old[name])][0]
    return found if len(set(found.values())) == len(found) else {}


def _tags(d: Diff) -> None:
    a = {t.get("name"): t for t in d.old.get("tags") or () if isinstance(t, dict)}
    b = {t.get("name"): t for t in d.new.get("tags") or () if isinstance(t, dict)}
    for name in sorted(set(a) | set(b), key=str):
        if json_key(a.get(name)) != json_key(b.get(name)):
            d.add(
                "/tags",
                R.TAG_CHANGED,
                f"Tag `{name}` was "
                f"{'added' if name not in a else 'removed' if name not in b else 'reworded'}.",
                DOCS,
            )


def _descriptive(d: Diff) -> None:
    """Parts of the document that only describe: never change what is valid on the wire."""
    for key, rule in R.TOP_LEVEL_DOCS.items():
        if json_key(d.old.get(key)) != json_key(d.new.get(key)):
            d.add(f"/{key}", rule, f"`{key}` changed.", DOCS)
    for key, rule in R.COMPONENT_DOCS.items():
        a = (d.old.get("components") or {}).get(key) or {}
        b = (d.new.get("components") or {}).get(key) or {}
        for name in sorted(set(a) | set(b)):
            if json_key(a.get(name)) != json_key(b.get(name)):
                d.add(
                    f"/components/{key}/{esc(name)}",
                    rule,
                    f"The {key[:-1]} `{name}` changed.",
                    DOCS,
                )


def _unique(changes: list[Change]) -> list[Change]:
    seen: set[tuple[str, str, str]] = set()
    out = []
    for change in changes:
        key = (change.pointer, change.kind, change.message)
        if key not in seen:
            seen.add(key)
            out.append(change)
    return out
