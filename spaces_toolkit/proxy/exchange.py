"""One request and its answer as the proxy saw them: what the checks, the log and HAR read."""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import zlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import orjson

__all__ = ["Exchange", "credential_of", "header"]

Headers = tuple[tuple[str, str], ...]
_DIGITS_AS_ZERO = bytes.maketrans(b"0123456789", b"0" * 10)
_LONG_NUMBER = b"0" * 19  # 19 digits in a row: where orjson and json.loads may read apart


def header(headers: Headers, name: str) -> str | None:
    """The first value of a header (names compare case-insensitively)."""
    wanted = name.lower()
    return next((v for k, v in headers if k.lower() == wanted), None)


def credential_of(authorization: str | None) -> str | None:
    """Who a request speaks for: the Basic username (the access token), else the header's value
    as written (a recording's redacted label), None without credentials."""
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() == "basic":
        try:
            return base64.b64decode(value.strip(), validate=True).decode().partition(":")[0]
        except (binascii.Error, UnicodeDecodeError):
            pass
    return authorization.strip()


@dataclass(frozen=True)
class Exchange:
    """A request as forwarded and the upstream's answer as returned (bodies as sent on the wire)."""

    number: int  # 1, 2, ... in the order answers completed
    started: str  # ISO 8601 time the request arrived
    method: str
    target: str  # path and query as the client sent them (percent-encoded)
    request_headers: Headers
    request_body: bytes
    status: int
    response_headers: Headers
    response_body: bytes
    seconds: float = 0.0  # request arrival to last byte of the answer
    http_version: str = "HTTP/1.1"
    truncated: bool = False  # the response body kept for checking was cut (it was forwarded whole)
    upstream: str = ""  # the upstream origin ("http://host:port")
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def path(self) -> str:
        return unquote(urlsplit(self.target).path)

    @cached_property
    def query(self) -> tuple[tuple[str, str], ...]:
        return tuple(parse_qsl(urlsplit(self.target).query, keep_blank_values=True))

    def request_header(self, name: str) -> str | None:
        return header(self.request_headers, name)

    def response_header(self, name: str) -> str | None:
        return header(self.response_headers, name)

    @property
    def credential(self) -> str | None:
        return credential_of(self.request_header("authorization"))

    @property
    def request_media(self) -> str:
        return (self.request_header("content-type") or "").split(";")[0].strip().lower()

    @property
    def response_media(self) -> str:
        return (self.response_header("content-type") or "").split(";")[0].strip().lower()

    @cached_property
    def response_content(self) -> bytes:
        """The answer's body with its Content-Encoding (gzip, deflate) undone."""
        coding = (self.response_header("content-encoding") or "").strip().lower()
        try:
            if coding == "gzip":
                return gzip.decompress(self.response_body)
            if coding == "deflate":
                return zlib.decompress(self.response_body)
        except (OSError, zlib.error, EOFError):
            return self.response_body
        return self.response_body

    @cached_property
    def response_json(self) -> Any:
        """The answer's body as JSON (None when it is not JSON)."""
        content = self.response_content
        # orjson reads an integer beyond 64 bits as a float: such a body goes to `json` whole
        if _LONG_NUMBER not in content.translate(_DIGITS_AS_ZERO):
            try:
                return orjson.loads(content)
            except orjson.JSONDecodeError:
                pass  # not JSON, or what `json` reads and orjson refuses (UTF-16, a BOM, NaN...)
        try:
            return json.loads(content)
        except (ValueError, UnicodeDecodeError):
            return None

    @property
    def url(self) -> str:
        return self.upstream + self.target
