"""Results of a run: rows of (metric, ours, baseline, ratio, goal), printed as a table and kept
in bench/results.json, from which bench/RESULTS.md is written.

A run of some benchmarks replaces only those benchmarks' entries in results.json; every ratio
in a row comes from one run (baseline and ours measured side by side)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .stats import Goal, Summary, ratio

__all__ = ["Row", "Section", "format_table", "merge_results", "render_markdown", "NOTES_MARKER"]

NOTES_MARKER = (
    "<!-- Notes below this line are written by hand and kept when the file is rewritten -->"
)


@dataclasses.dataclass(frozen=True)
class Row:
    metric: str
    ours: Summary
    baseline: Summary | None = None
    baseline_name: str = ""
    goal: Goal | None = None
    # Per-repetition ratios of back-to-back runs (see stats.paired_ratios); when given, the
    # ratio column is their median rather than the ratio of the two medians.
    paired: Summary | None = None

    @property
    def ratio(self) -> float | None:
        if self.paired is not None:
            return self.paired.median
        return None if self.baseline is None else ratio(self.ours, self.baseline)

    @property
    def met(self) -> bool | None:
        return None if self.goal is None else self.goal.met(self.ours, self.ratio)

    def cells(self) -> list[str]:
        base = "—" if self.baseline is None else self.baseline.text()
        if self.baseline is not None and self.baseline_name:
            base = f"{base} ({self.baseline_name})"
        r = self.ratio
        verdict = {True: "met", False: "MISSED", None: ""}[self.met]
        return [
            self.metric,
            self.ours.text(),
            base,
            "—" if r is None else f"{r:.2f}×" + self._ratio_spread(),
            "—" if self.goal is None else self.goal.describe(),
            verdict,
        ]

    def _ratio_spread(self) -> str:
        if self.paired is None or self.paired.n < 2:
            return ""
        return f" ±{self.paired.spread * 50:.0f}%"

    def to_json(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "paired": None if self.paired is None else dataclasses.asdict(self.paired),
            "ours": dataclasses.asdict(self.ours),
            "baseline": None if self.baseline is None else dataclasses.asdict(self.baseline),
            "baseline_name": self.baseline_name,
            "goal": None if self.goal is None else dataclasses.asdict(self.goal),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Row:
        return cls(
            metric=data["metric"],
            ours=Summary(**data["ours"]),
            baseline=None if data["baseline"] is None else Summary(**data["baseline"]),
            baseline_name=data.get("baseline_name", ""),
            goal=None if data["goal"] is None else Goal(**data["goal"]),
            paired=None if data.get("paired") is None else Summary(**data["paired"]),
        )


@dataclasses.dataclass
class Section:
    """One benchmark's rows and remarks from one run."""

    key: str
    title: str
    rows: list[Row] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)
    date: str = ""
    quick: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "date": self.date,
            "quick": self.quick,
            "rows": [r.to_json() for r in self.rows],
            "notes": list(self.notes),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Section:
        return cls(
            key=data["key"],
            title=data["title"],
            rows=[Row.from_json(r) for r in data["rows"]],
            notes=list(data.get("notes", [])),
            date=data.get("date", ""),
            quick=bool(data.get("quick", False)),
        )


HEADER = ["metric", "ours", "baseline", "ratio", "goal", ""]


def format_table(rows: Iterable[Row]) -> str:
    """A plain-text table for the terminal."""
    body = [HEADER, *(r.cells() for r in rows)]
    widths = [max(len(line[i]) for line in body) for i in range(len(HEADER))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) for line in body
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def merge_results(path: Path, sections: Sequence[Section], machine: dict[str, str]) -> dict:
    """Replace the given sections in the results file (keeping the others) and return it."""
    data: dict[str, Any] = {"machine": {}, "sections": {}}
    if path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            pass
    data.setdefault("sections", {})
    for section in sections:
        data["sections"][section.key] = section.to_json() | {"machine": machine}
    data["machine"] = machine
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return data


def _md_escape(cell: str) -> str:
    return cell.replace("|", "\\|")


def render_markdown(
    data: dict[str, Any], order: Sequence[str], intro: str, kept_notes: str = ""
) -> str:
    """RESULTS.md from a results file's contents; `kept_notes` is the hand-written tail."""
    out = [intro.rstrip(), ""]
    machines: dict[str, list[str]] = {}  # the machine's facts -> the sections run on it
    for key in [k for k in order if k in data["sections"]] + sorted(
        k for k in data["sections"] if k not in order
    ):
        facts_json = json.dumps(data["sections"][key].get("machine", {}), sort_keys=True)
        number = str(data["sections"][key].get("title", "")).partition(".")[0]
        machines.setdefault(facts_json, []).append(number if number.isdigit() else key)
    out.append("## Machine")
    out.append("")
    for machine_json in sorted(machines):
        facts = json.loads(machine_json)
        line = "- " + ", ".join(f"{k}: {v}" for k, v in facts.items())
        if len(machines) > 1:  # sections written on different machines: say which where
            run = machines[machine_json]
            line += f" (benchmark{'s' if len(run) > 1 else ''} {', '.join(run)})"
        out.append(line)
    out.append("")
    out.append("## Results")
    out.append("")
    out.append(
        "Medians of the repetitions; `±N%` is half the spread (max − min) over the median."
        " ratio = ours / baseline. Figures are from one run per section, baseline and ours"
        " interleaved in that run."
    )
    out.append("")
    out.append("| " + " | ".join(h or "verdict" for h in HEADER) + " |")
    out.append("|" + "---|" * len(HEADER))
    sections = [data["sections"][k] for k in order if k in data["sections"]]
    for raw in sections:
        section = Section.from_json(raw)
        when = f"{section.date}{', quick' if section.quick else ''}"
        out.append(f"| **{_md_escape(section.title)}** ({when}) |" + " |" * (len(HEADER) - 1))
        for row in section.rows:
            out.append("| " + " | ".join(_md_escape(c) for c in row.cells()) + " |")
    out.append("")
    noted = [Section.from_json(s) for s in sections if s.get("notes")]
    if noted:
        out.append("### Remarks from the run")
        out.append("")
        for section in noted:
            for note in section.notes:
                out.append(f"- {section.title}: {note}")
        out.append("")
    out.append(NOTES_MARKER)
    tail = kept_notes.strip("\n")
    if tail:
        out.append(tail)
    return "\n".join(out).rstrip() + "\n"


def kept_tail(text: str) -> str:
    """The hand-written part of an existing RESULTS.md (after NOTES_MARKER)."""
    _, marker, tail = text.partition(NOTES_MARKER)
    return tail if marker else ""
