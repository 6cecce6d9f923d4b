# Generated from spec/openapi.yaml (sha256 bdfe8b9249afea646b434ebfe373609493d5daf563a0ed766c25ae5aeb8b7593) by the generator.
# Do not edit: change the spec and run `make`.
"""The user's Spaces. Read only."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from .._base_client import path_param
from .._pagination import AsyncPaginator, Cursor, SyncPage
from .._resource import AsyncAPIResource, SyncAPIResource
from .._response import async_to_raw_response_wrapper, to_raw_response_wrapper
from .._types import NOT_GIVEN, Headers, NotGiven, Query, RequestOptions, Timeout

if TYPE_CHECKING:
    # The models module (pydantic classes, built when it is imported) is loaded by the first
    # call that needs it, not when the package is imported: each method imports what it passes
    # at run time itself.
    from ..models import Space

__all__ = [
    "SpacesResource",
    "AsyncSpacesResource",
    "SpacesResourceWithRawResponse",
    "AsyncSpacesResourceWithRawResponse",
]


class SpacesResource(SyncAPIResource):
    """The user's Spaces. Read only."""

    def list(
        self,
        *,
        limit: int | None = None,
        starting_after: int | None = None,
        starting_before: int | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> SyncPage[Space]:
        """List all Spaces

        Returns a list of all Spaces.

        Args:
          limit: A limit on the number of objects to be returned, between 1 and 100.

          starting_after: A cursor: the id of the Space to paginate after. Cannot be combined with `starting_before`.

          starting_before: A cursor: the id of the Space to paginate before. Cannot be combined with `starting_after`.

        Returns a page; iterating it yields every item, fetching the following pages as needed.

        Per-request options: `extra_headers`, `extra_query`, `timeout` and `max_retries` (non-idempotent requests are retried only when `max_retries` is given).
        """
        from ..models import SpaceList

        return cast(
            "SyncPage[Space]",
            self._client.request_page(
                "GET",
                "/spaces",
                cursor=Cursor(SpaceList, "starting_after", "starting_before", ("id",)),
                query={
                    "limit": limit,
                    "starting_after": starting_after,
                    "starting_before": starting_before,
                },
                options=RequestOptions(
                    extra_headers=extra_headers,
                    extra_query=extra_query,
                    timeout=timeout,
                    max_retries=max_retries,
                ),
            ),
        )

    def retrieve(
        self,
        id: int,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> Space:
        """Retrieve a Space

        Returns a specified Space.

        Args:
          id: The id of the Space (sequential, starting from 1).

        Per-request options: `extra_headers`, `extra_query`, `timeout` and `max_retries` (non-idempotent requests are retried only when `max_retries` is given).
        """
        from ..models import Space

        return cast(
            "Space",
            self._client.request(
                "GET",
                f"/spaces/{path_param(id, 'id')}",
                cast_to=Space,
                options=RequestOptions(
                    extra_headers=extra_headers,
                    extra_query=extra_query,
                    timeout=timeout,
                    max_retries=max_retries,
                ),
            ),
        )


class AsyncSpacesResource(AsyncAPIResource):
    """The user's Spaces. Read only."""

    def list(
        self,
        *,
        limit: int | None = None,
        starting_after: int | None = None,
        starting_before: int | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> AsyncPaginator[Space]:
        """List all Spaces

        Returns a list of all Spaces.

        Args:
          limit: A limit on the number of objects to be returned, between 1 and 100.

          starting_after: A cursor: the id of the Space to paginate after. Cannot be combined with `starting_before`.

          starting_before: A cursor: the id of the Space to paginate before. Cannot be combined with `starting_after`.

        Returns a page; iterating it yields every item, fetching the following pages as needed.

        Per-request options: `extra_headers`, `extra_query`, `timeout` and `max_retries` (non-idempotent requests are retried only when `max_retries` is given).
        """
        from ..models import SpaceList

        return AsyncPaginator(
            lambda: self._client.request_page(
                "GET",
                "/spaces",
                cursor=Cursor(SpaceList, "starting_after", "starting_before", ("id",)),
                query={
                    "limit": limit,
                    "starting_after": starting_after,
                    "starting_before": starting_before,
                },
                options=RequestOptions(
                    extra_headers=extra_headers,
                    extra_query=extra_query,
                    timeout=timeout,
                    max_retries=max_retries,
                ),
            )
        )

    async def retrieve(
        self,
        id: int,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> Space:
        """Retrieve a Space

        Returns a specified Space.

        Args:
          id: The id of the Space (sequential, starting from 1).

        Per-request options: `extra_headers`, `extra_query`, `timeout` and `max_retries` (non-idempotent requests are retried only when `max_retries` is given).
        """
        from ..models import Space

        return cast(
            "Space",
            await self._client.request(
                "GET",
                f"/spaces/{path_param(id, 'id')}",
                cast_to=Space,
                options=RequestOptions(
                    extra_headers=extra_headers,
                    extra_query=extra_query,
                    timeout=timeout,
                    max_retries=max_retries,
                ),
            ),
        )


class SpacesResourceWithRawResponse:
    """`spaces` methods that return the APIResponse (`.parse()` gives what the method returns)."""

    def __init__(self, spaces: SpacesResource) -> None:
        self.list = to_raw_response_wrapper(spaces.list)
        self.retrieve = to_raw_response_wrapper(spaces.retrieve)


class AsyncSpacesResourceWithRawResponse:
    """`spaces` methods that return the APIResponse (`.parse()` gives what the method returns)."""

    def __init__(self, spaces: AsyncSpacesResource) -> None:
        self.list = async_to_raw_response_wrapper(spaces.list)
        self.retrieve = async_to_raw_response_wrapper(spaces.retrieve)
