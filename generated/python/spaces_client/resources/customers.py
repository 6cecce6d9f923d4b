# Generated from spec/openapi.yaml (sha256 bdfe8b9249afea646b434ebfe373609493d5daf563a0ed766c25ae5aeb8b7593) by the generator.
# Do not edit: change the spec and run `make`.
"""Customers of the user's Spaces. Read only."""

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
    from ..models import Customer

__all__ = [
    "CustomersResource",
    "AsyncCustomersResource",
    "CustomersResourceWithRawResponse",
    "AsyncCustomersResourceWithRawResponse",
]


class CustomersResource(SyncAPIResource):
    """Customers of the user's Spaces. Read only."""

    def list(
        self,
        *,
        limit: int | None = None,
        starting_after: str | None = None,
        starting_before: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> SyncPage[Customer]:
        """List all customers

        Returns a list of all customers.

        Args:
          limit: A limit on the number of objects to be returned, between 1 and 100.

          starting_after: A cursor: the id of the object to paginate after. Having `obj_bar`, the next page is `starting_after=obj_bar`. Cannot be combined with `starting_before`.

          starting_before: A cursor: the id of the object to paginate before. Having `obj_bar`, the previous page is `starting_before=obj_bar`. Cannot be combined with `starting_after`.

        Returns a page; iterating it yields every item, fetching the following pages as needed.

        Per-request options: `extra_headers`, `extra_query`, `timeout` and `max_retries` (non-idempotent requests are retried only when `max_retries` is given).
        """
        from ..models import CustomerList

        return cast(
            "SyncPage[Customer]",
            self._client.request_page(
                "GET",
                "/customers",
                cursor=Cursor(CustomerList, "starting_after", "starting_before", ("id",)),
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
        id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> Customer:
        """Retrieve a customer

        Returns a specified customer. The customer id is unique among all Spaces for a user.

        Args:
          id: The id of the customer.

        Per-request options: `extra_headers`, `extra_query`, `timeout` and `max_retries` (non-idempotent requests are retried only when `max_retries` is given).
        """
        from ..models import Customer

        return cast(
            "Customer",
            self._client.request(
                "GET",
                f"/customers/{path_param(id, 'id')}",
                cast_to=Customer,
                options=RequestOptions(
                    extra_headers=extra_headers,
                    extra_query=extra_query,
                    timeout=timeout,
                    max_retries=max_retries,
                ),
            ),
        )


class AsyncCustomersResource(AsyncAPIResource):
    """Customers of the user's Spaces. Read only."""

    def list(
        self,
        *,
        limit: int | None = None,
        starting_after: str | None = None,
        starting_before: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> AsyncPaginator[Customer]:
        """List all customers

        Returns a list of all customers.

        Args:
          limit: A limit on the number of objects to be returned, between 1 and 100.

          starting_after: A cursor: the id of the object to paginate after. Having `obj_bar`, the next page is `starting_after=obj_bar`. Cannot be combined with `starting_before`.

          starting_before: A cursor: the id of the object to paginate before. Having `obj_bar`, the previous page is `starting_before=obj_bar`. Cannot be combined with `starting_after`.

        Returns a page; iterating it yields every item, fetching the following pages as needed.

        Per-request options: `extra_headers`, `extra_query`, `timeout` and `max_retries` (non-idempotent requests are retried only when `max_retries` is given).
        """
        from ..models import CustomerList

        return AsyncPaginator(
            lambda: self._client.request_page(
                "GET",
                "/customers",
                cursor=Cursor(CustomerList, "starting_after", "starting_before", ("id",)),
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
        id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> Customer:
        """Retrieve a customer

        Returns a specified customer. The customer id is unique among all Spaces for a user.

        Args:
          id: The id of the customer.

        Per-request options: `extra_headers`, `extra_query`, `timeout` and `max_retries` (non-idempotent requests are retried only when `max_retries` is given).
        """
        from ..models import Customer

        return cast(
            "Customer",
            await self._client.request(
                "GET",
                f"/customers/{path_param(id, 'id')}",
                cast_to=Customer,
                options=RequestOptions(
                    extra_headers=extra_headers,
                    extra_query=extra_query,
                    timeout=timeout,
                    max_retries=max_retries,
                ),
            ),
        )


class CustomersResourceWithRawResponse:
    """`customers` methods that return the APIResponse (`.parse()` gives what the method returns)."""

    def __init__(self, customers: CustomersResource) -> None:
        self.list = to_raw_response_wrapper(customers.list)
        self.retrieve = to_raw_response_wrapper(customers.retrieve)


class AsyncCustomersResourceWithRawResponse:
    """`customers` methods that return the APIResponse (`.parse()` gives what the method returns)."""

    def __init__(self, customers: AsyncCustomersResource) -> None:
        self.list = async_to_raw_response_wrapper(customers.list)
        self.retrieve = async_to_raw_response_wrapper(customers.retrieve)
