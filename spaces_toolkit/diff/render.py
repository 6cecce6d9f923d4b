"""Render a list of changes as text, Markdown or JSON (one change per entry, worst first)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import IO

from .model import CATEGORIES, TITLES, Change
from .rules import RULES

__all__ = ["FORMATS", "print_rich", "render", "render_rules", "summary"]

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


_STYLES = dict(zip(CATEGORIES, ("bold red", "red", "green", "dim"), strict=True))


def print_rich(
    changes: Sequence[Change], old: str, new: str, notes: Sequence[str], stream: IO[str]
) -> None:
    """The text format's content on a terminal: the headline, then a table per category."""
    from rich.markup import escape

    from spaces_toolkit.console import Column, console, rich_table

    out = console(stream)
    out.print(f"[bold]{escape(old)} -> {escape(new)}[/bold]: {escape(_headline(changes))}")
    for category, items in _grouped(changes):
        style = _STYLES[category]
        out.print(
            rich_table(
                (Column("Where", style="cyan"), Column("Change"), Column("Breaks", style=style)),
                [(f"#{c.pointer}", c.message, _breaks(c)) for c in items],
                title=f"[{style}]{TITLES[category]} ({len(items)})[/]",
            )
        )
    for note in notes:
        out.print(f"[dim]note: {escape(note)}[/dim]")


# How `--list-rules` names the categories a rule can give (model.CATEGORIES, in that order).
_SHORT = dict(zip(CATEGORIES, ("clients", "servers", "compatible", "docs"), strict=True))


def render_rules(fmt: str) -> str:
    """The rule catalogue (`spaces diff --list-rules`): one row per change kind."""
    rules = list(RULES.values())
    if fmt == "json":
        rows = [
            {
                "id": r.id,
                "area": r.area,
                "in": r.message,
                "levels": list(r.levels),
                "title": r.title,
            }
            for r in rules
        ]
        return json.dumps({"rules": rows}, indent=2, ensure_ascii=False) + "\n"
    table = [
        (r.id, r.area, r.message, ", ".join(_SHORT[c] for c in r.levels), r.title) for r in rules
    ]
    head = ("ID", "AREA", "IN", "LEVELS", "TITLE")
    legend = (
        "LEVELS: the categories a change of that kind can get (clients: breaking for clients, "
        "servers: breaking for servers, compatible, docs: documentation only); which one "
        "depends on who writes the values (IN: request, response, either; webhooks flip it)."
    )
    if fmt == "markdown":
        lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
        lines += ["| " + " | ".join((f"`{row[0]}`", *row[1:])) + " |" for row in table]
        return "\n".join([f"# spaces diff rules ({len(rules)})", "", *lines, "", legend]) + "\n"
    widths = [max(len(row[i]) for row in (head, *table)) for i in range(len(head) - 1)]
    lines = [
        "  ".join([*(cell.ljust(w) for cell, w in zip(row, widths, strict=False)), row[-1]])
        for row in (head, *table)
    ]
    return "\n".join([*lines, "", f"{len(rules)} rules. {legend}"]) + "\n"
