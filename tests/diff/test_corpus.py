"""`spaces diff` on the corpus: every single-change revision of the spec classified right."""

from __future__ import annotations

from typing import Any

import pytest

from spaces_toolkit.diff import Change

from .corpus import CASES, Case, compared


def _breaks(change: Change) -> frozenset[str]:
    return frozenset(
        who
        for who, yes in (("clients", change.breaks_clients), ("servers", change.breaks_servers))
        if yes
    )


def _show(changes: Any) -> str:
    return "\n".join(f"  {c.kind} #{c.pointer} {sorted(_breaks(c))}: {c.message}" for c in changes)


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40
    assert len({case.kind for case in CASES}) >= 40
    assert len({case.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_single_change_is_classified(case: Case) -> None:
    result = compared(case)[0]
    listing = _show(result.changes)
    assert not result.notes, result.notes
    found = [c for c in result.changes if c.kind == case.kind and c.pointer == case.pointer]
    assert found, f"no {case.kind} at #{case.pointer}; got:\n{listing}"
    change = found[0]
    assert _breaks(change) == case.breaks, f"{change.message} ->\n{listing}"
    if not case.breaks:
        expected = "documentation-only" if case.docs_only else "compatible"
        assert change.categories == (expected,), listing
    # Nothing else in the revision breaks anyone the case does not.
    everyone = frozenset().union(*(_breaks(c) for c in result.changes))
    overall = case.breaks if case.overall is None else case.overall
    assert everyone == overall, f"extra breakage:\n{listing}"


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_reverse_change_is_seen_too(case: Case) -> None:
    """Read backwards, every revision is still a change (removals mirror additions)."""
    assert compared(case)[1].changes
