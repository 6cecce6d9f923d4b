"""Reading an OpenAPI document: from a file, a URL, or raw text/bytes; and the packaged spec.

The only place in the toolkit that parses YAML (JSON is YAML, so JSON documents read too).
"""

from __future__ import annotations

import hashlib
import os
import re
import urllib.request
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .problems import Problem, SpecError

__all__ = ["SPEC_PATH", "Document", "Source", "load_document", "read_document"]

# The spec the toolkit ships: inside the package so an installed toolkit needs no checkout (in
# the repository a link to spec/openapi.yaml; the sdist and the wheel hold the file).
SPEC_PATH = Path(str(resources.files(__package__).joinpath("openapi.yaml")))

Source = Path | str | bytes
# libyaml's parser when PyYAML was built with it: the same documents, several times faster
# (the spec is parsed at every start of the server, the suite and the generator).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_URL = re.compile(r"^(https?|file)://", re.IGNORECASE)
_URL_TIMEOUT = 30.0


@dataclass(frozen=True)
class Document:
    """A parsed document and where it came from. `content` is the parsed JSON value."""

    content: dict[str, Any]
    sha256: str  # of the bytes read
    label: str  # how output names the document (a relative path, a file name, a URL, "<text>")


def read_document(source: Source, *, label: str | None = None) -> Document:
    """Read and parse a document without validating it. Raises SpecError if it cannot be read,
    is not YAML/JSON, or is not a mapping.

    `source` is a `Path` (a file), `bytes` (the document itself) or `str`: a URL if it starts
    with http://, https:// or file://, the document itself if it holds a line break or starts
    with `{`, a file path otherwise.
    """
    raw, default_label = _read(source)
    try:
        content = yaml.load(raw, Loader=_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise SpecError([Problem("", f"not valid YAML{where}: {problem}")]) from None
    if not isinstance(content, dict):
        raise SpecError([Problem("", "not an OpenAPI document (expected a mapping at the top)")])
    return Document(content, hashlib.sha256(raw).hexdigest(), label or default_label)


def _read(source: Source) -> tuple[bytes, str]:
    if isinstance(source, bytes):
        return source, "<bytes>"
    if isinstance(source, str) and _URL.match(source):
        try:
            with urllib.request.urlopen(source, timeout=_URL_TIMEOUT) as answer:  # noqa: S310
                return answer.read(), source
        except (OSError, ValueError) as exc:
            raise SpecError([Problem("", f"cannot read {source}: {exc}")]) from None
    if isinstance(source, str) and ("\n" in source or source.lstrip().startswith("{")):
        return source.encode("utf-8"), "<text>"
    path = Path(source)
    try:
        return path.read_bytes(), path_label(path)
    except OSError as exc:
        raise SpecError([Problem("", f"cannot read {path}: {exc.strerror or exc}")]) from None


def path_label(path: Path) -> str:
    """The path relative to the working directory, or its file name if outside it (generated
    files name their spec, and must never name a path of the machine they were made on)."""
    try:
        if path.resolve().is_relative_to(Path.cwd().resolve()):
            return Path(os.path.relpath(path.resolve(), Path.cwd())).as_posix()
    except ValueError:
        pass
    return path.name


def load_document(data: str | bytes, source: str) -> dict[str, Any]:
    """Parse a document's text (a URL's body, a git revision's blob) without validating it.
    Raises ValueError naming `source` when it is not YAML/JSON or not a mapping."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        return read_document(raw, label=source).content
    except SpecError as exc:
        raise ValueError(f"{source}: {exc.problems[0].message}") from None
