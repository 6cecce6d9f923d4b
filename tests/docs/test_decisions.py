"""The reference shows the rules the spec decided (spec/NOTES.md) as such, beside the rule,
in the Markdown and the HTML alike; rules the docs state carry no such mark."""

from __future__ import annotations

import re

from spaces_toolkit.spec import default_spec

from ._docs import INDEX, MARKDOWN


def _row(markdown: str, name: str) -> str:
    return next(line for line in markdown.splitlines() if line.startswith(f"**{name}** |"))


def test_decided_rules_are_marked_in_the_markdown() -> None:
    subscription = (MARKDOWN / "sections" / "subscription.md").read_text(encoding="utf-8")
    assert "Decision 24 (spec/NOTES.md)" in _row(subscription, "status")
    assert "Decision 14 (spec/NOTES.md)" in _row(subscription, "id")
    assert "(spec/NOTES.md)" not in _row(subscription, "customer")  # the table states it
    readme = (MARKDOWN / "README.md").read_text(encoding="utf-8")
    assert "Decision 10 (spec/NOTES.md)" in _row(readme, "limit")


def test_every_marked_decision_is_an_entry_of_the_notes_and_the_html_agrees() -> None:
    notes = default_spec().notes
    html = INDEX.read_text(encoding="utf-8")
    marked: set[int] = set()
    for text in [html, *(p.read_text(encoding="utf-8") for p in MARKDOWN.rglob("*.md"))]:
        for numbers in re.findall(r"Decisions? ([\d, ]+) \(spec/NOTES\.md\)", text):
            marked |= {int(n) for n in numbers.split(",")}
    assert marked and marked <= set(notes)
    for number in (10, 12, 14, 24, 51):
        assert re.search(rf"Decisions? (\d+, )*{number}\b[\d, ]* \(spec/NOTES\.md\)", html), number
