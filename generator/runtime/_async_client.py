"""The async HTTP client: send, retry, raise typed errors, parse."""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self

import httpx

from ._base_client import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    HTTPX_LOGGER,
    BaseClient,
    default_ssl_context,
    direct_transport,
    has_cookies,
    log_request,
    make_status_error,
    options_without_raw,
    owned_cookie_store,
    should_retry,
)
from ._exceptions import APIConnectionError, APITimeoutError, request_id_of
from ._logs import logger
from ._pagination import AsyncPage, Cursor
from ._response import APIResponse, parse_body
from ._retry import retry_delay
from ._types import Headers, Query, RequestOptions, Timeout

__all__ = ["AsyncAPIClient"]


async def _sleep(seconds: float) -> None:
    # asyncio is imported here, not at the top: `import spaces_client` would otherwise cost every
    # user (sync ones included) ~25 ms for a module only the async retry delay needs.
    import asyncio

    await asyncio.sleep(seconds)


class AsyncAPIClient(BaseClient):
    """Sends requests with httpx.AsyncClient; base of the generated async client."""

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
        super().__init__(
            access_token=access_token,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            allow_http=allow_http,
            default_headers=default_headers,
            default_query=default_query,
        )
        self._owns_http_client = self._headers_on_client = http_client is None
        self._direct: httpx.AsyncBaseTransport | None = None
        if http_client is None:
            http_client = httpx.AsyncClient(
                timeout=timeout, verify=default_ssl_context(), headers=self._standard_headers()
            )
            owned_cookie_store(http_client)
            transport = direct_transport(http_client)
            self._direct = transport if isinstance(transport, httpx.AsyncBaseTransport) else None
        self._http_client = http_client

    def with_options(
        self,
        *,
        base_url: str | None = None,
        timeout: Timeout | None = None,
        max_retries: int | None = None,
        default_headers: Headers | None = None,
        default_query: Query | None = None,
    ) -> Self:
        """A copy of this client with other defaults, sharing its connection pool.

        `default_headers` and `default_query` are merged into this client's own."""
        copy = type(self)(
            self._access_token,
            http_client=self._http_client,
            **self._copy_kwargs(base_url, timeout, max_retries, default_headers, default_query),
        )
        copy._direct = self._direct  # the same httpx client: requests may go as this one's do
        return copy

    async def aclose(self) -> None:
        """Close the connection pool (a client passed in as `http_client` is left open)."""
        if self._owns_http_client:
            await self._http_client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _send(
        self,
        method: str,
        path: str,
        *,
        query: Query | None = None,
        body: Mapping[str, object] | None = None,
        content_type: str | None = None,
        options: RequestOptions,
    ) -> tuple[httpx.Response, bool, int]:
        retries = self._max_retries(method, options)
        attempt = 0
        while True:
            request, raw = self._build_request(
                self._http_client,
                method,
                path,
                query=query,
                body=body,
                content_type=content_type,
                options=options,
            )
            log_request(request, attempt)
            response: httpx.Response | None = None
            try:
                response = await self._dispatch(request)
            except httpx.TransportError as exc:
                if not should_retry(attempt, retries, None):
                    if isinstance(exc, httpx.TimeoutException):
                        raise APITimeoutError(request=request) from exc
                    raise APIConnectionError(request=request) from exc
                logger.debug("%s %s failed: %r", method, request.url, exc)
            else:
                logger.debug("Response %s %s -> %d", method, request.url, response.status_code)
                if response.is_success or not should_retry(attempt, retries, response):
                    if not response.is_success:
                        raise make_status_error(response)
                    return response, raw, attempt
                await response.aclose()
            delay = retry_delay(attempt, response)
            logger.info("Retrying %s %s in %.2f seconds", method, request.url, delay)
            await _sleep(delay)
            attempt += 1

    async def _dispatch(self, request: httpx.Request) -> httpx.Response:
        """The async twin of the sync client's `_dispatch`."""
        http, transport = self._http_client, self._direct
        hooks = http.event_hooks
        if transport is None or hooks["request"] or hooks["response"]:
            return await http.send(request)
        if http.is_closed:
            raise RuntimeError("Cannot send a request, as the client has been closed.")
        start = time.perf_counter()
        try:
            response = await transport.handle_async_request(request)
        except httpx.RequestError as exc:
            exc.request = request
            raise
        response.request = request
        try:
            if has_cookies(response):
                http.cookies.extract_cookies(response)
            if HTTPX_LOGGER.isEnabledFor(logging.INFO):
                HTTPX_LOGGER.info(
                    'HTTP Request: %s %s "%s %d %s"',
                    request.method,
                    request.url,
                    response.http_version,
                    response.status_code,
                    response.reason_phrase,
                )
            await response.aread()
        except BaseException:
            await response.aclose()
            raise
        finally:
            response.elapsed = datetime.timedelta(seconds=time.perf_counter() - start)
        return response

    async def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: Any,
        query: Query | None = None,
        body: Mapping[str, object] | None = None,
        content_type: str | None = None,
        options: RequestOptions,
    ) -> Any:
        response, raw, retries = await self._send(
            method, path, query=query, body=body, content_type=content_type, options=options
        )
        if raw:
            return APIResponse(
                response, lambda: parse_body(response, cast_to), retries_taken=retries
            )
        return parse_body(response, cast_to)

    async def request_page(
        self,
        method: str,
        path: str,
        *,
        cursor: Cursor,
        query: Mapping[str, object],
        options: RequestOptions,
    ) -> Any:
        """The first page of a list; the page fetches the following ones itself."""

        async def fetch(params: Mapping[str, object]) -> AsyncPage[Any]:
            page = await self.request_page(
                method, path, cursor=cursor, query=params, options=options_without_raw(options)
            )
            assert isinstance(page, AsyncPage)
            return page

        response, raw, retries = await self._send(method, path, query=query, options=options)

        def make() -> AsyncPage[Any]:
            page: AsyncPage[Any] = AsyncPage(
                parse_body(response, cursor.envelope), cursor=cursor, query=query, fetch=fetch
            )
            page.request_id, page.retries_taken = request_id_of(response), retries
            return page

        return APIResponse(response, make, retries_taken=retries) if raw else make()
