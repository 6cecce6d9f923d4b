# Generated from spec/openapi.yaml (sha256 bdfe8b9249afea646b434ebfe373609493d5daf563a0ed766c25ae5aeb8b7593) by the generator.
# Do not edit: change the spec and run `make`.
"""A subscription is always tied to a customer. Its token is unique only within that
customer, so an individual subscription is always addressed through its customer."""

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
    from ..models import Subscription

__all__ = [
    "SubscriptionsResource",
    "AsyncSubscriptionsResource",
    "SubscriptionsResourceWithRawResponse",
    "AsyncSubscriptionsResourceWithRawResponse",
]


class SubscriptionsResource(SyncAPIResource):
    """A subscription is always tied to a customer. Its token is unique only within that
    customer, so an individual subscription is always addressed through its customer."""

    def retrieve(
        self,
        customer_id: str,
        token: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> Subscription:
        """Retrieve a subscription

        Retrieves a specific subscription. The subscription token is only unique within its
        customer, so the customer is always part of the URI.

        Args:
          customer_id: The id of the customer the subscription belongs to.

          token: The subscription token, unique within the customer.

        Per-request options: `extra_headers`, `extra_query`, `timeout` and `max_retries` (non-idempotent requests are retried only when `max_retries` is given).
        """
        from ..models import Subscription

        return cast(
            "Subscription",
            self._client.request(
                "GET",
                f"/customers/{path_param(customer_id, 'customer_id')}/subscriptions/{path_param(token, 'token')}",
                cast_to=Subscription,
                options=RequestOptions(
                    extra_headers=extra_headers,
                    extra_query=extra_query,
                    timeout=timeout,
                    max_retries=max_retries,
                ),
            ),
        )

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
    ) -> SyncPage[Subscription]:
        """List all subscriptions

        Returns a list of all subscriptions. A cursor is a subscription's `id`, or its `token`
        from a server that sends no `id`.

        Args:
          limit: A limit on the number of objects to be returned, between 1 and 100.

          starting_after: A cursor: the id of the object to paginate after. Having `obj_bar`, the next page is `starting_after=obj_bar`. Cannot be combined with `starting_before`.

          starting_before: A cursor: the id of the object to paginate before. Having `obj_bar`, the previous page is `starting_before=obj_bar`. Cannot be combined with `starting_after`.

        Returns a page; iterating it yields every item, fetching the following pages as needed.

        Per-request options: `extra_headers`, `extra_query`, `timeout` and `max_retries` (non-idempotent requests are retried only when `max_retries` is given).
        """
        from ..models import SubscriptionList

        return cast(
            "SyncPage[Subscription]",
            self._client.request_page(
                "GET",
                "/subscriptions",
                cursor=Cursor(
                    SubscriptionList, "starting_after", "starting_before", ("id", "token")
                ),
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


class AsyncSubscriptionsResource(AsyncAPIResource):
    """A subscription is always tied to a customer. Its token is unique only within that
    customer, so an individual subscription is always addressed through its customer."""

    async def retrieve(
        self,
        customer_id: str,
        token: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> Subscription:
        """Retrieve a subscription

        Retrieves a specific subscription. The subscription token is only unique within its
        customer, so the customer is always part of the URI.

        Args:
          customer_id: The id of the customer the subscription belongs to.

          token: The subscription token, unique within the customer.

        Per-request options: `extra_headers`, `extra_query`, `timeout` and `max_retries` (non-idempotent requests are retried only when `max_retries` is given).
        """
        from ..models import Subscription

        return cast(
            "Subscription",
            await self._client.request(
                "GET",
                f"/customers/{path_param(customer_id, 'customer_id')}/subscriptions/{path_param(token, 'token')}",
                cast_to=Subscription,
                options=RequestOptions(
                    extra_headers=extra_headers,
                    extra_query=extra_query,
                    timeout=timeout,
                    max_retries=max_retries,
                ),
            ),
        )

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
    ) -> AsyncPaginator[Subscription]:
        """List all subscriptions

        Returns a list of all subscriptions. A cursor is a subscription's `id`, or its `token`
        from a server that sends no `id`.

        Args:
          limit: A limit on the number of objects to be returned, between 1 and 100.

          starting_after: A cursor: the id of the object to paginate after. Having `obj_bar`, the next page is `starting_after=obj_bar`. Cannot be combined with `starting_before`.

          starting_before: A cursor: the id of the object to paginate before. Having `obj_bar`, the previous page is `starting_before=obj_bar`. Cannot be combined with `starting_after`.

        Returns a page; iterating it yields every item, fetching the following pages as needed.

        Per-request options: `extra_headers`, `extra_query`, `timeout` and `max_retries` (non-idempotent requests are retried only when `max_retries` is given).
        """
        from ..models import SubscriptionList

        return AsyncPaginator(
            lambda: self._client.request_page(
                "GET",
                "/subscriptions",
                cursor=Cursor(
                    SubscriptionList, "starting_after", "starting_before", ("id", "token")
                ),
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


class SubscriptionsResourceWithRawResponse:
    """`subscriptions` methods that return the APIResponse (`.parse()` gives what the method returns)."""

    def __init__(self, subscriptions: SubscriptionsResource) -> None:
        self.retrieve = to_raw_response_wrapper(subscriptions.retrieve)
        self.list = to_raw_response_wrapper(subscriptions.list)


class AsyncSubscriptionsResourceWithRawResponse:
    """`subscriptions` methods that return the APIResponse (`.parse()` gives what the method returns)."""

    def __init__(self, subscriptions: AsyncSubscriptionsResource) -> None:
        self.retrieve = async_to_raw_response_wrapper(subscriptions.retrieve)
        self.list = async_to_raw_response_wrapper(subscriptions.list)
