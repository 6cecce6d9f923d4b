"""A sandbox reached by its base URL and a token alone: the API's own operations plus the sandbox
helpers the reference server serves under /sandbox/v1 in sandbox mode
(spaces_toolkit/server/sandbox/routes.py). Used by `spaces trigger`, `spaces listen` and
`spaces webhooks check-receiver`; every failure is a CLIError naming the URL."""

from __future__ import annotations

import os
from typing import Any

import httpx

from ..envdefaults import DEFAULT_BASE_URL
from ..errors import CLIError
from ..server.settings import SANDBOX_PREFIX, api_prefix

__all__ = ["DEFAULT_BASE_URL", "Sandbox", "base_url_from_env", "helpers_url"]


def base_url_from_env() -> str | None:
    return os.environ.get("SPACES_BASE_URL") or None


def helpers_url(base_url: str) -> str:
    """Where the helpers of the sandbox whose API is at `base_url` live: the same prefix with
    /sandbox/v1 in place of /api/v1 (`http://h:8000/api/v1` -> `http://h:8000/sandbox/v1`)."""
    base = base_url.rstrip("/")
    prefix = api_prefix()
    if base.endswith(prefix):
        return base[: -len(prefix)] + SANDBOX_PREFIX
    url = httpx.URL(base)
    return str(url.copy_with(path=SANDBOX_PREFIX, query=None, fragment=None))


def _message(response: httpx.Response) -> str:
    from ..spec import default_spec  # at use: `--help` does not load the spec

    try:
        return str(response.json()[default_spec().error_fields.message])
    except (ValueError, KeyError, TypeError):
        return response.text[:200] or response.reason_phrase


class Sandbox:
    """The sandbox at `base_url` as `token`'s account."""

    def __init__(self, base_url: str, token: str, *, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.helpers = helpers_url(self.base_url)
        self.http = httpx.Client(auth=(token, ""), timeout=timeout, trust_env=False)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, method: str, url: str, **kw: Any) -> Any:
        try:
            response = self.http.request(method, url, **kw)
        except httpx.HTTPError as exc:
            raise CLIError(
                f"no sandbox answering at {url} ({type(exc).__name__}: {exc});"
                " start `spaces serve` or pass --base-url (or $SPACES_BASE_URL)"
            ) from None
        if response.status_code == 200:
            try:
                return response.json()
            except ValueError:
                raise CLIError(f"{method} {url}: the answer is not JSON") from None
        message = _message(response)
        if response.status_code == 401:
            raise CLIError(f"the sandbox at {self.base_url} refused the token: {message}")
        if response.status_code in (404, 405) and url.startswith(self.helpers):
            if message.startswith("No such route") or response.status_code == 405:
                raise CLIError(
                    f"{url}: the server offers no sandbox helpers (not a Spaces sandbox, or"
                    " one started with `spaces serve --sandbox off`); on the sandbox's own"
                    " machine, pass --db with its database instead"
                )
        raise CLIError(f"{method} {url}: {response.status_code} {message}")

    # ------------------------------------------------------------ the helpers

    def trigger(self, event_type: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call(
            "POST", f"{self.helpers}/triggers", json={"event_type": event_type}
        )
        return result

    def secrets(self) -> list[str]:
        found = self._call("GET", f"{self.helpers}/webhook_secrets").get("secrets")
        if not isinstance(found, list) or not all(isinstance(s, str) for s in found):
            raise CLIError(f"{self.helpers}/webhook_secrets: unexpected answer")
        return found

    def unsubscribe(self, rs_id: str) -> bool:
        """Remove one of the account's resource subscriptions; False if it was already gone."""
        try:
            self._call("DELETE", f"{self.helpers}/resource_subscriptions/{rs_id}")
        except CLIError as exc:
            if "No such resource subscription" in str(exc):
                return False
            raise
        return True

    # ------------------------------------------------------------ the API

    def subscribe(self, event: str, target_url: str) -> str:
        """POST /resource_subscriptions; the new subscription's id."""
        try:
            created = self._call(
                "POST",
                f"{self.base_url}/resource_subscriptions",
                data={"event": event, "target_url": target_url},
            )
        except CLIError as exc:
            message = str(exc)
            if "private" in message:
                message += "; start the sandbox with `spaces serve --allow-private-targets`"
            raise CLIError(f"subscribing to {event} failed: {message}") from None
        return str(created["id"])
