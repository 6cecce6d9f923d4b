"""The two documents being compared, the changes found so far, and how to reach $ref targets."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from spaces_toolkit.spec import Spec, resolve

from .model import COMPATIBLE, Change, Direction, Impact, impact_of
from .rules import Rule

__all__ = ["Diff", "Dirs", "json_key", "quote", "schema_ref_name"]

Dirs = frozenset[Direction]

# The component a schema `$ref` names (percent-decoded, as the model reads every `$ref`).
schema_ref_name = Spec.schema_name


def json_key(value: Any) -> str:
    """A hashable, order-independent spelling of a JSON value (for enum and const values)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def quote(value: Any, limit: int = 60) -> str:
    """A value as a code span; a long one (a pattern, a text) cut short: the pointer says where."""
    text = value if isinstance(value, str) else json_key(value)
    return f"`{text}`" if len(text) <= limit else f"`{text[: limit - 1]}…`"


@dataclass
class Diff:
    old: dict[str, Any]
    new: dict[str, Any]
    changes: list[Change] = field(default_factory=list)
    compared: set[str] = field(default_factory=set)  # shared components already compared
    notes: list[str] = field(default_factory=list)  # what could not be compared, and why

    def first_time(self, key: str) -> bool:
        """True once per key: a component referenced from many places is compared once."""
        if key in self.compared:
            return False
        self.compared.add(key)
        return True

    def old_node(self, node: Any) -> Any:
        return resolve(self.old, node)

    def new_node(self, node: Any) -> Any:
        return resolve(self.new, node)

    def add(self, pointer: str, rule: Rule, message: str, impact: Impact) -> None:
        self.changes.append(Change(pointer, rule.id, message, impact))

    def moved(
        self,
        pointer: str,
        rule: Rule,
        message: str,
        dirs: Iterable[Direction],
        *,
        narrows: bool,
        widens: bool,
    ) -> None:
        """A change of the values a schema allows, judged by who writes them (`dirs`)."""
        impact = COMPATIBLE
        for direction in dirs:
            impact = impact | impact_of(narrows, widens, direction)
        self.add(pointer, rule, message, impact)
