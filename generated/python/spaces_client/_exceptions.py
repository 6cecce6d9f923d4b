# Generated from spec/openapi.yaml (sha256 bdfe8b9249afea646b434ebfe373609493d5daf563a0ed766c25ae5aeb8b7593) by the generator.
# Do not edit: change the spec and run `make`.
"""Every error the client raises derives from SpacesError; every error about one request
(no answer, an error status, a body that breaks the spec) derives from APIError."""

from __future__ import annotations

from typing import Literal

import httpx

from ._metadata import REQUEST_ID_HEADER

__all__ = [
    "SpacesError",
    "APIError",
    "APIConnectionError",
    "APITimeoutError",
    "APIResponseValidationError",
    "APIStatusError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "UnprocessableEntityError",
    "RateLimitError",
    "InternalServerError",
    "PaginationError",
    "InvalidWebhookError",
]


class SpacesError(Exception):
    """Base class of every error raised by this client."""


_BaseError = SpacesError  # the runtime's name for the base class


def request_id_of(response: httpx.Response | None) -> str | None:
    """The id the server gave the request (its request-id response header), if any."""
    name: str | None = REQUEST_ID_HEADER
    if response is None or name is None:
        return None
    value: str | None = response.headers.get(name)
    return value


class APIError(SpacesError):
    """An error about one request: `request` is what was sent, `body` the parsed error body
    (JSON, or its text; None when there was no answer) and `request_id` the server's id of the
    request (quote it when reporting a problem; None when the server sent none)."""

    message: str
    request: httpx.Request
    body: object | None
    request_id: str | None

    def __init__(
        self,
        message: str,
        request: httpx.Request,
        *,
        body: object | None,
        response: httpx.Response | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.request = request
        self.body = body
        self.request_id = request_id_of(response)


class APIConnectionError(APIError):
    """The request did not get an HTTP response (DNS, refused connection, reset, TLS ...)."""

    def __init__(self, *, message: str = "Connection error", request: httpx.Request) -> None:
        # Name what could not be reached (without the query): the usual cause is a base URL.
        where = request.url.copy_with(query=None, fragment=None)
        super().__init__(f"{message}: {request.method} {where}", request, body=None)


class APITimeoutError(APIConnectionError):
    """The request timed out (connect, read, write or pool timeout)."""

    def __init__(self, *, request: httpx.Request) -> None:
        super().__init__(message="Request timed out", request=request)


class APIResponseValidationError(APIError):
    """A successful response whose body is not what the spec promises."""

    response: httpx.Response
    status_code: int

    def __init__(self, response: httpx.Response, message: str, *, body: object = None) -> None:
        super().__init__(message, response.request, body=body, response=response)
        self.response = response
        self.status_code = response.status_code


class APIStatusError(APIError):
    """The API answered with a 4xx or 5xx status. `message` comes from the error body."""

    response: httpx.Response
    status_code: int

    def __init__(self, message: str, *, response: httpx.Response, body: object) -> None:
        super().__init__(message, response.request, body=body, response=response)
        self.response = response
        self.status_code = response.status_code

    def __str__(self) -> str:
        suffix = f" (request id {self.request_id})" if self.request_id else ""
        return f"Error code: {self.status_code} - {self.message}{suffix}"


class BadRequestError(APIStatusError):
    """400: a missing or invalid parameter."""

    status_code: Literal[400]


class AuthenticationError(APIStatusError):
    """401: no valid access token."""

    status_code: Literal[401]


class PermissionDeniedError(APIStatusError):
    """403: the access token may not do this."""

    status_code: Literal[403]


class NotFoundError(APIStatusError):
    """404: the resource was not found."""

    status_code: Literal[404]


class ConflictError(APIStatusError):
    """409: the request conflicts with the resource's current state."""

    status_code: Literal[409]


class UnprocessableEntityError(APIStatusError):
    """422: the request was well formed but could not be processed."""

    status_code: Literal[422]


class RateLimitError(APIStatusError):
    """429: too many requests (retried automatically for idempotent requests)."""

    status_code: Literal[429]


class InternalServerError(APIStatusError):
    """5xx: an error on the API's side (retried automatically for idempotent requests)."""


class PaginationError(SpacesError):
    """A list cannot be paged further (the server returned the same page again, or
    `get_next_page()` was asked for on a page whose edge item has no cursor). Iterating a list
    never raises it for a missing cursor: the walk stops with a PaginationWarning instead."""


class InvalidWebhookError(SpacesError, ValueError):
    """A webhook delivery body that is not JSON, or not a valid event of a known type."""
