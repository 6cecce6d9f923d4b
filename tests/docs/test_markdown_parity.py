"""The generated Markdown against the original prose docs, section by section: every documented
operation, attribute and event type of the original appears in the generated one.

Operations are compared by what the original's curl example calls (method and path after
`/api/v1`), since the original's headings have typos the spec fixed ("Retreive"); attributes by
their table names (`**items**->**data**`), which the generated tables keep.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ._docs import MARKDOWN, load_spec, original_docs, spec_operations

ORIGINAL = original_docs()
SECTIONS = sorted(p.name for p in (ORIGINAL / "sections").glob("*.md")) if ORIGINAL.is_dir() else []

pytestmark = pytest.mark.skipif(
    not ORIGINAL.is_dir(), reason=f"original docs not found at {ORIGINAL} (SPACES_ORIGINAL_DOCS)"
)

_CURL = re.compile(r"curl\s+(?:-G\s+)?https?://[^/\s]+/api/v1(/\S*)")
_ROW = re.compile(r"^\s*(\*\*[^|]+?)\s*\|", re.M)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8").replace("\r\n", "\n")


def _blocks(text: str) -> list[str]:
    """Code examples: fenced blocks, and runs of tab- or 4-space-indented lines."""
    fenced = re.findall(r"```\w*\n(.*?)```", text, re.S)
    indented = re.findall(
        r"((?:^(?:\t| {4}).*\n?)+)", re.sub(r"```.*?```", "", text, flags=re.S), re.M
    )
    return fenced + indented


def operations(text: str) -> set[tuple[str, str]]:
    found = set()
    for block in _blocks(text):
        match = _CURL.search(block)
        if match:
            method = "POST" if re.search(r"(^|\s)-d\s", block) and " -G" not in block else "GET"
            if re.search(r"-X\s+(\w+)", block):
                method = re.search(r"-X\s+(\w+)", block).group(1)  # type: ignore[union-attr]
            found.add((method, match.group(1).rstrip("\\").rstrip()))
    return found


def _table_after(text: str, heading: str) -> str:
    """The first Markdown table after `heading` (an ATX or setext heading with that text)."""
    match = re.search(rf"^(?:#+\s*)?{re.escape(heading)}[^\n]*\n", text, re.M)
    assert match, f"no heading {heading!r}"
    rest = text[match.end() :]
    table = re.search(r"((?:^.*\|.*\n?)+)", rest, re.M)
    assert table, f"no table after {heading!r}"
    return table.group(1)


def _names(table: str) -> set[str]:
    return {
        re.sub(r"\*\*", "", m.group(1)).replace("->", ".").strip() for m in _ROW.finditer(table)
    }


def attributes(text: str) -> set[str]:
    return _names(_table_after(text, "### Attributes"))


def event_types(text: str) -> set[str]:
    return _names(_table_after(text, "Event types"))


def test_every_section_of_the_original_is_generated() -> None:
    assert SECTIONS, "the original has no sections"
    generated = sorted(p.name for p in (MARKDOWN / "sections").glob("*.md"))
    assert set(SECTIONS) <= set(generated), set(SECTIONS) - set(generated)


@pytest.mark.parametrize("name", SECTIONS)
def test_section_operations(name: str) -> None:
    original = operations(_read(ORIGINAL / "sections" / name))
    generated = operations(_read(MARKDOWN / "sections" / name))
    assert original, f"found no operation in the original {name}"
    assert original <= generated, f"missing from generated {name}: {sorted(original - generated)}"


@pytest.mark.parametrize("name", SECTIONS)
def test_section_attributes(name: str) -> None:
    original = attributes(_read(ORIGINAL / "sections" / name))
    generated = attributes(_read(MARKDOWN / "sections" / name))
    assert original, f"found no attribute in the original {name}"
    assert original <= generated, f"missing from generated {name}: {sorted(original - generated)}"


def test_event_types() -> None:
    original = set()
    for name in SECTIONS:
        text = _read(ORIGINAL / "sections" / name)
        if re.search(r"^Event types\s*$", text, re.M):
            original |= event_types(text)
            assert event_types(_read(MARKDOWN / "sections" / name)) >= original, name
    assert original, "the original lists no event types"


def test_readme() -> None:
    original = _read(ORIGINAL / "README.md")
    generated = _read(MARKDOWN / "README.md")
    # Every endpoint section is linked.
    linked = set(re.findall(r"\(/?sections/([\w.]+\.md)\)", generated))
    assert set(re.findall(r"\(/?sections/([\w.]+\.md)\)", original)) <= linked
    # The topics the original explains.
    for heading in ("Authentication", "Errors", "Versioning", "Pagination"):
        assert re.search(rf"^{heading}\n-+$", generated, re.M), heading
    # Pagination arguments and the list format.
    for table in ("**Pagination Arguments**", "**List Response Format**"):
        want = _names(_table_after(original, table))
        have = _names(_table_after(generated, table))
        assert want <= have, f"{table}: missing {sorted(want - have)}"
    # Every error status of the original (200 is success, not an error response).
    want = set(re.findall(r"^([45]\d\d) [A-Z]", original, re.M))
    have = set(re.findall(r"^([45]\d\d) [A-Z]", generated, re.M))
    assert want <= have, sorted(want - have)
    # The error object.
    assert _names(_table_after(original, "### Error return")) <= _names(
        _table_after(generated, "### Error return")
    )


def test_generated_markdown_documents_every_operation_of_the_spec() -> None:
    """And nothing else: each `METHOD /path` line is an operation of the spec."""
    spec_ops = set(spec_operations(load_spec()).values())
    documented = set()
    for path in (MARKDOWN / "sections").glob("*.md"):
        documented |= {
            (m, p)
            for m, p in re.findall(r"^`(GET|POST|PUT|PATCH|DELETE) (/\S*)`$", _read(path), re.M)
        }
    assert documented == spec_ops
