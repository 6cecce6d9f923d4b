"""The fenced code blocks of the READMEs, and a runner that runs them the way a reader would.

Parsing. Every fence (```lang ... ```) of a README is a `Block(file, line, lang, text, ...)`.
Shell blocks (sh, bash, shell) and Python blocks (python, py) run; other languages (yaml, ...) are
text. A block may be preceded (on the line right before its fence) by one directive:

    <!-- readme-test: skip (why this block is not run) -->
    <!-- readme-test: file NAME -->

`skip` keeps the block from running and the reason is reported with the test (a production URL,
a PostgreSQL server, a `make` target that runs the whole suite). `file NAME` writes the block to
NAME in the session's directory, where the blocks after it use it (`python receiver.py &`).
Anything else after `readme-test:` is an error, as is a directive with no fence after it.

Running. The blocks of one README run in order as one session, like a reader pasting them into
one terminal: one `bash` process with `set -euo pipefail`, each Python block run by `python`
from that shell (so it sees the variables the shell blocks exported), background jobs (`&`) kept
until the end and then killed with the whole process group, all bounded by a timeout. The
session's directory stands in for the checkout (the checkout's files the blocks use are symlinked
into it; what the blocks write, such as spaces.db, stays there) with the toolkit's .venv/bin
first on PATH and the generated client on PYTHONPATH (as `pip install generated/python` would).
Where the machine allows it (`unshare`), each session gets its own network namespace with only
a loopback interface: the READMEs' fixed ports (8000, 9000, ...) cannot collide with anything
else on the machine, nothing leaves loopback, and sessions run side by side. Elsewhere sessions
run one after another on the machine's own loopback, and a README port already taken fails the
run with a message saying so.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The READMEs whose blocks run, relative to the repository root.
READMES = ("README.md", "spaces_toolkit/server/README.md", "generated/python/README.md")
SHELL = frozenset({"sh", "bash", "shell"})
PYTHON = frozenset({"python", "py"})
# What the blocks read from the checkout (symlinked into each session's directory).
CHECKOUT = (".git", ".venv", "Makefile", "pyproject.toml", "requirements.lock", "spec", "generated")
SESSION_TIMEOUT = 180.0  # seconds; a guard against a block that hangs, not a speed goal

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)[^`]*$")
_DIRECTIVE = re.compile(r"^\s*<!--\s*readme-test:\s*(.*?)\s*-->\s*$")
_SKIP = re.compile(r"^skip\s*\((.+)\)$")
_FILE = re.compile(r"^file\s+([\w.-]+)$")
_MARK = "##readme-test##"


class ReadmeError(ValueError):
    """A README whose blocks or directives cannot be read: `file:line: what`."""


@dataclasses.dataclass(frozen=True)
class Block:
    file: str  # relative to the repository root
    line: int  # of the opening fence, 1-based
    lang: str
    text: str
    skip: str | None = None  # the reason, for `readme-test: skip (reason)`
    file_name: str | None = None  # for `readme-test: file NAME`

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def kind(self) -> str:
        """ "skip", "file", "shell", "python" or "text" (a block that is not code to run)."""
        if self.skip is not None:
            return "skip"
        if self.file_name is not None:
            return "file"
        if self.lang in SHELL:
            return "shell"
        if self.lang in PYTHON:
            return "python"
        return "text"


def parse(text: str, file: str) -> list[Block]:
    """Every fenced block of a Markdown text, with its directive. Raises ReadmeError."""
    lines = text.splitlines()
    blocks: list[Block] = []
    directive: tuple[int, str] | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        found = _DIRECTIVE.match(line)
        if found:
            if directive is not None:
                raise ReadmeError(f"{file}:{directive[0]}: a readme-test directive with no fence")
            directive = (i + 1, found.group(1))
            i += 1
            continue
        fence = _FENCE.match(line)
        if not fence:
            if directive is not None:
                raise ReadmeError(
                    f"{file}:{directive[0]}: a readme-test directive must be on the line"
                    " right before a fence"
                )
            i += 1
            continue
        marker, lang = fence.group(1), fence.group(2).lower()
        end = i + 1
        while end < len(lines) and not (
            lines[end].strip().startswith(marker[0] * len(marker))
            and not lines[end].strip().strip(marker[0])
        ):
            end += 1
        if end == len(lines):
            raise ReadmeError(f"{file}:{i + 1}: a fence that is never closed")
        body = "\n".join(lines[i + 1 : end]) + "\n"
        skip = file_name = None
        if directive is not None:
            skip, file_name = _directive(file, *directive)
        blocks.append(Block(file, i + 1, lang, body, skip, file_name))
        directive = None
        i = end + 1
    if directive is not None:
        raise ReadmeError(f"{file}:{directive[0]}: a readme-test directive with no fence")
    return blocks


def _directive(file: str, line: int, text: str) -> tuple[str | None, str | None]:
    if skip := _SKIP.match(text):
        return skip.group(1).strip(), None
    if named := _FILE.match(text):
        return None, named.group(1)
    raise ReadmeError(
        f"{file}:{line}: unknown readme-test directive {text!r}"
        " (use `skip (reason)` or `file NAME`)"
    )


def readme_blocks(file: str, root: Path = ROOT) -> list[Block]:
    return parse((root / file).read_text(encoding="utf-8"), file)


# ---------------------------------------------------------------- the session script


def script(blocks: Iterable[Block], blocks_dir: Path) -> str:
    """The bash script that runs `blocks` in order (their files written to `blocks_dir`)."""
    parts = [
        "set -euo pipefail",
        # A line `MARK start|end|exit N TIME` between the blocks' output (TIME: bash's clock).
        "__readme_test_mark() {",
        f'  printf \'\\n{_MARK} %s %s %s\\n\' "$1" "$2" "${{EPOCHREALTIME:-0}}"',
        "}",
        "trap '__readme_test_mark exit $?' EXIT",
    ]
    for n, block in enumerate(blocks):
        kind = block.kind
        if kind in ("skip", "text"):
            continue
        parts.append(f"__readme_test_mark start {n}")
        if kind == "shell":
            parts.append(block.text.rstrip("\n"))
        else:
            source = blocks_dir / f"{Path(block.file).name}-{block.line}.{block.lang}"
            source.write_text(block.text, encoding="utf-8")
            if kind == "file":
                parts.append(f"cp {shlex.quote(str(source))} {shlex.quote(block.file_name or '')}")
            else:
                parts.append(f"python {shlex.quote(str(source))}")
        parts.append(f"__readme_test_mark end {n}")
    return "\n".join(parts) + "\n"


# ---------------------------------------------------------------- results


@dataclasses.dataclass
class Outcome:
    """What became of one block in its session."""

    status: str  # "passed", "failed", "timed out", "not reached"
    output: str = ""
    seconds: float | None = None  # from its start to its end (or to the session's)


@dataclasses.dataclass
class Session:
    readme: str
    outcomes: dict[int, Outcome]  # by the block's index in readme_blocks(readme)
    exit_code: int | None  # None: timed out
    seconds: float
    isolated: bool  # in a network namespace of its own


def _outcomes(blocks: list[Block], log: str, exit_code: int | None) -> dict[int, Outcome]:
    outcomes: dict[int, Outcome] = {}
    current: int | None = None
    chunks: dict[int, list[str]] = {}
    started = last = 0.0
    for line in log.split("\n"):  # (not splitlines: a block's output may hold \x1c-\x1e, \x85)
        if line.startswith(_MARK + " "):
            _, what, value, when = line.split(" ", 3)
            last = float(when.replace(",", "."))
            if what == "start":
                current, started = int(value), last
                chunks[current] = []
            elif what == "end" and current is not None:
                outcomes[current] = Outcome("passed", seconds=last - started)
                current = None
            continue
        if current is not None:
            chunks[current].append(line)
    for n, block in enumerate(blocks):
        if block.kind in ("skip", "text"):
            continue
        output = "\n".join(chunks.get(n, [])).strip("\n")
        if n in outcomes:
            outcomes[n].output = output
        elif n in chunks:
            status = "timed out" if exit_code is None else "failed"
            outcomes[n] = Outcome(status, output, last - started)
        else:
            outcomes[n] = Outcome("not reached")
    return outcomes


# ---------------------------------------------------------------- running


_LOOPBACK_UP = """
import fcntl, os, socket, struct, sys
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    ifreq = struct.pack("16sH14x", b"lo", 0)
    flags = struct.unpack("16sH14x", fcntl.ioctl(s, 0x8913, ifreq))[1]  # SIOCGIFFLAGS
    fcntl.ioctl(s, 0x8914, struct.pack("16sH14x", b"lo", flags | 1))  # SIOCSIFFLAGS, IFF_UP
