"""Names: turning spec words into Python identifiers, and JSON pointers into text."""

from __future__ import annotations

import keyword
import re

from spaces_toolkit.spec import escape_token, join_pointer

from .runtime_names import request_option_names

__all__ = [
    "escape_pointer",
    "join_pointer",
    "pascal_case",
    "py_identifier",
    "snake_case",
    "split_words",
]

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+")
# Names a generated argument or attribute must not take: Python's own, the per-request options
# every generated method also takes (read from the runtime), and the raw-response accessor.
_RESERVED = frozenset({"self", "cls", "with_raw_response"}) | request_option_names()


def split_words(text: str) -> list[str]:
    """'listCapturedEmails' -> [list, Captured, Emails]; 'Captured Emails' -> [Captured, Emails]."""
    return _WORD.findall(text)


def snake_case(text: str) -> str:
    return "_".join(word.lower() for word in split_words(text))


def pascal_case(text: str) -> str:
    return "".join(word[:1].upper() + word[1:] for word in split_words(text))


def py_identifier(name: str) -> str:
    """A valid, non-keyword Python identifier for a name: 'class' -> 'class_', 'x-y' -> 'x_y'."""
    ident = re.sub(r"\W", "_", name)
    if not ident or ident[0].isdigit():
        ident = f"_{ident}"
    if keyword.iskeyword(ident) or ident in _RESERVED:
        ident = f"{ident}_"
    return ident


# JSON pointers are the spec model's (one escaping rule for the whole toolkit).
escape_pointer = escape_token
