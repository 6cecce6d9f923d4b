"""Files the installed toolkit reads at run time are exact copies of their one source.

The pairs are the Makefile's PACKAGED list (what `make` copies and `make check` compares), so the
test, the Makefile and the code agree on one list.
"""

from __future__ import annotations

import re
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
    migrations = resources.files("spaces_toolkit.server").joinpath("migrations")
    for dialect in ("sqlite", "postgresql"):
        assert migrations.joinpath(dialect, "0001_initial.sql").is_file()


@pytest.mark.parametrize(("source", "copy"), PAIRS, ids=[c for _, c in PAIRS])
def test_the_packaged_copy_is_its_source(source: str, copy: str) -> None:
    assert (REPO / copy).read_bytes() == (REPO / source).read_bytes(), f"run `make` ({copy})"
