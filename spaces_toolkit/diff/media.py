"""Media types of request bodies and responses, with their schemas."""

from __future__ import annotations

from typing import Any

from spaces_toolkit.spec import escape_token as esc

from . import rules as R
from .context import Diff, json_key
from .model import BOTH, CLIENTS, COMPATIBLE, DOCS, Direction, impact_of
from .schemas import compare_schema

__all__ = ["compare_content", "compare_docs"]


def compare_docs(d: Diff, old: dict[str, Any], new: dict[str, Any], ptr: str, what: str) -> None:
    """Descriptions, summaries and examples: documentation only."""
    for key, rule in R.DOCUMENTATION.items():
        if json_key(old.get(key)) != json_key(new.get(key)):
            d.add(f"{ptr}/{key}", rule, f"The {key} of {what} changed.", DOCS)


def compare_content(
    d: Diff, old: dict[str, Any], new: dict[str, Any], ptr: str, what: str, direction: Direction
) -> None:
    """`content` maps of a body written in `direction` (request: by the client)."""
    for media in old:
        if media not in new:
            # A reader that negotiates content (Accept) loses the type; a writer sending it
            # is refused (415) and, under the contract, the reader must refuse it.
            impact = CLIENTS if direction == "response" else impact_of(True, False, direction)
            d.add(
                f"{ptr}/{esc(media)}",
                R.MEDIA_TYPE_REMOVED,
                f"{what} no longer has media type `{media}`.",
                impact,
            )
    for media in new:
        if media not in old:
            impact = COMPATIBLE if direction == "response" else impact_of(False, True, direction)
            d.add(
                f"{ptr}/{esc(media)}",
                R.MEDIA_TYPE_ADDED,
                f"{what} gained media type `{media}`.",
                impact,
            )
            continue
        a, b = old[media] or {}, new[media] or {}
        where = f"{ptr}/{esc(media)}"
        if "schema" in a or "schema" in b:
            compare_schema(
                d,
                a.get("schema", True),
                b.get("schema", True),
                f"{where}/schema",
                f"the `{media}` body of {what}",
                frozenset({direction}),
            )
        if json_key(a.get("encoding")) != json_key(b.get("encoding")):
            d.add(
                f"{where}/encoding",
                R.MEDIA_ENCODING_CHANGED,
                f"The encoding of the `{media}` body of {what} changed: it is written "
                "differently on the wire.",
                BOTH,
            )
        compare_docs(d, a, b, where, f"the `{media}` body of {what}")
