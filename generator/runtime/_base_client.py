"""What the sync and async clients share: configuration, building requests, and errors."""

from __future__ import annotations

import base64
import dataclasses
import functools
import ipaddress
import logging
import os
import platform
import ssl
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from ._exceptions import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
    _BaseError,
)
from ._logs import logger, redact_headers, setup_logging
from ._metadata import (
    API_VERSION,
    AUTH_SCHEME,
    CLIENT_CLASS,
    DEFAULT_BASE_URL,
    DISTRIBUTION,
    ENV_ACCESS_TOKEN,
    ENV_ALLOW_HTTP,
    ENV_BASE_URL,
    __version__,
)
from ._response import RAW_RESPONSE_HEADER
from ._retry import retryable_method, retryable_status
from ._types import Headers, NotGiven, Query, RequestOptions, Timeout

__all__ = [
    "log_request",
    "options_without_raw",
    "should_retry",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "BaseClient",
    "check_base_url",
    "default_ssl_context",
    "make_status_error",
    "HTTPX_LOGGER",
    "direct_transport",
    "has_cookies",
    "owned_cookie_store",
    "path_param",
]

DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=5.0)
DEFAULT_MAX_RETRIES = 2
_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


@functools.cache
def user_agent() -> str:
    return (
        f"{DISTRIBUTION}/{__version__} (api {API_VERSION}; Python {platform.python_version()}; "
        f"{platform.system() or 'unknown'}) httpx/{httpx.__version__}"
    )


@functools.cache
def default_ssl_context() -> ssl.SSLContext:
    """One verifying SSL context shared by the clients this process creates: loading the CA
    bundle takes milliseconds, and each httpx.Client() of its own would load it again."""
    return httpx.create_ssl_context()


HTTPX_LOGGER = logging.getLogger("httpx")  # where httpx logs each request it sends


def has_cookies(response: httpx.Response) -> bool:
    """Whether `response` sets a cookie (the only headers a cookie jar reads)."""
    headers = response.headers
    return "set-cookie" in headers or "set-cookie2" in headers


class _CookieStore(httpx.Cookies):
    """The cookie store of an httpx client this client creates. httpx offers every response to
    its store, wrapping the response and its request in urllib objects first (~20 µs a call,
    bench/RESULTS.md, client) even when the response sets no cookie; this store looks at the
    headers first and lets httpx do exactly that only when there is a cookie to read."""

    def extract_cookies(self, response: httpx.Response) -> None:
        if has_cookies(response):
            super().extract_cookies(response)


def owned_cookie_store(http: httpx.Client | httpx.AsyncClient) -> None:
    """Give an httpx client created by this client the store above. httpx keeps its store in
    `_cookies`: should a later httpx keep it elsewhere, nothing changes (the client keeps its
    own store, read on every response as before)."""
    current = getattr(http, "_cookies", None)
    if type(current) is httpx.Cookies:
        http._cookies = _CookieStore(current)


def direct_transport(http: httpx.Client | httpx.AsyncClient) -> object | None:
    """The transport of an httpx client this client created, to which requests may go straight
    (see the clients' `_dispatch`): httpx's send adds nothing to them when the client has no
    proxy mounts (httpx makes some from HTTP_PROXY, HTTPS_PROXY, ALL_PROXY), auth or redirect
    following. None otherwise, and None should a later httpx keep its transport and mounts
    elsewhere: requests then go through httpx's send, as they may always."""
    if type(http) not in (httpx.Client, httpx.AsyncClient) or getattr(http, "_mounts", None) != {}:
        return None
    if http.auth is not None or http.follow_redirects:
        return None
    return getattr(http, "_transport", None)


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_base_url(url: str, *, allow_http: bool = False) -> str:
    """`url` without a trailing slash; refuses plain http to a host other than loopback unless
    `allow_http` (the access token would cross the network in clear text)."""
    parsed = httpx.URL(url)
    if not parsed.host or parsed.scheme not in ("https", "http"):
        raise ValueError(f"base_url must be an absolute https:// URL, got {url!r}")
    if parsed.scheme == "http" and not allow_http and not _is_loopback(parsed.host):
        raise ValueError(
            f"refusing plain http base_url {url!r}: the API requires HTTPS "
            "(http:// is allowed for loopback hosts such as localhost or 127.0.0.1; for another "
            "host, e.g. a sandbox in docker-compose, pass allow_http=True or set "
            f"{ENV_ALLOW_HTTP}=1)"
        )
    return url.rstrip("/")


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def path_param(value: object, name: str) -> str:
    """A path parameter, percent-encoded; empty values are refused (they would change the URL)."""
    text = str(value)
    if not text:
        raise ValueError(f"expected a non-empty value for `{name}`, got {value!r}")
    return quote(text, safe="")


