"""Render a list of changes as text, Markdown or JSON (one change per entry, worst first)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from .model import CATEGORIES, TITLES, Change

__all__ = ["FORMATS", "render", "summary"]

FORMATS = ("text", "markdown", "json")


def summary(changes: Sequence[Change]) -> dict[str, int]:
    """How many changes fall in each category (a change breaking both counts in both)."""
    counts = dict.fromkeys(CATEGORIES, 0)
    for change in changes:
        for category in change.categories:
            counts[category] += 1
    return counts


def _grouped(changes: Sequence[Change]) -> list[tuple[str, list[Change]]]:
    groups = [(c, [ch for ch in changes if ch.category == c]) for c in CATEGORIES]
    return [(c, items) for c, items in groups if items]


def _breaks(change: Change) -> str:
    who = [
        w
        for w, yes in (("clients", change.breaks_clients), ("servers", change.breaks_servers))
        if yes
    ]
    return " and ".join(who) if who else "nobody"


def _headline(changes: Sequence[Change]) -> str:
    counts = summary(changes)
    if not changes:
        return "no changes"
    parts = ", ".join(f"{n} {TITLES[c].lower()}" for c, n in counts.items() if n)
    return f"{len(changes)} change{'s' if len(changes) != 1 else ''}: {parts}"


def render(
    changes: Sequence[Change], fmt: str, old: str, new: str, notes: Sequence[str] = ()
) -> str:
    if fmt == "json":
        return (
            json.dumps(
                {
                    "old": old,
                    "new": new,
                    "summary": summary(changes),
                    "changes": [
                        {
                            "pointer": c.pointer,
                            "kind": c.kind,
                            "message": c.message,
                            "classification": list(c.categories),
                            "breaks_clients": c.breaks_clients,
                            "breaks_servers": c.breaks_servers,
                        }
                        for c in changes
                    ],
                    "notes": list(notes),
                },
                indent=2,
                ensure_ascii=False,
            )
            + "\n"
        )
    if fmt == "markdown":
        lines = [f"# Changes from `{old}` to `{new}`", "", f"{_headline(changes)}."]
        for category, items in _grouped(changes):
            lines += [
                "",
                f"## {TITLES[category]}",
                "",
                "| Where | Change | Breaks |",
                "| --- | --- | --- |",
            ]
            for c in items:
                message = c.message.replace("|", "\\|")
                lines.append(f"| `#{c.pointer}` | {message} | {_breaks(c)} |")
        lines += [f"\n> Note: {note}" for note in notes]
        return "\n".join(lines) + "\n"
    lines = [f"{old} -> {new}: {_headline(changes)}"]
    for category, items in _grouped(changes):
        lines += ["", f"{TITLES[category].upper()} ({len(items)})"]
        for c in items:
            also = " [also breaks servers]" if c.breaks_clients and c.breaks_servers else ""
            lines += [f"  #{c.pointer}", f"      {c.message}{also}"]
    lines += [f"note: {note}" for note in notes]
    return "\n".join(lines) + "\n"
