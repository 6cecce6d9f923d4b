"""Files the installed toolkit reads at run time are links to their one source, so each file
exists once in git and the package cannot hold a stale copy (the sdist and the wheel hold the
file itself: tests/toolkit/test_install.py).

The pairs are the Makefile's PACKAGED list (what `make` links and `make check` checks), so the
test, the Makefile and the code agree on one list.
"""

from __future__ import annotations

import os
import re
import subprocess
from importlib import resources
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _pairs() -> list[tuple[str, str]]:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    block = re.search(r"^PACKAGED := (.*?)(?<!\\)\n", makefile, re.M | re.S)
    assert block, "Makefile has no PACKAGED list"
    words = block.group(1).replace("\\\n", " ").split()
    return [tuple(word.split(":", 1)) for word in words]  # type: ignore[misc]


PAIRS = _pairs()


def test_the_list_names_what_the_code_reads() -> None:
    from spaces_toolkit.server.settings import DOCS_INDEX
    from spaces_toolkit.spec import SPEC_PATH

    copies = {REPO / copy for _, copy in PAIRS}
    assert {SPEC_PATH.resolve(), DOCS_INDEX.resolve()} <= {c.resolve() for c in copies}
    migrations = resources.files("spaces_toolkit.server.storage").joinpath("migrations")
    for dialect in ("sqlite", "postgresql"):
        assert migrations.joinpath(dialect, "0001_initial.sql").is_file()


@pytest.mark.parametrize(("source", "link"), PAIRS, ids=[c for _, c in PAIRS])
def test_the_packaged_file_is_a_relative_link_to_its_source(source: str, link: str) -> None:
    path = REPO / link
    assert path.is_symlink(), f"{link} is not a link: run `make package-data`"
    target = os.readlink(path)
    assert not os.path.isabs(target), target  # the checkout can move
    assert path.resolve() == (REPO / source).resolve()


@pytest.mark.parametrize(("source", "link"), PAIRS, ids=[c for _, c in PAIRS])
def test_git_holds_the_link_not_a_copy(source: str, link: str) -> None:
    found = subprocess.run(
        ["git", "ls-files", "--stage", "--", link], cwd=REPO, capture_output=True, text=True
    )
    if found.returncode != 0 or not found.stdout:
        pytest.skip("not a git checkout")
    assert found.stdout.split()[0] == "120000", found.stdout  # a symbolic link's mode