def _error_message(response: httpx.Response) -> tuple[str, object]:
    """The error's message, and the body it came from (parsed JSON when it is JSON)."""
    reason = f"{response.status_code} {response.reason_phrase}".strip()
    try:
        body: object = response.json()
    except ValueError:
        body = response.text
    if isinstance(body, dict):
        message = body.get("message")
        if isinstance(message, str) and message:
            return message, body
        error = body.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"]), body
        if isinstance(error, str) and error:
            return error, body
    text = " ".join(response.text.split())
    if "html" in response.headers.get("content-type", "") or text.startswith("<"):
        return f"{reason} (an HTML page instead of a JSON error)", body
    return (f"{reason}: {text[:300]}" if text else reason), body


def make_status_error(response: httpx.Response) -> APIStatusError:
    message, body = _error_message(response)
    status = response.status_code
    cls = _STATUS_ERRORS.get(status) or (InternalServerError if status >= 500 else APIStatusError)
    return cls(message, response=response, body=body)


class BaseClient:
    """Configuration and request building, shared by the sync and async clients."""

    base_url: str
    max_retries: int
    timeout: Timeout
    allow_http: bool
    default_headers: dict[str, str]  # sent with every request (a call's extra_headers win)
    default_query: dict[str, object]  # sent with every request (a call's own query wins)

    def __init__(
        self,
        *,
        access_token: str | None,
        base_url: str | None,
        timeout: Timeout,
        max_retries: int,
        allow_http: bool | None = None,
        default_headers: Headers | None = None,
        default_query: Query | None = None,
    ) -> None:
        setup_logging()
        token = access_token if access_token is not None else os.environ.get(ENV_ACCESS_TOKEN)
        if not token:
            raise _BaseError(
                f"no access token: pass access_token=... to {CLIENT_CLASS}() "
                f"or set {ENV_ACCESS_TOKEN}"
            )
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        self._access_token = token
        self.allow_http = _env_flag(ENV_ALLOW_HTTP) if allow_http is None else allow_http
        self.base_url = check_base_url(
            base_url or os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL, allow_http=self.allow_http
        )
        self.timeout = timeout
        self.max_retries = max_retries
        self.default_headers = dict(default_headers or {})
        self.default_query = dict(default_query or {})

    def _copy_kwargs(
        self,
        base_url: str | None,
        timeout: Timeout | None,
        max_retries: int | None,
        default_headers: Headers | None,
        default_query: Query | None,
    ) -> dict[str, Any]:
        """The arguments of a with_options() copy: these defaults, then the ones given."""
        return {
            "base_url": base_url or self.base_url,
            "timeout": self.timeout if timeout is None else timeout,
            "max_retries": self.max_retries if max_retries is None else max_retries,
            "allow_http": self.allow_http,
            "default_headers": {**self.default_headers, **(default_headers or {})},
            "default_query": {**self.default_query, **(default_query or {})},
        }

    def __repr__(self) -> str:  # never shows the token
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    # True when the httpx client was made by this client with _standard_headers() as its own
    # defaults: httpx then merges them once per request instead of normalising them again.
    _headers_on_client = False

    def _standard_headers(self) -> dict[str, str]:
        """Accept, User-Agent, credentials and the default headers: sent with every request."""
        return {
            "Accept": "application/json",
            "User-Agent": user_agent(),
            **self._auth_headers(),
            **self.default_headers,
        }

    def _auth_headers(self) -> dict[str, str]:
        if AUTH_SCHEME == "basic":
            credentials = base64.b64encode(f"{self._access_token}:".encode()).decode("ascii")
            return {"Authorization": f"Basic {credentials}"}
        if AUTH_SCHEME == "bearer":
            return {"Authorization": f"Bearer {self._access_token}"}
        return {}

    def _max_retries(self, method: str, options: RequestOptions) -> int:
        if not isinstance(options.max_retries, NotGiven):
            return max(0, options.max_retries)  # asked for explicitly: honoured for any method
        return self.max_retries if retryable_method(method) else 0

    def _build_request(
        self,
        http: httpx.Client | httpx.AsyncClient,
        method: str,
        path: str,
        *,
        query: Query | None,
        body: Mapping[str, object] | None,
        content_type: str | None,
        options: RequestOptions,
    ) -> tuple[httpx.Request, bool]:
        """The request to send, and whether the caller asked for the raw response."""
        # A client this object created carries the standard headers itself (see
        # _standard_headers); one passed in gets them on every request.
        headers: dict[str, str] | None = None
        if not self._headers_on_client:
            headers = self._standard_headers()
        if options.extra_headers:
            headers = {**(headers or {}), **options.extra_headers}
        raw = headers is not None and headers.pop(RAW_RESPONSE_HEADER, None) is not None
        merged = {**(query or {}), **(options.extra_query or {})}
        params = {k: _query_value(v) for k, v in merged.items() if v is not None}
        if self.default_query:  # a call's own value (None: not given) wins over a default
            params = {**{k: _query_value(v) for k, v in self.default_query.items()}, **params}
        timeout = self.timeout if isinstance(options.timeout, NotGiven) else options.timeout
        kwargs: dict[str, Any] = {}
        if body is not None:
            payload = {k: v for k, v in body.items() if v is not None}
            if content_type == "application/x-www-form-urlencoded":
                kwargs["data"] = {k: _query_value(v) for k, v in payload.items()}
            else:
                kwargs["json"] = payload
        url = self.base_url + path
        if params and not http.params:
            # The query string encoded here, as httpx.QueryParams would: httpx then parses one
            # finished URL instead of parsing it, merging the params and parsing it again
            # (~25 µs a request). A client with params of its own merges them as before.
            url = f"{url}?{_encode_query(params)}"
            params = {}
        request = http.build_request(
            method,
            url,
            params=params or None,  # an empty dict would make httpx parse the URL twice
            headers=headers,
            timeout=timeout,
            **kwargs,
        )
        return request, raw


