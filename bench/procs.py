"""Starting and stopping the servers under test as child processes on loopback.

Every child is started in its own process group and stopped (TERM, then KILL) by its own id when
the benchmark leaves its `with` block, whatever happened inside it."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx

from testing.support import free_port  # re-exported: the bench modules take it from here

__all__ = [
    "ROOT",
    "PYTHON",
    "GENERATED",
    "free_port",
    "child_server",
    "stop_process",
    "wait_http",
    "reference_server",
    "cpu_seconds",
    "import_client",
]

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ROOT / "generated" / "python"
PYTHON = sys.executable
HOST = "127.0.0.1"


def wait_http(url: str, *, timeout: float, headers: dict[str, str] | None = None) -> None:
    """Poll `url` until it answers (any status), or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            httpx.get(url, headers=headers, timeout=2.0)
            return
        except httpx.HTTPError as exc:
            last = exc
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s ({last})")


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    """TERM the process group `proc` leads (started with start_new_session), then KILL."""
    _stop(proc)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@contextlib.contextmanager
def child_server(
    argv: Sequence[str],
    ready_url: str,
    *,
    timeout: float = 60.0,
    env: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `argv` (a server) until the block ends; wait until `ready_url` answers first."""
    # Output goes to an unnamed temporary file: a pipe nobody reads would fill up and stall
    # the server under load.
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        list(argv),
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
        start_new_session=True,
    )
    try:
        try:
            wait_http(ready_url, timeout=timeout, headers=headers)
        except RuntimeError:
            _stop(proc)
            log.seek(0)
            err = log.read().decode(errors="replace")
            raise RuntimeError(f"{argv[0]} did not start: {err.strip()[-2000:]}") from None
        yield proc
    finally:
        _stop(proc)
        log.close()


@contextlib.contextmanager
def reference_server(db: Path, headers: dict[str, str]) -> Iterator[tuple[str, int]]:
    """`spaces serve` on `db` (logging at warning level, as a benchmark should run it).

    Yields (base URL ending in /api/v1, process id)."""
    port = free_port()
    argv = [PYTHON, "-m", "spaces_toolkit.cli", "serve", "--db", str(db), "--port", str(port)]
    argv += ["--log-level", "warning"]
    base = f"http://{HOST}:{port}/api/v1"
    with child_server(argv, f"{base}/customers?limit=1", headers=headers) as proc:
        yield base, proc.pid


def cpu_seconds(pid: int) -> float:
    """User + system CPU time process `pid` has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def import_client():  # -> the spaces_client module
    """The generated client package (generated/python), or Skip when it is not generated yet."""
    import importlib

    from .context import Skip

    if str(GENERATED) not in sys.path:
        sys.path.insert(0, str(GENERATED))
    try:
        return importlib.import_module("spaces_client")
    except ImportError as exc:
        raise Skip(f"the generated client does not import yet ({exc})") from None
