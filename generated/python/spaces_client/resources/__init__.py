# Generated from spec/openapi.yaml (sha256 bdfe8b9249afea646b434ebfe373609493d5daf563a0ed766c25ae5aeb8b7593) by the generator.
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
