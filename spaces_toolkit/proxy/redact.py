"""Credentials out of everything the proxy writes down (HAR, log, console, reports).

Each credential becomes a stable label (`[redacted-1]`, `[redacted-2]`, ... in the order first
seen), so a recording still tells the accounts apart (the checks across exchanges need that)
without holding a token. Redacted: the `Authorization` and `Proxy-Authorization` values (the
scheme word kept), `Cookie` and `Set-Cookie`, query parameters whose name says credential,
webhook signing secrets (`whsec_…`), and every known credential wherever else it appears.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

from spaces_toolkit.proxy.exchange import credential_of

__all__ = ["Redactor", "SECRET_HEADERS", "SECRET_QUERY"]

SECRET_HEADERS = frozenset({"authorization", "proxy-authorization"})
COOKIE_HEADERS = frozenset({"cookie", "set-cookie"})
SECRET_QUERY = re.compile(
    r"(^|_|-)(token|access_token|api_key|apikey|key|secret|password|passwd|auth|signature|sig)$",
    re.I,
)
_WHSEC = re.compile(r"whsec_[A-Za-z0-9+/=_-]+")
_QUERY_PAIR = re.compile(r"(?P<name>[^&=]+)=(?P<value>[^&]*)")
COOKIE = "[redacted]"


class Redactor:
    def __init__(self) -> None:
        self.labels: dict[str, str] = {}

    def label(self, credential: str) -> str:
        if credential not in self.labels:
            self.labels[credential] = f"[redacted-{len(self.labels) + 1}]"
        return self.labels[credential]

    def learn(self, authorization: str | None) -> None:
        credential = credential_of(authorization)
        if credential and not credential.startswith("[redacted"):
            self.label(credential)

    def header(self, name: str, value: str) -> str:
        lower = name.lower()
        if lower in SECRET_HEADERS:
            scheme, _, rest = value.strip().partition(" ")
            credential = credential_of(value)
            if credential is None:
                return value
            if rest and " " not in scheme:
                return f"{scheme} {self.label(credential)}"
            return self.label(credential)
        if lower in COOKIE_HEADERS:
            return COOKIE
        return self.text(value)

    def headers(self, headers: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
        return [(k, self.header(k, v)) for k, v in headers]

    def target(self, target: str) -> str:
        """A path with query: secret-named parameters' values redacted, known credentials too."""
        path, sep, query = target.partition("?")

        def pair(m: re.Match[str]) -> str:
            if SECRET_QUERY.search(unquote(m.group("name"))):
                return f"{m.group('name')}={quote(COOKIE)}"
            return m.group(0)

        return self.text(path) + sep + self.text(_QUERY_PAIR.sub(pair, query))

    def text(self, text: str) -> str:
        for credential, label in self.labels.items():
            if credential:
                text = text.replace(credential, label).replace(quote(credential, safe=""), label)
        return _WHSEC.sub("whsec_[redacted]", text)

    def body(self, body: bytes) -> bytes:
        for credential, label in self.labels.items():
            if credential:
                body = body.replace(credential.encode(), label.encode())
        return _WHSEC.sub("whsec_[redacted]", body.decode("latin-1")).encode("latin-1")
