"""One side of a diff: a file, an http(s) URL or a git revision (`main:spec/openapi.yaml`)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

from spaces_toolkit.spec import load_document

__all__ = ["SourceError", "load_side", "read_bytes"]

_URL = re.compile(r"^https?://", re.IGNORECASE)
_TIMEOUT = 30.0


class SourceError(Exception):
    """A side that cannot be read or parsed; the message is one line."""


def read_bytes(source: str) -> bytes:
    """The bytes a side names. A path that exists wins over a git revision of the same text."""
    if _URL.match(source):
        return _fetch(source)
    path = Path(source)
    if path.is_file():
        try:
            return path.read_bytes()
        except OSError as exc:
            raise SourceError(f"cannot read {source}: {exc.strerror or exc}") from None
    if ":" in source:
        return _git_show(source)
    raise SourceError(
        f"{source}: no such file (nor a URL, nor a git revision like main:spec/openapi.yaml)"
    )


def load_side(source: str) -> dict[str, Any]:
    data = read_bytes(source)
    try:
        return load_document(data, source)
    except ValueError as exc:
        raise SourceError(str(exc)) from None


def _fetch(url: str) -> bytes:
    import httpx

    try:
        response = httpx.get(url, timeout=_TIMEOUT, follow_redirects=True)
    except httpx.HTTPError as exc:
        raise SourceError(f"cannot fetch {url}: {type(exc).__name__}: {exc}") from None
    if response.status_code != 200:
        raise SourceError(f"cannot fetch {url}: HTTP {response.status_code}")
    return response.content


def _git_show(spec: str) -> bytes:
    revision, _, path = spec.partition(":")
    # `git show REV:./path` reads the path relative to the working directory, as a user means it.
    target = f"{revision}:{path if path.startswith(('./', '../')) else './' + path}"
    if Path(path).is_absolute():
        raise SourceError(f"{spec}: a git revision's path must be relative")
    try:
        done = subprocess.run(
            ["git", "show", target], capture_output=True, timeout=_TIMEOUT, check=False
        )
    except FileNotFoundError:
        raise SourceError(f"{spec}: git is not installed") from None
    except subprocess.TimeoutExpired:
        raise SourceError(f"{spec}: git show timed out") from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SourceError(f"{spec}: {reason[-1] if reason else 'git show failed'}")
    return done.stdout
