# Generated from spec/openapi.yaml (sha256 306778f641634dc469368ec571533f12e75c3c435caa34b857bd49e88afaf895) by the generator.
# Do not edit: change the spec and run `make`.
"""Parsing response bodies into models, and raw access to the HTTP response."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, Generic, ParamSpec, TypeVar, cast

import httpx
import pydantic

from ._exceptions import APIResponseValidationError

__all__ = [
    "RAW_RESPONSE_HEADER",
    "APIResponse",
    "async_to_raw_response_wrapper",
    "parse_body",
    "to_raw_response_wrapper",
]

T = TypeVar("T")
P = ParamSpec("P")
R = TypeVar("R")
# Set by the raw-response wrappers, read and removed by the client: never sent.
RAW_RESPONSE_HEADER = "X-Raw-Response"


@functools.cache
def _adapter(type_: Any) -> pydantic.TypeAdapter[Any]:
    return pydantic.TypeAdapter(type_)


def _type_name(type_: Any) -> str:
    return str(getattr(type_, "__name__", None) or type_)


def parse_body(response: httpx.Response, cast_to: Any) -> Any:
    """The JSON body of `response` validated as `cast_to` (None: no body expected)."""
    if cast_to is None:
        return None
    try:
        # One pass from bytes to models (pydantic-core parses the JSON itself): about half the
        # cost of json.loads followed by validate_python on a 100-item page.
        return _adapter(cast_to).validate_json(response.content)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        if first["type"] == "json_invalid":
            kind = response.headers.get("content-type", "no content type")
            raise APIResponseValidationError(
                response, f"expected a JSON body ({_type_name(cast_to)}), got {kind!r}"
            ) from None
        where = ".".join(str(p) for p in first["loc"]) or "(body)"
        raise APIResponseValidationError(
            response,
            f"the body is not a valid {_type_name(cast_to)}: {where}: {first['msg']} "
            f"({exc.error_count()} error(s))",
        ) from exc


class APIResponse(Generic[T]):
    """The HTTP response of a call, with `parse()` for what the method would have returned."""

    def __init__(
        self, http_response: httpx.Response, parser: Callable[[], T], *, retries_taken: int = 0
    ) -> None:
        self.http_response = http_response
        self.retries_taken = retries_taken
        self._parser = parser
        self._parsed: tuple[T] | None = None

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def url(self) -> httpx.URL:
        return self.http_response.url

    @property
    def method(self) -> str:
        return self.http_response.request.method

    @property
    def content(self) -> bytes:
        return self.http_response.content

    @property
    def text(self) -> str:
        return self.http_response.text

    def json(self) -> Any:
        return self.http_response.json()

    def parse(self) -> T:
        """The parsed body (a model, or a page for list calls); parsed once, then cached."""
        if self._parsed is None:
            self._parsed = (self._parser(),)
        return self._parsed[0]

    def __repr__(self) -> str:
        return f"<APIResponse [{self.status_code}] {self.method} {self.url}>"


def _with_raw_flag(kwargs: dict[str, Any]) -> None:
    kwargs["extra_headers"] = {**(kwargs.get("extra_headers") or {}), RAW_RESPONSE_HEADER: "true"}


def to_raw_response_wrapper(func: Callable[P, R]) -> Callable[P, APIResponse[R]]:
    """`func`, returning the APIResponse instead of the parsed body."""

    @functools.wraps(func)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> APIResponse[R]:
        _with_raw_flag(kwargs)
        return cast("APIResponse[R]", func(*args, **kwargs))

    return wrapped


def async_to_raw_response_wrapper(
    func: Callable[P, Awaitable[R]],
) -> Callable[P, Awaitable[APIResponse[R]]]:
    """The async twin of `to_raw_response_wrapper`."""

    @functools.wraps(func)
    async def wrapped(*args: P.args, **kwargs: P.kwargs) -> APIResponse[R]:
        _with_raw_flag(kwargs)
        return cast("APIResponse[R]", await func(*args, **kwargs))

    return wrapped