def _query_value(value: object) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "value") and isinstance(value.value, str | int):  # enum members
        return value.value
    return value


def _query_text(value: object) -> str:
    # httpx's own rule for a query value (httpx._utils.primitive_value_to_str)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return ""
    return str(value)


def _encode_query(params: Mapping[str, object]) -> str:
    """`params` as the query string httpx.QueryParams makes of them: one pair per element of a
    list or tuple value, urlencoded in order."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        if isinstance(value, list | tuple):
            pairs.extend((key, _query_text(v)) for v in value)
        else:
            pairs.append((key, _query_text(value)))
    return urlencode(pairs)


def log_request(request: httpx.Request, attempt: int) -> None:
    if not logger.isEnabledFor(logging.DEBUG):  # redacting headers costs more than a request
        return
    logger.debug(
        "Request %s %s (attempt %d) headers=%s",
        request.method,
        request.url,
        attempt + 1,
        redact_headers(dict(request.headers)),
    )


def options_without_raw(options: RequestOptions) -> RequestOptions:
    """`options` without the raw-response flag: the following pages of a list are parsed."""
    headers = {k: v for k, v in (options.extra_headers or {}).items() if k != RAW_RESPONSE_HEADER}
    return dataclasses.replace(options, extra_headers=headers)


def should_retry(attempt: int, retries: int, response: httpx.Response | None) -> bool:
    return attempt < retries and (response is None or retryable_status(response.status_code))
