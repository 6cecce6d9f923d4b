# Generated from spec/openapi.yaml (sha256 bdfe8b9249afea646b434ebfe373609493d5daf563a0ed766c25ae5aeb8b7593) by the generator.
# Do not edit: change the spec and run `make`.
"""SpacesClient and AsyncSpacesClient: one attribute per resource of the API."""

from __future__ import annotations

import httpx

from ._async_client import AsyncAPIClient
from ._base_client import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT
from ._sync_client import SyncAPIClient
from ._types import Headers, Query, Timeout
from .resources import (
    AccountResource,
    AccountResourceWithRawResponse,
    AsyncAccountResource,
    AsyncAccountResourceWithRawResponse,
    AsyncCapturedEmailsResource,
    AsyncCapturedEmailsResourceWithRawResponse,
    AsyncCustomersResource,
    AsyncCustomersResourceWithRawResponse,
    AsyncEventsResource,
    AsyncEventsResourceWithRawResponse,
    AsyncInvoicesResource,
    AsyncInvoicesResourceWithRawResponse,
    AsyncResourceSubscriptionsResource,
    AsyncResourceSubscriptionsResourceWithRawResponse,
    AsyncSpacesResource,
    AsyncSpacesResourceWithRawResponse,
    AsyncSubscriptionsResource,
    AsyncSubscriptionsResourceWithRawResponse,
    AsyncWebhooksResource,
    AsyncWebhooksResourceWithRawResponse,
    CapturedEmailsResource,
    CapturedEmailsResourceWithRawResponse,
    CustomersResource,
    CustomersResourceWithRawResponse,
    EventsResource,
    EventsResourceWithRawResponse,
    InvoicesResource,
    InvoicesResourceWithRawResponse,
    ResourceSubscriptionsResource,
    ResourceSubscriptionsResourceWithRawResponse,
    SpacesResource,
    SpacesResourceWithRawResponse,
    SubscriptionsResource,
    SubscriptionsResourceWithRawResponse,
    WebhooksResource,
    WebhooksResourceWithRawResponse,
)

__all__ = ["SpacesClient", "AsyncSpacesClient"]


class SpacesClient(SyncAPIClient):
    """Spaces API client (04-09-2014). Accounts, Spaces, customers, invoices, subscriptions, captured emails, events and webhooks."""

    account: AccountResource
    captured_emails: CapturedEmailsResource
    customers: CustomersResource
    events: EventsResource
    invoices: InvoicesResource
    resource_subscriptions: ResourceSubscriptionsResource
    spaces: SpacesResource
    subscriptions: SubscriptionsResource
    webhooks: WebhooksResource
    with_raw_response: SpacesClientWithRawResponse

    def __init__(
        self,
        access_token: str | None = None,
        *,
        base_url: str | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.Client | None = None,
        allow_http: bool | None = None,
        default_headers: Headers | None = None,
        default_query: Query | None = None,
    ) -> None:
        """Create a client.

        Args:
          access_token: The access token; defaults to the `SPACES_ACCESS_TOKEN` environment
            variable. sent as the HTTP Basic username, with an empty password
          base_url: Defaults to `SPACES_BASE_URL`, then https://spaces.pe/api/v1.
            Plain http:// is refused unless the host is loopback or `allow_http` is set.
          timeout: Seconds (or an httpx.Timeout) for each request; None waits forever.
          max_retries: Retries of idempotent requests after connection errors, timeouts, 408, 429
            and 5xx answers, with exponential backoff and jitter, honouring Retry-After. 0: none.
          http_client: A httpx.Client to send requests with (for proxies, transports,
            tests); it is not closed by this client.
          allow_http: Allow a plain http:// base_url to a host other than loopback (e.g. a
            sandbox at http://sandbox:8000 in docker-compose); the access token then crosses
            the network unencrypted. Defaults to `SPACES_ALLOW_HTTP` (1/true), else False.
          default_headers: Headers sent with every request (a call's `extra_headers` win).
          default_query: Query parameters sent with every request (a call's own values win).
        """

        super().__init__(
            access_token,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            http_client=http_client,
            allow_http=allow_http,
            default_headers=default_headers,
            default_query=default_query,
        )
        self.account = AccountResource(self)
        self.captured_emails = CapturedEmailsResource(self)
        self.customers = CustomersResource(self)
        self.events = EventsResource(self)
        self.invoices = InvoicesResource(self)
        self.resource_subscriptions = ResourceSubscriptionsResource(self)
        self.spaces = SpacesResource(self)
        self.subscriptions = SubscriptionsResource(self)
        self.webhooks = WebhooksResource(self)
        self.with_raw_response = SpacesClientWithRawResponse(self)


