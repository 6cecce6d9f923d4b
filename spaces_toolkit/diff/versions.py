"""Semantic versions of the contract, and the bump a list of changes requires.

The contract's version is `info.x-contract-version` (spec/NOTES.md 49): `info.version` stays
the API version the wire carries (`api_version`, NOTES 40). The generated client takes the
contract's version. A change breaking clients needs a major bump; any other change of what is
valid (compatible, or breaking only servers) a minor one; a documentation change a patch, since
the generated client and docs change with it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Literal

from .model import Change

__all__ = [
    "VERSION_KEY",
    "Bump",
    "Version",
    "bump_between",
    "contract_version",
    "covers",
    "next_version",
    "parse_version",
    "required_bump",
    "show",
]

VERSION_KEY = "x-contract-version"
Version = tuple[int, int, int]
Bump = Literal["major", "minor", "patch"]
_ORDER: dict[str | None, int] = {None: 0, "patch": 1, "minor": 2, "major": 3}
_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


def parse_version(text: str) -> Version:
    """'1.2.3' -> (1, 2, 3). Raises ValueError for anything else (no pre-release tags)."""
    match = _SEMVER.match(text)
    if not match:
        raise ValueError(f"not a semantic version MAJOR.MINOR.PATCH: {text!r}")
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def contract_version(doc: dict[str, Any]) -> Version:
    value = (doc.get("info") or {}).get(VERSION_KEY)
    if not isinstance(value, str):
        raise ValueError(f"info.{VERSION_KEY} is missing (a semantic version such as 1.0.0)")
    return parse_version(value)


def required_bump(changes: Iterable[Change]) -> Bump | None:
    need: Bump | None = None
    for change in changes:
        if change.kind == "version-changed":
            continue  # the bump itself
        level: Bump = (
            "major" if change.breaks_clients else "patch" if change.impact.docs else "minor"
        )
        if _ORDER[level] > _ORDER[need]:
            need = level
    return need


def bump_between(old: Version, new: Version) -> Bump | None | Literal["downgrade"]:
    if new < old:
        return "downgrade"
    if new[0] > old[0]:
        return "major"
    if new[1] > old[1]:
        return "minor"
    return "patch" if new[2] > old[2] else None


def covers(actual: Bump | None | Literal["downgrade"], needed: Bump | None) -> bool:
    if actual == "downgrade":
        return False
    return _ORDER[actual] >= _ORDER[needed]


def next_version(old: Version, bump: Bump) -> str:
    if bump == "major":
        return f"{old[0] + 1}.0.0"
    if bump == "minor":
        return f"{old[0]}.{old[1] + 1}.0"
    return f"{old[0]}.{old[1]}.{old[2] + 1}"


def show(version: Version) -> str:
    return ".".join(str(part) for part in version)
