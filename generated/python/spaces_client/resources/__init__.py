# Generated from spec/openapi.yaml (sha256 2476b13568ff7baad940bd9aa130a02e57b3317ec6b45b065537ef92d0146fea) by the generator.
# Do not edit: change the spec and run `make`.
"""The API's resources: one class per tag of the spec, as attributes of the client."""

from .account import (
    AccountResource,
    AccountResourceWithRawResponse,
    AsyncAccountResource,
    AsyncAccountResourceWithRawResponse,
)
from .captured_emails import (
    AsyncCapturedEmailsResource,
    AsyncCapturedEmailsResourceWithRawResponse,
    CapturedEmailsResource,
    CapturedEmailsResourceWithRawResponse,
)
from .customers import (
    AsyncCustomersResource,
    AsyncCustomersResourceWithRawResponse,
    CustomersResource,
    CustomersResourceWithRawResponse,
)
from .events import (
    AsyncEventsResource,
    AsyncEventsResourceWithRawResponse,
    EventsResource,
    EventsResourceWithRawResponse,
)
from .invoices import (
    AsyncInvoicesResource,
    AsyncInvoicesResourceWithRawResponse,
    InvoicesResource,
    InvoicesResourceWithRawResponse,
)
from .resource_subscriptions import (
    AsyncResourceSubscriptionsResource,
    AsyncResourceSubscriptionsResourceWithRawResponse,
    ResourceSubscriptionsResource,
    ResourceSubscriptionsResourceWithRawResponse,
)
from .spaces import (
    AsyncSpacesResource,
    AsyncSpacesResourceWithRawResponse,
    SpacesResource,
    SpacesResourceWithRawResponse,
)
from .subscriptions import (
    AsyncSubscriptionsResource,
    AsyncSubscriptionsResourceWithRawResponse,
    SubscriptionsResource,
    SubscriptionsResourceWithRawResponse,
)
from .webhooks import (
    AsyncWebhooksResource,
    AsyncWebhooksResourceWithRawResponse,
    WebhooksResource,
    WebhooksResourceWithRawResponse,
)

__all__ = [
    "AccountResource",
    "AsyncAccountResource",
    "AccountResourceWithRawResponse",
    "AsyncAccountResourceWithRawResponse",
    "CapturedEmailsResource",
    "AsyncCapturedEmailsResource",
    "CapturedEmailsResourceWithRawResponse",
    "AsyncCapturedEmailsResourceWithRawResponse",
    "CustomersResource",
    "AsyncCustomersResource",
    "CustomersResourceWithRawResponse",
    "AsyncCustomersResourceWithRawResponse",
    "EventsResource",
    "AsyncEventsResource",
    "EventsResourceWithRawResponse",
    "AsyncEventsResourceWithRawResponse",
    "InvoicesResource",
    "AsyncInvoicesResource",
    "InvoicesResourceWithRawResponse",
    "AsyncInvoicesResourceWithRawResponse",
    "ResourceSubscriptionsResource",
    "AsyncResourceSubscriptionsResource",
    "ResourceSubscriptionsResourceWithRawResponse",
    "AsyncResourceSubscriptionsResourceWithRawResponse",
    "SpacesResource",
    "AsyncSpacesResource",
    "SpacesResourceWithRawResponse",
    "AsyncSpacesResourceWithRawResponse",
    "SubscriptionsResource",
    "AsyncSubscriptionsResource",
    "SubscriptionsResourceWithRawResponse",
    "AsyncSubscriptionsResourceWithRawResponse",
    "WebhooksResource",
    "AsyncWebhooksResource",
    "WebhooksResourceWithRawResponse",
    "AsyncWebhooksResourceWithRawResponse",
]