os.execvp(sys.argv[1], sys.argv[1:])
"""


def _netns_prefix() -> list[str]:
    """The command prefix that runs a command in a network namespace of its own with loopback up."""
    unshare = ["unshare", "--net"] + ([] if os.geteuid() == 0 else ["--map-root-user"])
    return [*unshare, "--", sys.executable, "-c", _LOOPBACK_UP]


_ISOLATION: list[bool] = []


def can_isolate() -> bool:
    """Whether this machine lets us make a network namespace (checked once)."""
    if not _ISOLATION:
        ok = shutil.which("unshare") is not None
        if ok:
            bind = "import socket; socket.create_server(('127.0.0.1', 8000)).close()"
            probe = [*_netns_prefix(), sys.executable, "-c", bind]
            ok = subprocess.run(probe, capture_output=True, timeout=30).returncode == 0
        _ISOLATION.append(ok)
    return _ISOLATION[0]


def readme_ports(blocks: Iterable[Block]) -> set[int]:
    return {int(p) for b in blocks for p in re.findall(r"127\.0\.0\.1:(\d+)", b.text)}


def _port_taken(port: int) -> bool:
    """Whether a server could not listen on the port (SO_REUSEADDR, as servers set it: the
    previous session's connections in TIME_WAIT do not count)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def _environment(home: Path) -> dict[str, str]:
    """A reader's shell: the toolkit's venv first on PATH, the generated client importable
    (`pip install generated/python`), output unbuffered as on a terminal, no SPACES_* set."""
    env = {
        "PATH": f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ.get('PATH', os.defpath)}",
        "HOME": os.environ.get("HOME", str(home)),
        "LANG": "C.UTF-8",
        "TERM": "dumb",
        "PYTHONPATH": str(ROOT / "generated" / "python"),
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    if "TMPDIR" in os.environ:
        env["TMPDIR"] = os.environ["TMPDIR"]
    return env


@dataclasses.dataclass
class _Running:
    readme: str
    blocks: list[Block]
    proc: subprocess.Popen[bytes]
    log_path: Path
    started: float
    isolated: bool


def _start(readme: str, root: Path, workdir: Path, isolated: bool) -> _Running:
    blocks = readme_blocks(readme, root)
    session = workdir / "session"
    session.mkdir(parents=True)
    blocks_dir = workdir / "blocks"
    blocks_dir.mkdir()
    for name in CHECKOUT:
        if (ROOT / name).exists():
            (session / name).symlink_to(ROOT / name)
    script_path = workdir / "session.sh"
    script_path.write_text(script(blocks, blocks_dir), encoding="utf-8")
    log_path = workdir / "session.log"
    command = ["bash", str(script_path)]
    if isolated:
        command = [*_netns_prefix(), *command]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            command,
            cwd=session,
            env=_environment(workdir),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: background jobs are killed with it
        )
    return _Running(readme, blocks, proc, log_path, time.monotonic(), isolated)


