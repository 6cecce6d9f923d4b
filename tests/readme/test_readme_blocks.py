"""READMEs are tests: every shell and Python block of README.md, the server's README and the
generated client's README runs, in order, as one session per README against the real sandbox the
blocks themselves start (blocks.py says how). One test per block: a block passes when it ran
and exited 0; a block marked `<!-- readme-test: skip (reason) -->` is reported skipped with its
reason; a block after a failed one is reported as not reached.

The blocks' expected output is not compared (other parts of the toolkit change their wording);
the blocks wait for what they promise themselves (`until ...; do sleep 0.2; done`), so a promise
that does not come true hangs the block until the session's timeout and fails it."""

from __future__ import annotations

import subprocess

import pytest

from .blocks import (
    READMES,
    ROOT,
    SESSION_TIMEOUT,
    Block,
    ReadmeError,
    Session,
    readme_blocks,
    run_sessions,
)


def _all_blocks() -> tuple[list[Block], list[str]]:
    blocks, problems = [], []
    for readme in READMES:
        try:
            blocks += readme_blocks(readme)
        except ReadmeError as exc:
            problems.append(str(exc))
    return blocks, problems


BLOCKS, PROBLEMS = _all_blocks()
RUN = [b for b in BLOCKS if b.kind != "text"]


def test_every_readme_reads_cleanly() -> None:
    """Directives well formed, fences closed, every fence names its language."""
    assert not PROBLEMS, "\n".join(PROBLEMS)
    untagged = [b.where for b in BLOCKS if not b.lang]
    assert not untagged, f"fences without a language: {untagged}"


def test_every_readme_has_blocks_that_run() -> None:
    for readme in READMES:
        assert any(b.file == readme and b.kind in ("shell", "python") for b in RUN), readme


def test_every_file_block_is_used_by_a_later_block() -> None:
    for block in RUN:
        name = block.file_name
        if name is None:
            continue
        later = [b for b in RUN if b.file == block.file and b.line > block.line]
        assert any(name in b.text for b in later if b.kind in ("shell", "python")), (
            f"{block.where}: {name} is written but no later block uses it"
        )


@pytest.fixture(scope="module")
def sessions(request: pytest.FixtureRequest) -> dict[str, Session]:
    """The sessions of the READMEs whose blocks this run selected, run once."""
    wanted = {
        params["block"].file
        for item in request.session.items
        if (params := getattr(getattr(item, "callspec", None), "params", {})).get("block")
    }
    stale = subprocess.run(["make", "-q", ".venv/.installed"], cwd=ROOT, capture_output=True)
    if stale.returncode != 0:
        pytest.fail("the toolkit's .venv is older than pyproject.toml: run `make .venv/.installed`")
    try:
        return {s.readme: s for s in run_sessions(r for r in READMES if r in wanted)}
    except ReadmeError as exc:
        pytest.fail(str(exc))


def _tail(text: str, lines: int = 60) -> str:
    kept = text.splitlines()[-lines:]
    return "\n".join(f"    | {line}" for line in kept) or "    | (no output)"


# The first test runs the sessions (its fixture): one after another without a namespace.
@pytest.mark.timeout(len(READMES) * SESSION_TIMEOUT + 60)
@pytest.mark.parametrize("block", RUN, ids=[b.where for b in RUN])
def test_readme_block(block: Block, sessions: dict[str, Session]) -> None:
    if block.skip is not None:
        pytest.skip(f"{block.where} not run: {block.skip}")
    session = sessions[block.file]
    blocks = readme_blocks(block.file)
    outcome = session.outcomes[blocks.index(block)]
    if outcome.status == "passed":
        return
    if outcome.status == "not reached":
        failed = [blocks[n].where for n, o in session.outcomes.items() if o.status != "not reached"]
        pytest.fail(f"{block.where} was not reached: the session stopped after {failed[-1:]}")
    how = (
        f"hung until the session's timeout ({session.seconds:.0f} s)"
        if outcome.status == "timed out"
        else f"exited {session.exit_code}"
    )
    pytest.fail(f"{block.where} ({block.lang}) {how}; its output:\n{_tail(outcome.output)}")
