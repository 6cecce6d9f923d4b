"""Hooks for plain Schemathesis users: `st run` against a Spaces API without false failures.

    SCHEMATHESIS_HOOKS=spaces_toolkit.contract.st_hooks \\
        st run spec/openapi.yaml --url "$BASE_URL" --auth "$SPACES_ACCESS_TOKEN:" --checks all

The spec accepts any string as a cursor, yet a server must refuse a cursor that names no object of
the list (spec/NOTES.md 8-9), and both cursors at once (NOTES 9); it may refuse a private
`target_url` (NOTES 39). Without help, `st run --checks all` reports those correct refusals as
`positive_data_acceptance` failures. Before a *positive* case is sent, this module swaps a
generated cursor for a real one of the same list (read once per list from the server, with the
case's own credentials), keeps one cursor when both were generated, moves a private target host
to example.com, and gives a create body whose event and target_url the run already sent a fresh
target_url (a server may refuse a duplicate subscription, NOTES 38): the same repairs `spaces
contract` makes (`inputs`). Like `spaces contract`, it generates no undeclared parameters
(ignoring one is correct) and leaves credentials to `--auth`. Importing it also registers the
suite's own checks (`list_envelope`, `object_types`, `error_json_message`), which `--checks all`
then runs. Negative cases are sent as generated.
"""

from __future__ import annotations

from typing import Any

import httpx
import schemathesis
from schemathesis.hooks import HookContext

from spaces_toolkit.contract import checks as _checks  # noqa: F401  (registers the checks)
from spaces_toolkit.contract.apispec import load_model
from spaces_toolkit.contract.inputs import BodyRepair, CursorPool, _fix_query

__all__ = ["after_load_schema", "before_call"]

_pools: dict[tuple[str, str], CursorPool] = {}
_repair = BodyRepair()  # one `st run` per process: the run's subscriptions


def _pool(case: schemathesis.Case, kwargs: dict[str, Any]) -> CursorPool | None:
    lst = load_model().list_for(case.operation.label)
    if lst is None:
        return None
    base = str(case.operation.base_url or "").rstrip("/")
    key = (base, lst.path)
    if key not in _pools:
        headers = {k: v for k, v in (kwargs.get("headers") or {}).items() if k.lower() != "host"}
        auth = kwargs.get("auth")
        try:
            answer = httpx.get(
                base + lst.path,
                params={lst.limit.name: lst.limit.maximum},
                headers=headers,
                auth=tuple(auth) if isinstance(auth, tuple | list) else None,
                timeout=30,
            )
            ok = answer.status_code == 200
            data = answer.json().get(lst.spec.items_field, []) if ok else []
        except (httpx.HTTPError, ValueError, AttributeError):
            data = []
        cursors = [c for c in map(lst.cursor_of, data) if c is not None]
        _pools[key] = CursorPool(lst.cursors, cursors)
    return _pools[key]


@schemathesis.hook
def after_load_schema(context: HookContext, schema: Any) -> None:
    """Generate no parameters the spec does not declare (the spec does not say a server refuses
    them: ignoring one is correct) and leave credentials to `--auth`, as `spaces contract` does."""
    schema.config.generation.update(allow_extra_parameters=False, with_security_parameters=False)


@schemathesis.hook
def before_call(context: HookContext, case: schemathesis.Case, kwargs: dict[str, Any]) -> None:
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return
    if case.method.upper() == "GET" and isinstance(case.query, dict):
        pool = _pool(case, kwargs)
        if pool is not None:
            _fix_query(case.query, pool)
    _repair(case.body)