def _members(pgid: int) -> list[int]:
    """The live (not zombie) processes of a process group, read from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # gone meanwhile
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            found.append(int(stat.parent.name))
    return found


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM every process of the session (listen removes its subscriptions), then SIGKILL
    what is left; the group is the session's own (start_new_session), never the caller's."""
    for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            proc.poll()  # reap the shell itself
            if not _members(proc.pid):
                return
            time.sleep(0.05)


def _finish(running: _Running, exit_code: int | None) -> Session:
    """The session's outcome once its shell has exited (or overrun: exit_code None); every
    process it left (background jobs) is stopped first."""
    seconds = time.monotonic() - running.started
    _kill_group(running.proc)
    running.proc.wait()
    log = running.log_path.read_text(encoding="utf-8", errors="replace")
    outcomes = _outcomes(running.blocks, log, exit_code)
    return Session(running.readme, outcomes, exit_code, seconds, running.isolated)


def _wait(runnings: list[_Running]) -> list[Session]:
    """Wait for the sessions side by side; each one's processes are stopped as soon as its
    shell exits or its time is up."""
    done: dict[int, Session] = {}
    while len(done) < len(runnings):
        for i, running in enumerate(runnings):
            if i in done:
                continue
            code = running.proc.poll()
            if code is not None or time.monotonic() - running.started > SESSION_TIMEOUT:
                done[i] = _finish(running, code)
        time.sleep(0.05)
    return [done[i] for i in range(len(runnings))]


def run_sessions(readmes: Iterable[str], root: Path = ROOT) -> list[Session]:
    """Run each README's session (side by side when isolated, else one after another); the
    READMEs' paths are relative to `root` (the repository)."""
    readmes = list(readmes)
    with tempfile.TemporaryDirectory(prefix="readme-test-") as tmp:
        work = Path(tmp)
        if can_isolate():
            return _wait([_start(r, root, work / str(i), True) for i, r in enumerate(readmes)])
        sessions = []
        for i, readme in enumerate(readmes):
            used = readme_ports(readme_blocks(readme, root))
            taken = sorted(p for p in used if _port_taken(p))
            if taken:
                raise ReadmeError(
                    f"{readme}: its blocks use 127.0.0.1:{taken[0]}, which another program on"
                    " this machine holds (and no network namespace could be made here)"
                )
            sessions += _wait([_start(readme, root, work / str(i), False)])
        return sessions