class AsyncSpacesClient(AsyncAPIClient):
    """Spaces API client (04-09-2014). Accounts, Spaces, customers, invoices, subscriptions, captured emails, events and webhooks. The async twin of SpacesClient."""

    account: AsyncAccountResource
    captured_emails: AsyncCapturedEmailsResource
    customers: AsyncCustomersResource
    events: AsyncEventsResource
    invoices: AsyncInvoicesResource
    resource_subscriptions: AsyncResourceSubscriptionsResource
    spaces: AsyncSpacesResource
    subscriptions: AsyncSubscriptionsResource
    webhooks: AsyncWebhooksResource
    with_raw_response: AsyncSpacesClientWithRawResponse

    def __init__(
        self,
        access_token: str | None = None,
        *,
        base_url: str | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.AsyncClient | None = None,
        allow_http: bool | None = None,
        default_headers: Headers | None = None,
        default_query: Query | None = None,
    ) -> None:
        """Create a client.

        Args:
          access_token: The access token; defaults to the `SPACES_ACCESS_TOKEN` environment
            variable. sent as the HTTP Basic username, with an empty password
          base_url: Defaults to `SPACES_BASE_URL`, then https://spaces.pe/api/v1.
            Plain http:// is refused unless the host is loopback or `allow_http` is set.
          timeout: Seconds (or an httpx.Timeout) for each request; None waits forever.
          max_retries: Retries of idempotent requests after connection errors, timeouts, 408, 429
            and 5xx answers, with exponential backoff and jitter, honouring Retry-After. 0: none.
          http_client: A httpx.AsyncClient to send requests with (for proxies, transports,
            tests); it is not closed by this client.
          allow_http: Allow a plain http:// base_url to a host other than loopback (e.g. a
            sandbox at http://sandbox:8000 in docker-compose); the access token then crosses
            the network unencrypted. Defaults to `SPACES_ALLOW_HTTP` (1/true), else False.
          default_headers: Headers sent with every request (a call's `extra_headers` win).
          default_query: Query parameters sent with every request (a call's own values win).
        """

        super().__init__(
            access_token,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            http_client=http_client,
            allow_http=allow_http,
            default_headers=default_headers,
            default_query=default_query,
        )
        self.account = AsyncAccountResource(self)
        self.captured_emails = AsyncCapturedEmailsResource(self)
        self.customers = AsyncCustomersResource(self)
        self.events = AsyncEventsResource(self)
        self.invoices = AsyncInvoicesResource(self)
        self.resource_subscriptions = AsyncResourceSubscriptionsResource(self)
        self.spaces = AsyncSpacesResource(self)
        self.subscriptions = AsyncSubscriptionsResource(self)
        self.webhooks = AsyncWebhooksResource(self)
        self.with_raw_response = AsyncSpacesClientWithRawResponse(self)


class SpacesClientWithRawResponse:
    """`client.with_raw_response.<resource>.<method>(...)` returns the APIResponse."""

    def __init__(self, client: SpacesClient) -> None:
        self.account = AccountResourceWithRawResponse(client.account)
        self.captured_emails = CapturedEmailsResourceWithRawResponse(client.captured_emails)
        self.customers = CustomersResourceWithRawResponse(client.customers)
        self.events = EventsResourceWithRawResponse(client.events)
        self.invoices = InvoicesResourceWithRawResponse(client.invoices)
        self.resource_subscriptions = ResourceSubscriptionsResourceWithRawResponse(
            client.resource_subscriptions
        )
        self.spaces = SpacesResourceWithRawResponse(client.spaces)
        self.subscriptions = SubscriptionsResourceWithRawResponse(client.subscriptions)
        self.webhooks = WebhooksResourceWithRawResponse(client.webhooks)


class AsyncSpacesClientWithRawResponse:
    """`client.with_raw_response.<resource>.<method>(...)` returns the APIResponse."""

    def __init__(self, client: AsyncSpacesClient) -> None:
        self.account = AsyncAccountResourceWithRawResponse(client.account)
        self.captured_emails = AsyncCapturedEmailsResourceWithRawResponse(client.captured_emails)
        self.customers = AsyncCustomersResourceWithRawResponse(client.customers)
        self.events = AsyncEventsResourceWithRawResponse(client.events)
        self.invoices = AsyncInvoicesResourceWithRawResponse(client.invoices)
        self.resource_subscriptions = AsyncResourceSubscriptionsResourceWithRawResponse(
            client.resource_subscriptions
        )
        self.spaces = AsyncSpacesResourceWithRawResponse(client.spaces)
        self.subscriptions = AsyncSubscriptionsResourceWithRawResponse(client.subscriptions)
        self.webhooks = AsyncWebhooksResourceWithRawResponse(client.webhooks)
