"""The bump a list of changes requires (the version grammar is spaces_toolkit.spec.versions).

A change breaking clients needs a major bump; any other change of what is valid (compatible, or
breaking only servers) a minor one; a documentation change a patch, since the generated client
and docs change with it.
"""

from __future__ import annotations

from collections.abc import Iterable

from spaces_toolkit.spec.versions import ORDER, Bump

from .model import Change
from .rules import VERSION_CHANGED

__all__ = ["required_bump"]


def required_bump(changes: Iterable[Change]) -> Bump | None:
    need: Bump | None = None
    for change in changes:
        if change.kind == VERSION_CHANGED.id:
            continue  # the bump itself
        level: Bump = (
            "major" if change.breaks_clients else "patch" if change.impact.docs else "minor"
        )
        if ORDER[level] > ORDER[need]:
            need = level
    return need
