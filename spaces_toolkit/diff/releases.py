"""Released snapshots of the spec (spec/releases/<version>.yaml) and the history they tell.

The history is the diff between consecutive snapshots, plus what changed since the last one:
everything the changelog and the docs' "Changes" section need, without git.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spaces_toolkit.spec import load_document
from spaces_toolkit.spec.versions import VERSION_KEY, Version, contract_version, parse_version, show

from .compare import compare_documents
from .model import Change

__all__ = ["Release", "history", "load_releases", "releases_dir"]


@dataclass(frozen=True)
class Release:
    version: str
    released: bool  # False: the spec's changes since the last snapshot
    changes: tuple[Change, ...]  # from the previous release (all of them for the first)
    first: bool = False


def releases_dir(spec_path: Path) -> Path:
    return spec_path.parent / "releases"


def load_releases(folder: Path) -> list[tuple[Version, dict[str, Any]]]:
    """Snapshots sorted by version. Raises ValueError if a file's name is not its version."""
    found = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else ():
        version = parse_version(path.stem)
        doc = load_document(path.read_bytes(), str(path))
        if contract_version(doc) != version:
            raise ValueError(f"{path}: info.x-contract-version is not {path.stem}")
        found.append((version, doc))
    return sorted(found, key=lambda item: item[0])


def _changes(old: dict[str, Any], new: dict[str, Any]) -> tuple[Change, ...]:
    """What changed, without the version bump itself (the heading says it)."""
    return tuple(
        c for c in compare_documents(old, new).changes if c.pointer != f"/info/{VERSION_KEY}"
    )


def history(spec: dict[str, Any], folder: Path) -> tuple[Release, ...]:
    """Newest first: the unreleased changes (if any), then each release with its changes."""
    snapshots = load_releases(folder)
    releases: list[Release] = []
    previous: dict[str, Any] | None = None
    for version, doc in snapshots:
        changes = _changes(previous, doc) if previous is not None else ()
        releases.append(Release(show(version), True, changes, first=previous is None))
        previous = doc
    if previous is None:
        return (Release(show(contract_version(spec)), False, (), first=True),)
    pending = _changes(previous, spec)
    if pending:
        releases.append(Release(show(contract_version(spec)), False, pending))
    return tuple(reversed(releases))
