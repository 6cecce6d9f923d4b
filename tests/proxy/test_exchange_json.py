"""An exchange's body read as JSON: orjson first, then the standard library for what orjson
refuses, so the checks see exactly what `json.loads` would give them."""

from __future__ import annotations

import gzip
import json

import pytest

from spaces_toolkit.proxy.exchange import Exchange


def _exchange(body: bytes, *headers: tuple[str, str]) -> Exchange:
    return Exchange(
        1, "2026-12-05T00:00:00Z", "GET", "/api/v1/account", (), b"", 200, headers, body
    )


@pytest.mark.parametrize(
    "body",
    [
        b'{"id": "cus_1", "count": 2, "data": [1, 2.5, null, true, "\\u00e9"]}',
        b'{"big": 123456789012345678901234567890}',  # beyond 64 bits: orjson reads a float
        b"[18446744073709551616, -9223372036854775809, 9223372036854775807]",
        b"[0.1, 5e-324, 1.7976931348623157e308, -0, 1E2, 2.2250738585072011e-308]",
        b'{"x": NaN, "y": Infinity}',  # not JSON by RFC 8259, read by json.loads
        b'{"a": 1e400}',
        b'{"lone": "\\ud800"}',  # a lone surrogate escape
        '{"utf16": "é"}'.encode("utf-16"),  # json.loads detects UTF-16 from the bytes
        b'{"dup": 1, "dup": 2}',
        b"  [1, 2]  ",
        b'\xef\xbb\xbf{"bom": 1}',  # json.loads skips a UTF-8 byte order mark in bytes
    ],
)
def test_response_json_reads_what_json_loads_reads(body: bytes) -> None:
    got = _exchange(body).response_json
    expected = json.loads(body)
    assert repr(got) == repr(expected)


@pytest.mark.parametrize("body", [b"", b"<html>", b'{"a": 1', b"\xff\xfe\x00", b'{"a": 1}x'])
def test_response_json_is_none_when_json_loads_refuses(body: bytes) -> None:
    with pytest.raises((ValueError, UnicodeDecodeError)):
        json.loads(body)
    assert _exchange(body).response_json is None


def test_response_json_reads_the_decoded_content() -> None:
    body = gzip.compress(b'{"object": "list", "data": []}')
    exchange = _exchange(body, ("content-encoding", "gzip"))
    assert exchange.response_json == {"object": "list", "data": []}
