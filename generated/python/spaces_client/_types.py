# Copied verbatim from generator/runtime/_types.py by the generator.
# Do not edit this copy: edit generator/runtime/_types.py and run `make`.
"""Types shared by the client's runtime and the generated resources."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

import httpx

__all__ = ["NOT_GIVEN", "Headers", "NotGiven", "Query", "RequestOptions", "Timeout"]


class NotGiven:
    """Marks an argument that was not passed, where None has a meaning (e.g. `timeout=None`)."""

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()

Timeout = float | httpx.Timeout | None
Headers = Mapping[str, str]
Query = Mapping[str, object]


@dataclass(frozen=True)
class RequestOptions:
    """Per-request overrides, passed by every generated method."""

    extra_headers: Headers | None = None
    extra_query: Query | None = None
    timeout: Timeout | NotGiven = NOT_GIVEN
    max_retries: int | NotGiven = NOT_GIVEN
