"""The spec, as the generator reads it: through the toolkit's spec model (spaces_toolkit.spec).

Kept as the generator's own entry point for reading a spec file; parsing, validation and `$ref`
resolution all happen in the model.
"""

from __future__ import annotations

from pathlib import Path

from spaces_toolkit.spec import Document, Problem, SpecError, read_document, validate_document

__all__ = ["LoadedSpec", "Problem", "SpecError", "load_spec", "read_spec", "validate"]

LoadedSpec = Document  # content, sha256 (of the file's bytes), label (relative, never absolute)
read_spec = read_document
validate = validate_document


def load_spec(path: Path) -> Document:
    """Read, parse and validate `path`. Raises SpecError listing every problem found."""
    document = read_document(path)
    problems = validate_document(document.content)
    if problems:
        raise SpecError(problems)
    return document
