"""Recordings: exchanges as HAR 1.2 (credentials redacted), written as they happen, read back.

The file is written entry by entry (a run of any length holds no exchange in memory) and closed
into a valid HAR document at the end of the run. `log._spaces` keeps what a replay needs to
judge the exchanges as the live run did: the API's base path and the spec's source.
"""

from __future__ import annotations

import base64
import datetime
import json
from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qsl, urlsplit

from spaces_toolkit import __version__
from spaces_toolkit.proxy.exchange import Exchange
from spaces_toolkit.proxy.redact import Redactor

__all__ = ["HarReader", "HarWriter", "RecordingError", "read_har"]


class RecordingError(ValueError):
    """The file is not a HAR recording the replay can read."""


def _content(body: bytes) -> tuple[str, str | None]:
    try:
        return body.decode("utf-8"), None
    except UnicodeDecodeError:
        return base64.b64encode(body).decode("ascii"), "base64"


def _pairs(items: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"name": k, "value": v} for k, v in items]


class HarWriter:
    def __init__(self, path: Path, redactor: Redactor, *, base_path: str, spec: str) -> None:
        self.redactor = redactor
        self._file: IO[str] = path.open("w", encoding="utf-8")
        self._first = True
        head = {
            "version": "1.2",
            "creator": {"name": "spaces proxy", "version": __version__},
            "_spaces": {"base_path": base_path, "spec": spec},
        }
        text = json.dumps({"log": head}, indent=None)
        self._file.write(text[:-2] + ', "entries": [\n')  # the two closing braces come at close
        self._file.flush()

    def write(self, exchange: Exchange) -> None:
        r = self.redactor
        r.learn(exchange.request_header("authorization"))
        target = r.target(exchange.target)
        request_body, request_encoding = _content(r.body(exchange.request_body))
        response_body, response_encoding = _content(r.body(exchange.response_body))
        query = parse_qsl(urlsplit(target).query, keep_blank_values=True)
        request: dict[str, Any] = {
            "method": exchange.method,
            "url": exchange.upstream + target,
            "httpVersion": exchange.http_version,
            "cookies": [],
            "headers": _pairs(r.headers(exchange.request_headers)),
            "queryString": _pairs(query),
            "headersSize": -1,
            "bodySize": len(exchange.request_body),
        }
        if exchange.request_body:
            request["postData"] = {
                "mimeType": exchange.request_header("content-type") or "",
                "text": request_body,
                **({"_encoding": request_encoding} if request_encoding else {}),
            }
        content: dict[str, Any] = {
            "size": len(exchange.response_body),
            "mimeType": exchange.response_header("content-type") or "",
            "text": response_body,
        }
        if response_encoding:
            content["encoding"] = response_encoding
        try:
            reason = HTTPStatus(exchange.status).phrase
        except ValueError:
            reason = ""
        entry = {
            "startedDateTime": exchange.started,
            "time": round(exchange.seconds * 1000, 3),
            "request": request,
            "response": {
                "status": exchange.status,
                "statusText": reason,
                "httpVersion": exchange.http_version,
                "cookies": [],
                "headers": _pairs(r.headers(exchange.response_headers)),
                "content": content,
                "redirectURL": exchange.response_header("location") or "",
                "headersSize": -1,
                "bodySize": len(exchange.response_body),
                **({"_truncated": True} if exchange.truncated else {}),
            },
            "cache": {},
            "timings": {"send": 0, "wait": round(exchange.seconds * 1000, 3), "receive": 0},
        }
        self._file.write(("" if self._first else ",\n") + json.dumps(entry))
        self._first = False
        self._file.flush()

    def close(self) -> None:
        if not self._file.closed:
            self._file.write("\n]}}\n")
            self._file.close()


def read_har(path: Path) -> tuple[dict[str, Any], list[Exchange]]:
    """(the recording's `_spaces` facts, its exchanges in order). Raises RecordingError."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RecordingError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise RecordingError(f"{path} is not JSON: {exc}") from exc
    log = document.get("log") if isinstance(document, dict) else None
    entries = log.get("entries") if isinstance(log, dict) else None
    if not isinstance(log, dict) or not isinstance(entries, list):
        raise RecordingError(f"{path} is not a HAR file (no log.entries)")
    facts = log.get("_spaces")
    if not isinstance(facts, dict):
        facts = {}
    return facts, list(HarReader(entries, path))


class HarReader:
    def __init__(self, entries: list[Any], path: Path) -> None:
        self.entries = entries
        self.path = path

    def __iter__(self) -> Iterator[Exchange]:
        for n, entry in enumerate(self.entries, 1):
            try:
                yield _exchange(n, entry)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                raise RecordingError(f"{self.path}: entry {n} is not a HAR entry ({exc})") from exc


def _body(node: dict[str, Any] | None, encoding_key: str) -> bytes:
    if not node or "text" not in node:
        return b""
    text = str(node["text"])
    if node.get(encoding_key) == "base64":
        return base64.b64decode(text)
    return text.encode("utf-8")


def _headers(items: list[dict[str, Any]]) -> tuple[tuple[str, str], ...]:
    return tuple((str(h["name"]), str(h["value"])) for h in items)


def _exchange(n: int, entry: dict[str, Any]) -> Exchange:
    request, response = entry["request"], entry["response"]
    url = urlsplit(str(request["url"]))
    target = url.path + (f"?{url.query}" if url.query else "")
    started = str(entry.get("startedDateTime") or datetime.datetime.now(datetime.UTC).isoformat())
    return Exchange(
        number=n,
        started=started,
        method=str(request["method"]).upper(),
        target=target,
        request_headers=_headers(request.get("headers") or []),
        request_body=_body(request.get("postData"), "_encoding"),
        status=int(response["status"]),
        response_headers=_headers(response.get("headers") or []),
        response_body=_body(response.get("content"), "encoding"),
        seconds=float(entry.get("time") or 0) / 1000,
        http_version=str(request.get("httpVersion") or "HTTP/1.1"),
        truncated=bool(response.get("_truncated")),
        upstream=f"{url.scheme}://{url.netloc}" if url.scheme else "",
    )
