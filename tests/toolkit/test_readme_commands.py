"""The README's install section names every `spaces` subcommand the parser registers."""

from __future__ import annotations

import re
from pathlib import Path

from spaces_toolkit.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]


def test_the_install_section_lists_every_subcommand() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Installing the toolkit", 1)[1].split("\n### ", 1)[0]
    named = set(re.findall(r"`spaces ([a-z][a-z-]*)`", section))
    action = build_parser({})._subparsers._group_actions[0]  # type: ignore[union-attr]
    assert named == set(action.choices), sorted(set(action.choices) ^ named)
