# Generated from spec/openapi.yaml (sha256 bdfe8b9249afea646b434ebfe373609493d5daf563a0ed766c25ae5aeb8b7593) by the generator.
# Do not edit: change the spec and run `make`.
"""REST Hooks (http://resthooks.org/): subscribe a target URL to an event type and Spaces
POSTs each matching event to it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, cast

from .._pagination import AsyncPaginator, Cursor, SyncPage
from .._resource import AsyncAPIResource, SyncAPIResource
from .._response import async_to_raw_response_wrapper, to_raw_response_wrapper
from .._types import NOT_GIVEN, Headers, NotGiven, Query, RequestOptions, Timeout

if TYPE_CHECKING:
    # The models module (pydantic classes, built when it is imported) is loaded by the first
    # call that needs it, not when the package is imported: each method imports what it passes
    # at run time itself.
    from ..models import EventType, ResourceSubscription

__all__ = [
    "ResourceSubscriptionsResource",
    "AsyncResourceSubscriptionsResource",
    "ResourceSubscriptionsResourceWithRawResponse",
    "AsyncResourceSubscriptionsResourceWithRawResponse",
]


class ResourceSubscriptionsResource(SyncAPIResource):
    """REST Hooks (http://resthooks.org/): subscribe a target URL to an event type and Spaces
    POSTs each matching event to it."""

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
    ) -> SyncPage[ResourceSubscription]:
        """List all resource subscriptions

        Returns a list of all resource subscriptions.

        Args:
          limit: A limit on the number of objects to be returned, between 1 and 100.

          starting_after: A cursor: the id of the object to paginate after. Having `obj_bar`, the next page is `starting_after=obj_bar`. Cannot be combined with `starting_before`.

          starting_before: A cursor: the id of the object to paginate before. Having `obj_bar`, the previous page is `starting_before=obj_bar`. Cannot be combined with `starting_after`.

        Returns a page; iterating it yields every item, fetching the following pages as needed.

        Per-request options: `extra_headers`, `extra_query`, `timeout` and `max_retries` (non-idempotent requests are retried only when `max_retries` is given).
        """
        from ..models import ResourceSubscriptionList

        return cast(
            "SyncPage[ResourceSubscription]",
            self._client.request_page(
                "GET",
                "/resource_subscriptions",
                cursor=Cursor(
                    ResourceSubscriptionList, "starting_after", "starting_before", ("id",)
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

    def create(
        self,
        *,
        event: EventType
        | Literal[
            "customer.created",
            "invoice.created",
            "invoice.paid",
            "subscription.created",
            "captured_email.created",
        ],
        target_url: str,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> ResourceSubscription:
        """Create a resource subscription

        Subscribes `target_url` to an event type (REST Hooks). Responds with `200 OK` and the
        full resource subscription object if valid, or fails with an error status code.
        The documented request is form-encoded (`curl -d`); a JSON body is accepted as well.

        Args:
          event: The type of an event.

          target_url: The target URL to send webhooks to (http or https).

        Per-request options: `extra_headers`, `extra_query`, `timeout` and `max_retries` (non-idempotent requests are retried only when `max_retries` is given).
        """
        from ..models import ResourceSubscription

        return cast(
            "ResourceSubscription",
            self._client.request(
                "POST",
                "/resource_subscriptions",
                cast_to=ResourceSubscription,
                body={
                    "event": event,
                    "target_url": target_url,
                },
                content_type="application/json",
                options=RequestOptions(
                    extra_headers=extra_headers,
                    extra_query=extra_query,
                    timeout=timeout,
                    max_retries=max_retries,
                ),
            ),
        )


class AsyncResourceSubscriptionsResource(AsyncAPIResource):
    """REST Hooks (http://resthooks.org/): subscribe a target URL to an event type and Spaces
    POSTs each matching event to it."""

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
    ) -> AsyncPaginator[ResourceSubscription]:
        """List all resource subscriptions

        Returns a list of all resource subscriptions.

        Args:
          limit: A limit on the number of objects to be returned, between 1 and 100.

          starting_after: A cursor: the id of the object to paginate after. Having `obj_bar`, the next page is `starting_after=obj_bar`. Cannot be combined with `starting_before`.

          starting_before: A cursor: the id of the object to paginate before. Having `obj_bar`, the previous page is `starting_before=obj_bar`. Cannot be combined with `starting_after`.

        Returns a page; iterating it yields every item, fetching the following pages as needed.

        Per-request options: `extra_headers`, `extra_query`, `timeout` and `max_retries` (non-idempotent requests are retried only when `max_retries` is given).
        """
        from ..models import ResourceSubscriptionList

        return AsyncPaginator(
            lambda: self._client.request_page(
                "GET",
                "/resource_subscriptions",
                cursor=Cursor(
                    ResourceSubscriptionList, "starting_after", "starting_before", ("id",)
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

    async def create(
        self,
        *,
        event: EventType
        | Literal[
            "customer.created",
            "invoice.created",
            "invoice.paid",
            "subscription.created",
            "captured_email.created",
        ],
        target_url: str,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> ResourceSubscription:
        """Create a resource subscription

        Subscribes `target_url` to an event type (REST Hooks). Responds with `200 OK` and the
        full resource subscription object if valid, or fails with an error status code.
        The documented request is form-encoded (`curl -d`); a JSON body is accepted as well.

        Args:
          event: The type of an event.

          target_url: The target URL to send webhooks to (http or https).

        Per-request options: `extra_headers`, `extra_query`, `timeout` and `max_retries` (non-idempotent requests are retried only when `max_retries` is given).
        """
        from ..models import ResourceSubscription

        return cast(
            "ResourceSubscription",
            await self._client.request(
                "POST",
                "/resource_subscriptions",
                cast_to=ResourceSubscription,
                body={
                    "event": event,
                    "target_url": target_url,
                },
                content_type="application/json",
                options=RequestOptions(
                    extra_headers=extra_headers,
                    extra_query=extra_query,
                    timeout=timeout,
                    max_retries=max_retries,
                ),
            ),
        )


class ResourceSubscriptionsResourceWithRawResponse:
    """`resource_subscriptions` methods that return the APIResponse (`.parse()` gives what the method returns)."""

    def __init__(self, resource_subscriptions: ResourceSubscriptionsResource) -> None:
        self.list = to_raw_response_wrapper(resource_subscriptions.list)
        self.create = to_raw_response_wrapper(resource_subscriptions.create)


class AsyncResourceSubscriptionsResourceWithRawResponse:
    """`resource_subscriptions` methods that return the APIResponse (`.parse()` gives what the method returns)."""

    def __init__(self, resource_subscriptions: AsyncResourceSubscriptionsResource) -> None:
        self.list = async_to_raw_response_wrapper(resource_subscriptions.list)
        self.create = async_to_raw_response_wrapper(resource_subscriptions.create)
