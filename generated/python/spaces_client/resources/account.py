# Generated from spec/openapi.yaml (sha256 bdfe8b9249afea646b434ebfe373609493d5daf563a0ed766c25ae5aeb8b7593) by the generator.
# Do not edit: change the spec and run `make`.
"""The account of the user the access token belongs to."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from .._resource import AsyncAPIResource, SyncAPIResource
from .._response import async_to_raw_response_wrapper, to_raw_response_wrapper
from .._types import NOT_GIVEN, Headers, NotGiven, Query, RequestOptions, Timeout

if TYPE_CHECKING:
    # The models module (pydantic classes, built when it is imported) is loaded by the first
    # call that needs it, not when the package is imported: each method imports what it passes
    # at run time itself.
    from ..models import Account

__all__ = [
    "AccountResource",
    "AsyncAccountResource",
    "AccountResourceWithRawResponse",
    "AsyncAccountResourceWithRawResponse",
]


class AccountResource(SyncAPIResource):
    """The account of the user the access token belongs to."""

    def retrieve(
        self,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> Account:
        """Retrieve the account

        Returns the current authenticated user account.

        Per-request options: `extra_headers`, `extra_query`, `timeout` and `max_retries` (non-idempotent requests are retried only when `max_retries` is given).
        """
        from ..models import Account

        return cast(
            "Account",
            self._client.request(
                "GET",
                "/account",
                cast_to=Account,
                options=RequestOptions(
                    extra_headers=extra_headers,
                    extra_query=extra_query,
                    timeout=timeout,
                    max_retries=max_retries,
                ),
            ),
        )


class AsyncAccountResource(AsyncAPIResource):
    """The account of the user the access token belongs to."""

    async def retrieve(
        self,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> Account:
        """Retrieve the account

        Returns the current authenticated user account.

        Per-request options: `extra_headers`, `extra_query`, `timeout` and `max_retries` (non-idempotent requests are retried only when `max_retries` is given).
        """
        from ..models import Account

        return cast(
            "Account",
            await self._client.request(
                "GET",
                "/account",
                cast_to=Account,
                options=RequestOptions(
                    extra_headers=extra_headers,
                    extra_query=extra_query,
                    timeout=timeout,
                    max_retries=max_retries,
                ),
            ),
        )


class AccountResourceWithRawResponse:
    """`account` methods that return the APIResponse (`.parse()` gives what the method returns)."""

    def __init__(self, account: AccountResource) -> None:
        self.retrieve = to_raw_response_wrapper(account.retrieve)


class AsyncAccountResourceWithRawResponse:
    """`account` methods that return the APIResponse (`.parse()` gives what the method returns)."""

    def __init__(self, account: AsyncAccountResource) -> None:
        self.retrieve = async_to_raw_response_wrapper(account.retrieve)
