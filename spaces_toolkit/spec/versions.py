"""Semantic versions of the contract (spec/NOTES.md 49): the grammar, and how two compare.

The contract's version is `info.x-contract-version`: `info.version` stays the API version the
wire carries (`api_version`, NOTES 40). The generator gives it to the client it writes;
`spaces_toolkit.diff.versions` decides which bump a list of changes requires.
"""

from __future__ import annotations

import re
from typing import Any, Literal

__all__ = [
    "VERSION_KEY",
    "Bump",
    "Version",
    "bump_between",
    "contract_version",
    "covers",
    "next_version",
    "parse_version",
    "show",
]

VERSION_KEY = "x-contract-version"
Version = tuple[int, int, int]
Bump = Literal["major", "minor", "patch"]
ORDER: dict[str | None, int] = {None: 0, "patch": 1, "minor": 2, "major": 3}
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
    return ORDER[actual] >= ORDER[needed]


def next_version(old: Version, bump: Bump) -> str:
    if bump == "major":
        return f"{old[0] + 1}.0.0"
    if bump == "minor":
        return f"{old[0]}.{old[1] + 1}.0"
    return f"{old[0]}.{old[1]}.{old[2] + 1}"


def show(version: Version) -> str:
    return ".".join(str(part) for part in version)
