# Generated from spec/openapi.yaml (sha256 bdfe8b9249afea646b434ebfe373609493d5daf563a0ed766c25ae5aeb8b7593) by the generator.
# Do not edit: change the spec and run `make`.
"""Webhook deliveries of events. Delivery is attempted each hour until delivered, or until
24 tries.

Every delivery is signed per [Standard Webhooks 1.0](https://www.standardwebhooks.com/)
(an extension: the docs name no scheme, see NOTES 50). `webhook-id` is the webhook's id
(the same on every retry: deduplicate on it), `webhook-timestamp` the attempt's Unix time,
and `webhook-signature` one `v1,<base64>` HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}`
per valid signing secret (`whsec_…`, one per account; two during a rotation's grace
period). Verify against the raw body, reject timestamps more than 5 minutes away, and
answer a failed check with a 4xx."""

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
    from ..models import Webhook

__all__ = [
    "WebhooksResource",
    "AsyncWebhooksResource",
    "WebhooksResourceWithRawResponse",
    "AsyncWebhooksResourceWithRawResponse",
]


class WebhooksResource(SyncAPIResource):
    """Webhook deliveries of events. Delivery is attempted each hour until delivered, or until
    24 tries.

    Every delivery is signed per [Standard Webhooks 1.0](https://www.standardwebhooks.com/)
    (an extension: the docs name no scheme, see NOTES 50). `webhook-id` is the webhook's id
    (the same on every retry: deduplicate on it), `webhook-timestamp` the attempt's Unix time,
    and `webhook-signature` one `v1,<base64>` HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}`
    per valid signing secret (`whsec_…`, one per account; two during a rotation's grace
    period). Verify against the raw body, reject timestamps more than 5 minutes away, and
    answer a failed check with a 4xx."""

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
    ) -> SyncPage[Webhook]:
        """List all webhooks

        Returns a list of all webhooks.

        Args:
          limit: A limit on the number of objects to be returned, between 1 and 100.

          starting_after: A cursor: the id of the object to paginate after. Having `obj_bar`, the next page is `starting_after=obj_bar`. Cannot be combined with `starting_before`.

          starting_before: A cursor: the id of the object to paginate before. Having `obj_bar`, the previous page is `starting_before=obj_bar`. Cannot be combined with `starting_after`.

        Returns a page; iterating it yields every item, fetching the following pages as needed.

        Per-request options: `extra_headers`, `extra_query`, `timeout` and `max_retries` (non-idempotent requests are retried only when `max_retries` is given).
        """
        from ..models import WebhookList

        return cast(
            "SyncPage[Webhook]",
            self._client.request_page(
                "GET",
                "/webhooks",
                cursor=Cursor(WebhookList, "starting_after", "starting_before", ("id",)),
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


class AsyncWebhooksResource(AsyncAPIResource):
    """Webhook deliveries of events. Delivery is attempted each hour until delivered, or until
    24 tries.

    Every delivery is signed per [Standard Webhooks 1.0](https://www.standardwebhooks.com/)
    (an extension: the docs name no scheme, see NOTES 50). `webhook-id` is the webhook's id
    (the same on every retry: deduplicate on it), `webhook-timestamp` the attempt's Unix time,
    and `webhook-signature` one `v1,<base64>` HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}`
    per valid signing secret (`whsec_…`, one per account; two during a rotation's grace
    period). Verify against the raw body, reject timestamps more than 5 minutes away, and
    answer a failed check with a 4xx."""

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
    ) -> AsyncPaginator[Webhook]:
        """List all webhooks

        Returns a list of all webhooks.

        Args:
          limit: A limit on the number of objects to be returned, between 1 and 100.

          starting_after: A cursor: the id of the object to paginate after. Having `obj_bar`, the next page is `starting_after=obj_bar`. Cannot be combined with `starting_before`.

          starting_before: A cursor: the id of the object to paginate before. Having `obj_bar`, the previous page is `starting_before=obj_bar`. Cannot be combined with `starting_after`.

        Returns a page; iterating it yields every item, fetching the following pages as needed.

        Per-request options: `extra_headers`, `extra_query`, `timeout` and `max_retries` (non-idempotent requests are retried only when `max_retries` is given).
        """
        from ..models import WebhookList

        return AsyncPaginator(
            lambda: self._client.request_page(
                "GET",
                "/webhooks",
                cursor=Cursor(WebhookList, "starting_after", "starting_before", ("id",)),
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


class WebhooksResourceWithRawResponse:
    """`webhooks` methods that return the APIResponse (`.parse()` gives what the method returns)."""

    def __init__(self, webhooks: WebhooksResource) -> None:
        self.list = to_raw_response_wrapper(webhooks.list)


class AsyncWebhooksResourceWithRawResponse:
    """`webhooks` methods that return the APIResponse (`.parse()` gives what the method returns)."""

    def __init__(self, webhooks: AsyncWebhooksResource) -> None:
        self.list = async_to_raw_response_wrapper(webhooks.list)
