"""The spec's release history as generator data: the client's CHANGELOG.md and the docs' Changes.

The notes are data handed in by the generator's entry point (`python -m generator`), which reads
them through `spaces diff` (spaces_toolkit.diff.releases): the generator itself does not import
the diff, which imports the generator (its client surface).
"""

from __future__ import annotations

from dataclasses import dataclass

from .render import environment, render

__all__ = ["ChangeNote", "ReleaseNotes", "render_changelog"]


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


def render_changelog(history: tuple[ReleaseNotes, ...], title: str) -> str:
    """CHANGELOG.md (also the docs' Markdown Changes page)."""
    return render(environment(), "changes/CHANGELOG.md.jinja", history=history, title=title)
