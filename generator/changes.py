"""The spec's release history as generator data: the client's CHANGELOG.md and the docs' Changes.

Read from spec/releases/ (snapshots written by `make release`) and the spec itself, compared by
`spaces diff`: no git at generate time, and the same bytes on every run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .load import Problem, SpecError
from .render import environment, render

__all__ = ["ChangeNote", "ReleaseNotes", "load_history", "render_changelog"]

# Section titles, in the order they are listed (spaces_toolkit.diff's categories).
_SECTIONS = (
    ("breaking-for-clients", "Breaking changes for clients"),
    ("breaking-for-servers", "Breaking changes for servers"),
    ("compatible", "Compatible changes"),
    ("documentation-only", "Documentation"),
)


@dataclass(frozen=True)
class ChangeNote:
    pointer: str
    message: str
    also_servers: bool  # listed under clients, breaking servers too


@dataclass(frozen=True)
class ReleaseNotes:
    version: str
    released: bool
    first: bool
    sections: tuple[tuple[str, tuple[ChangeNote, ...]], ...]  # (title, notes), non-empty only

    @property
    def anchor(self) -> str:
        return "changes-" + self.version.replace(".", "-")


def load_history(spec_path: Path, document: dict[str, Any]) -> tuple[ReleaseNotes, ...]:
    """Newest first. () when the spec has neither releases nor a contract version."""
    from spaces_toolkit.diff.releases import history, releases_dir
    from spaces_toolkit.diff.versions import VERSION_KEY

    folder = releases_dir(spec_path)
    if not folder.is_dir() and VERSION_KEY not in (document.get("info") or {}):
        return ()
    try:
        releases = history(document, folder)
    except ValueError as exc:
        raise SpecError([Problem(f"/info/{VERSION_KEY}", str(exc))]) from None
    return tuple(
        ReleaseNotes(
            version=r.version,
            released=r.released,
            first=r.first,
            sections=tuple(
                (
                    title,
                    tuple(
                        ChangeNote(c.pointer, c.message, c.breaks_clients and c.breaks_servers)
                        for c in r.changes
                        if c.category == category
                    ),
                )
                for category, title in _SECTIONS
                if any(c.category == category for c in r.changes)
            ),
        )
        for r in releases
    )


def render_changelog(history: tuple[ReleaseNotes, ...], title: str) -> str:
    """CHANGELOG.md (also the docs' Markdown Changes page)."""
    return render(environment(), "changes/CHANGELOG.md.jinja", history=history, title=title)
