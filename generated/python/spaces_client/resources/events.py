# Generated from spec/openapi.yaml (sha256 bdfe8b9249afea646b434ebfe373609493d5daf563a0ed766c25ae5aeb8b7593) by the generator.
# Do not edit: change the spec and run `make`.
"""Events are created when something happens to your data, for example when a new customer
has been created. When an event is created, webhooks are sent out for it through the
application webhook URL, the user webhook URLs and/or the REST Hook URLs (resource
subscriptions)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from .._pagination import AsyncPaginator, Cursor, SyncPage
from .._resource import AsyncAPIResource, SyncAPIResource
from .._response import async_to_raw_response_wrapper, to_raw_response_wrapper
from .._types import NOT_GIVEN, Headers, NotGiven, Query, RequestOptions, Timeout

if TYPE_CHECKING:
    # The models module (pydantic classes, built when it is imported) is loaded by the first
    # call that needs it, not when the package is imported: each method imports what it passes
    # at run time itself.
    from ..models import Event

__all__ = [
    "EventsResource",
    "AsyncEventsResource",
    "EventsResourceWithRawResponse",
    "AsyncEventsResourceWithRawResponse",
]


class EventsResource(SyncAPIResource):
    """Events are created when something happens to your data, for example when a new customer
    has been created. When an event is created, webhooks are sent out for it through the
    application webhook URL, the user webhook URLs and/or the REST Hook URLs (resource
    subscriptions)."""

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
    ) -> SyncPage[Event]:
        """List all events

        Returns a list of all events.

        Args:
          limit: A limit on the number of objects to be returned, between 1 and 100.

          starting_after: A cursor: the id of the object to paginate after. Having `obj_bar`, the next page is `starting_after=obj_bar`. Cannot be combined with `starting_before`.

          starting_before: A cursor: the id of the object to paginate before. Having `obj_bar`, the previous page is `starting_before=obj_bar`. Cannot be combined with `starting_after`.

        Returns a page; iterating it yields every item, fetching the following pages as needed.

        Per-request options: `extra_headers`, `extra_query`, `timeout` and `max_retries` (non-idempotent requests are retried only when `max_retries` is given).
        """
        from ..models import EventList

        return cast(
            "SyncPage[Event]",
            self._client.request_page(
                "GET",
                "/events",
                cursor=Cursor(EventList, "starting_after", "starting_before", ("id",)),
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


class AsyncEventsResource(AsyncAPIResource):
    """Events are created when something happens to your data, for example when a new customer
    has been created. When an event is created, webhooks are sent out for it through the
    application webhook URL, the user webhook URLs and/or the REST Hook URLs (resource
    subscriptions)."""

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
    ) -> AsyncPaginator[Event]:
        """List all events

        Returns a list of all events.

        Args:
          limit: A limit on the number of objects to be returned, between 1 and 100.

          starting_after: A cursor: the id of the object to paginate after. Having `obj_bar`, the next page is `starting_after=obj_bar`. Cannot be combined with `starting_before`.

          starting_before: A cursor: the id of the object to paginate before. Having `obj_bar`, the previous page is `starting_before=obj_bar`. Cannot be combined with `starting_after`.

        Returns a page; iterating it yields every item, fetching the following pages as needed.

        Per-request options: `extra_headers`, `extra_query`, `timeout` and `max_retries` (non-idempotent requests are retried only when `max_retries` is given).
        """
        from ..models import EventList

        return AsyncPaginator(
            lambda: self._client.request_page(
                "GET",
                "/events",
                cursor=Cursor(EventList, "starting_after", "starting_before", ("id",)),
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


class EventsResourceWithRawResponse:
    """`events` methods that return the APIResponse (`.parse()` gives what the method returns)."""

    def __init__(self, events: EventsResource) -> None:
        self.list = to_raw_response_wrapper(events.list)


class AsyncEventsResourceWithRawResponse:
    """`events` methods that return the APIResponse (`.parse()` gives what the method returns)."""

    def __init__(self, events: AsyncEventsResource) -> None:
        self.list = async_to_raw_response_wrapper(events.list)
