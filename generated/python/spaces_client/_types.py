# Generated from spec/openapi.yaml (sha256 306778f641634dc469368ec571533f12e75c3c435caa34b857bd49e88afaf895) by the generator.
# Do not edit: change the spec and run `make`.
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
