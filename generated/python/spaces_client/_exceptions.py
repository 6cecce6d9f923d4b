# Generated from spec/openapi.yaml (sha256 306778f641634dc469368ec571533f12e75c3c435caa34b857bd49e88afaf895) by the generator.
# Do not edit: change the spec and run `make`.
"""Every error the client raises derives from SpacesError."""

from __future__ import annotations

from typing import Literal

import httpx

__all__ = [
    "SpacesError",
    "APIConnectionError",
    "APITimeoutError",
    "APIResponseValidationError",
    "APIStatusError",
    "BadRequestError",
    "AuthenticationError",
    "NotFoundError",
    "RateLimitError",
    "InternalServerError",
    "PaginationError",
    "InvalidWebhookError",
]


class SpacesError(Exception):
    """Base class of every error raised by this client."""


_BaseError = SpacesError  # the runtime's name for the base class


class APIConnectionError(SpacesError):
    """The request did not get an HTTP response (DNS, refused connection, reset, TLS ...)."""

    def __init__(self, *, message: str = "Connection error.", request: httpx.Request) -> None:
        super().__init__(message)
        self.message = message
        self.request = request


class APITimeoutError(APIConnectionError):
    """The request timed out (connect, read, write or pool timeout)."""

    def __init__(self, *, request: httpx.Request) -> None:
        super().__init__(message="Request timed out.", request=request)


class APIResponseValidationError(SpacesError):
    """A successful response whose body is not what the spec promises."""

    def __init__(self, response: httpx.Response, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.response = response
        self.status_code = response.status_code


class APIStatusError(SpacesError):
    """The API answered with a 4xx or 5xx status. `message` comes from the error body."""

    status_code: int

    def __init__(self, message: str, *, response: httpx.Response, body: object) -> None:
        super().__init__(message)
        self.message = message
        self.response = response
        self.status_code = response.status_code
        self.body = body  # the parsed JSON error body, or its text when it is not JSON
        self.request = response.request

    def __str__(self) -> str:
        return f"Error code: {self.status_code} - {self.message}"


class BadRequestError(APIStatusError):
    """400: a missing or invalid parameter."""

    status_code: Literal[400]


class AuthenticationError(APIStatusError):
    """401: no valid access token."""

    status_code: Literal[401]


class NotFoundError(APIStatusError):
    """404: the resource was not found."""

    status_code: Literal[404]


class RateLimitError(APIStatusError):
    """429: too many requests (retried automatically for idempotent requests)."""

    status_code: Literal[429]


class InternalServerError(APIStatusError):
    """5xx: an error on the API's side (retried automatically for idempotent requests)."""


class PaginationError(SpacesError):
    """A list cannot be paged further (e.g. an item lacks the id the next cursor needs)."""


class InvalidWebhookError(SpacesError, ValueError):
    """A webhook delivery body that is not JSON, or not a valid event of a known type."""
