"""The README block runner itself: what it parses, what it refuses, and that a session reports a
failing, hanging or unreached block as such and leaves no process behind."""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path

import pytest

from . import blocks as runner
from .blocks import Block, ReadmeError, parse, run_sessions

README = """# Title

Text with `inline` code.

```sh
echo one
```

<!-- readme-test: skip (talks to production) -->
```bash
curl https://example.com
```

<!-- readme-test: file hello.py -->
```python
print("hello")
```

````markdown
```sh
not a block of its own
```
````

```yaml
a: 1
```
"""


def test_blocks_with_their_line_language_and_directive() -> None:
    found = parse(README, "R.md")
    assert [(b.line, b.lang, b.kind) for b in found] == [
        (5, "sh", "shell"),
        (10, "bash", "skip"),
        (15, "python", "file"),
        (19, "markdown", "text"),
        (25, "yaml", "text"),
    ]
    assert found[0].text == "echo one\n"
    assert found[1].skip == "talks to production"
    assert found[2].file_name == "hello.py" and found[2].text == 'print("hello")\n'
    assert found[3].text == "```sh\nnot a block of its own\n```\n"
    assert found[0].where == "R.md:5"


@pytest.mark.parametrize(
    "text, says",
    [
        ("<!-- readme-test: run twice -->\n```sh\nx\n```\n", "R.md:1: unknown readme-test"),
        ("<!-- readme-test: skip -->\n```sh\nx\n```\n", "unknown readme-test directive"),
        ("<!-- readme-test: skip (why) -->\n\n```sh\nx\n```\n", "R.md:1: a readme-test directive"),
        ("<!-- readme-test: skip (why) -->\ntext\n", "right before a fence"),
        ("text\n<!-- readme-test: skip (why) -->\n", "R.md:2: a readme-test directive with no"),
        ("```sh\necho\n", "R.md:1: a fence that is never closed"),
    ],
)
def test_what_it_refuses(text: str, says: str) -> None:
    with pytest.raises(ReadmeError, match=says.replace("(", r"\(")):
        parse(text, "R.md")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (exited, not yet reaped by its parent) counts as gone
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


def _session(tmp_path: Path, text: str) -> tuple[runner.Session, list[Block]]:
    (tmp_path / "R.md").write_text(text, encoding="utf-8")
    [session] = run_sessions(["R.md"], root=tmp_path)
    return session, runner.readme_blocks("R.md", tmp_path)


def test_a_session_shares_its_shell_runs_python_and_files_and_stops_at_a_failure(
    tmp_path: Path,
) -> None:
    pids = tmp_path / "pids"
    text = f"""
```sh
export GREETING=hi
sleep 300 &
echo $! > {pids}
```

<!-- readme-test: file note.txt -->
```text
from a file block
```

```python
import os
print(os.environ["GREETING"], open("note.txt").read().strip(), os.getcwd() != {str(tmp_path)!r})
```

```sh
test -x .venv/bin/spaces && test -f spec/openapi.yaml   # the checkout's files are there
false
echo never
```

```sh
echo not reached
```
"""
    session, found = _session(tmp_path, text)
    outcomes = [session.outcomes[n].status for n in range(len(found))]
    assert outcomes == ["passed", "passed", "passed", "failed", "not reached"]
    assert session.outcomes[2].output == "hi from a file block True"
    assert "never" not in session.outcomes[3].output
    assert session.exit_code == 1
    assert not _alive(int(pids.read_text()))  # the background job was stopped


def test_an_unset_variable_or_a_failing_pipe_fails_the_block(tmp_path: Path) -> None:
    session, _ = _session(tmp_path, "```sh\necho $NOT_SET\n```\n\n```sh\nfalse | true\n```\n")
    assert session.outcomes[0].status == "failed" and "NOT_SET" in session.outcomes[0].output
    session, _ = _session(tmp_path, "```sh\nfalse | true\necho after\n```\n")
    assert session.outcomes[0].status == "failed" and "after" not in session.outcomes[0].output


def test_a_hanging_block_is_stopped_at_the_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "SESSION_TIMEOUT", 3.0)
    pids = tmp_path / "pids"
    text = f"```sh\necho started\n```\n\n```sh\nsleep 300 & echo $! > {pids}\nsleep 300\n```\n"
    started = time.monotonic()
    session, _ = _session(tmp_path, text)
    assert time.monotonic() - started < 60  # stopped, not waited for
    assert session.exit_code is None
    assert [session.outcomes[0].status, session.outcomes[1].status] == ["passed", "timed out"]
    assert not _alive(int(pids.read_text()))


def test_no_spaces_variable_of_the_caller_leaks_into_a_session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPACES_ACCESS_TOKEN", "sk_from_the_caller")
    session, _ = _session(tmp_path, '```sh\ntest -z "${SPACES_ACCESS_TOKEN:-}"\n```\n')
    assert session.outcomes[0].status == "passed", session.outcomes[0].output


def test_isolated_sessions_have_a_loopback_of_their_own(tmp_path: Path) -> None:
    if not runner.can_isolate():
        pytest.skip("no network namespace on this machine: sessions share its loopback")
    with socket.create_server(("127.0.0.1", 0)) as held:
        port = held.getsockname()[1]
        text = (
            f"```python\nimport socket\nsocket.create_server(('127.0.0.1', {port})).close()\n```\n"
        )
        session, _ = _session(tmp_path, text)
    assert session.isolated and session.outcomes[0].status == "passed", session.outcomes[0].output


def test_the_killed_group_is_the_sessions_own(tmp_path: Path) -> None:
    """Stopping a session never signals the test process (it is in another process group)."""
    hit = []
    previous = signal.signal(signal.SIGTERM, lambda *_: hit.append(1))
    try:
        _session(tmp_path, "```sh\nsleep 300 &\n```\n")
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert hit == []


def test_without_a_namespace_sessions_run_on_this_machine_and_refuse_taken_ports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "_ISOLATION", [False])
    session, _ = _session(tmp_path, "```sh\necho here\n```\n")
    assert not session.isolated and session.outcomes[0].output == "here"
    with socket.create_server(("127.0.0.1", 0)) as held:
        port = held.getsockname()[1]
        with pytest.raises(ReadmeError, match=f"R.md: its blocks use 127.0.0.1:{port}, which"):
            _session(tmp_path, f"```sh\ncurl http://127.0.0.1:{port}/\n```\n")
