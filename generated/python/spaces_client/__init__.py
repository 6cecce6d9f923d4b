# Generated from spec/openapi.yaml (sha256 bdfe8b9249afea646b434ebfe373609493d5daf563a0ed766c25ae5aeb8b7593) by the generator.
# Do not edit: change the spec and run `make`.
"""Spaces API client for Python, generated from the API's OpenAPI description.

    from spaces_client import SpacesClient

    with SpacesClient() as client:  # token from SPACES_ACCESS_TOKEN
        print(client.account.retrieve())
        for item in client.customers.list():  # every item, page after page
            print(item)

Models are in `spaces_client.models`; errors derive from `SpacesError`.
"""

from typing import TYPE_CHECKING, Any

from . import resources
from ._client import AsyncSpacesClient, SpacesClient
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    InvalidWebhookError,
    NotFoundError,
    PaginationError,
    PermissionDeniedError,
    RateLimitError,
    SpacesError,
    UnprocessableEntityError,
)
from ._metadata import API_VERSION, __version__
from ._pagination import AsyncPage, AsyncPaginator, PaginationWarning, SyncPage
from ._response import APIResponse
from ._types import NOT_GIVEN, NotGiven, Timeout
from ._webhooks import (
    WebhookHeaderError,
    WebhookSecretError,
    WebhookSignatureError,
    WebhookTimestampError,
    WebhookVerificationError,
    verify_webhook,
)

if TYPE_CHECKING:
    from . import models
    from .webhooks import parse_webhook

__all__ = [
    "SpacesClient",
    "AsyncSpacesClient",
    "SpacesError",
    "APIError",
    "APIConnectionError",
    "APITimeoutError",
    "APIStatusError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "UnprocessableEntityError",
    "RateLimitError",
    "InternalServerError",
    "APIResponseValidationError",
    "PaginationError",
    "PaginationWarning",
    "InvalidWebhookError",
    "APIResponse",
    "SyncPage",
    "AsyncPage",
    "AsyncPaginator",
    "NOT_GIVEN",
    "NotGiven",
    "Timeout",
    "parse_webhook",
    "verify_webhook",
    "WebhookVerificationError",
    "WebhookHeaderError",
    "WebhookTimestampError",
    "WebhookSignatureError",
    "WebhookSecretError",
    "models",
    "resources",
    "API_VERSION",
    "__version__",
]


def __getattr__(name: str) -> Any:
    # `models` (and what needs it) is imported on first use: defining and building its pydantic
    # classes is most of what importing the package would otherwise cost.
    import importlib

    if name == "models":
        return importlib.import_module(".models", __name__)
    if name == "parse_webhook":
        return importlib.import_module(".webhooks", __name__).parse_webhook
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
