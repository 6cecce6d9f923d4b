# Generated from spec/openapi.yaml (sha256 7cf6f2b0931feebb31ebd3cfe1b161e4adaa4b86e5628569348ec77b795e6c45) by the generator.
# Do not edit: change the spec and run `make`.
"""Base classes of the generated resources (`client.customers`, ...)."""

from __future__ import annotations

from ._async_client import AsyncAPIClient
from ._sync_client import SyncAPIClient

__all__ = ["AsyncAPIResource", "SyncAPIResource"]


class SyncAPIResource:
    def __init__(self, client: SyncAPIClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} resource>"


class AsyncAPIResource:
    def __init__(self, client: AsyncAPIClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} resource>"
