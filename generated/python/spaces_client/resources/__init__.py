# Generated from spec/openapi.yaml (sha256 7cf6f2b0931feebb31ebd3cfe1b161e4adaa4b86e5628569348ec77b795e6c45) by the generator.
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
