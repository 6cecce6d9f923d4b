# Generated from spec/openapi.yaml (sha256 8390f8e45a0e9101cb1df1fa76e1c2d008f6d3fa35c0d063fdec442e5d689a35) by the generator.
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
