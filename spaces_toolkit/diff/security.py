"""Security: the requirements each operation has, and the schemes they name."""

from __future__ import annotations

from typing import Any

from spaces_toolkit.spec import escape_token as esc

from . import rules as R
from .context import Diff, json_key
from .media import compare_docs
from .model import BOTH, COMPATIBLE, SERVERS, Impact

__all__ = ["compare_global_security", "compare_schemes", "compare_security"]

Alternative = frozenset[tuple[str, tuple[str, ...]]]


def _alternatives(doc: dict[str, Any], op: dict[str, Any]) -> set[Alternative]:
    """The ways to authenticate: each a set of (scheme, scopes); the empty one is anonymous."""
    requirements = op["security"] if "security" in op else doc.get("security")
    if not requirements:  # none, or `security: []`: anonymous access
        return {frozenset()}
    return {
        frozenset((name, tuple(sorted(scopes or ()))) for name, scopes in (req or {}).items())
        for req in requirements
    }


def _say(alt: Alternative) -> str:
    if not alt:
        return "no authentication"
    return " + ".join(f"`{name}`" + (f" ({', '.join(s)})" if s else "") for name, s in sorted(alt))


def _removal(after: set[Alternative]) -> Impact:
    """Dropping a way in breaks clients using it, unless anonymous access is now allowed."""
    return SERVERS if frozenset() in after else BOTH


def compare_security(d: Diff, a: dict[str, Any], b: dict[str, Any], ptr: str, what: str) -> None:
    """An operation's own requirements (the document-wide ones are compared once, at /security)."""
    if "security" not in a and "security" not in b:
        return
    before, after = _alternatives(d.old, a), _alternatives(d.new, b)
    # Dropping a way in breaks clients that use it, and servers that must now refuse it;
    # adding one is a new duty for servers only.
    for alt in sorted(before - after, key=_say):
        d.add(
            f"{ptr}/security",
            R.SECURITY_REMOVED,
            f"{what} no longer accepts {_say(alt)}.",
            _removal(after),
        )
    for alt in sorted(after - before, key=_say):
        d.add(f"{ptr}/security", R.SECURITY_ADDED, f"{what} now accepts {_say(alt)}.", SERVERS)


def compare_global_security(d: Diff) -> None:
    if json_key(d.old.get("security")) == json_key(d.new.get("security")):
        return
    empty: dict[str, Any] = {}
    before, after = _alternatives(d.old, empty), _alternatives(d.new, empty)
    for alt in sorted(before - after, key=_say):
        d.add(
            "/security",
            R.SECURITY_REMOVED,
            f"Operations without their own security no longer accept {_say(alt)}.",
            _removal(after),
        )
    for alt in sorted(after - before, key=_say):
        d.add(
            "/security",
            R.SECURITY_ADDED,
            f"Operations without their own security now accept {_say(alt)}.",
            SERVERS,
        )


_SCHEME_KEYS = ("type", "scheme", "in", "name", "bearerFormat", "flows", "openIdConnectUrl")


def compare_schemes(d: Diff) -> None:
    old = (d.old.get("components") or {}).get("securitySchemes") or {}
    new = (d.new.get("components") or {}).get("securitySchemes") or {}
    for name in sorted(set(old) | set(new)):
        ptr = f"/components/securitySchemes/{esc(name)}"
        if name not in new:
            d.add(ptr, R.SECURITY_SCHEME_REMOVED, f"Security scheme `{name}` was removed.", BOTH)
        elif name not in old:
            d.add(ptr, R.SECURITY_SCHEME_ADDED, f"Security scheme `{name}` was added.", COMPATIBLE)
        else:
            a, b = d.old_node(old[name]) or {}, d.new_node(new[name]) or {}
            for key in _SCHEME_KEYS:
                if json_key(a.get(key)) != json_key(b.get(key)):
                    d.add(
                        f"{ptr}/{key}",
                        R.SECURITY_SCHEME_CHANGED,
                        f"The {key} of security "
                        f"scheme `{name}` changed: credentials are sent differently.",
                        BOTH,
                    )
            compare_docs(d, a, b, ptr, f"security scheme `{name}`")
