"""Load both sides and compare them: what the CLI, `make check-compat` and the changelog call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spaces_toolkit.errors import CLIError

from .context import Diff
from .document import diff_documents
from .model import Change
from .sources import SourceError, load_side

__all__ = ["Comparison", "compare_documents", "compare_sources"]


@dataclass(frozen=True)
class Comparison:
    changes: tuple[Change, ...]
    notes: tuple[str, ...] = ()

    def fails(self, fail_on: str) -> bool:
        if fail_on == "client":
            return any(c.breaks_clients for c in self.changes)
        if fail_on == "server":
            return any(c.breaks_servers for c in self.changes)
        return any(c.breaking for c in self.changes)


def compare_documents(old: dict[str, Any], new: dict[str, Any]) -> Comparison:
    d = Diff(old, new)
    changes = diff_documents(d)
    return Comparison(tuple(changes), tuple(d.notes))


def compare_sources(old: str, new: str) -> Comparison:
    try:
        before, after = load_side(old), load_side(new)
    except SourceError as exc:
        raise CLIError(str(exc)) from None
    return compare_documents(before, after)
