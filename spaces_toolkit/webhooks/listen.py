"""`spaces listen`: receive a running sandbox's webhooks on this machine, like `stripe listen`.

It subscribes a local receiver to the chosen event types through the API (so the sandbox must
run with `--allow-private-targets`), verifies each delivery's signature, prints one line per
event (or the whole event with --json), optionally forwards the delivery to your app with its
original headers and answers the sandbox with your app's status, and on exit (Ctrl-C, SIGTERM)
removes its subscriptions. The API has no unsubscribe operation (spec/NOTES.md 36), so removal
goes through the sandbox's database (`--db`, as for `spaces trigger`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import http.server
import json
import random
import secrets as _random
import signal
import sys
import threading
import time
from collections.abc import Iterator
from types import FrameType
from typing import Any

import httpx

from ..errors import CLIError
from ..server.db import Database
from ..server.repo.accounts import account_for_token
from ..server.repo.hooks import remove_resource_subscription
from ..server.repo.signing_secrets import valid_secrets
from ..server.signing import VerificationError, verify

__all__ = ["ListenConfig", "listen"]

MAX_BODY = 1024 * 1024
# Headers that describe one hop, not the delivery: not forwarded to the app.
_HOP_HEADERS = frozenset(
    {"host", "content-length", "connection", "transfer-encoding", "keep-alive"}
)


@dataclasses.dataclass(frozen=True)
class ListenConfig:
    base_url: str
    token: str
    events: tuple[str, ...]
    forward_to: str | None
    port: int  # 0: any free port the API accepts in a target_url (below 10000)
    print_json: bool
    secret: str | None  # None: read the account's valid secrets from the database


class _Stop(KeyboardInterrupt):
    """SIGTERM, raised in the main thread like Ctrl-C's KeyboardInterrupt."""


def _bind(port: int, handler: type[http.server.BaseHTTPRequestHandler]) -> http.server.HTTPServer:
    if port:
        try:
            return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
        except OSError as exc:
            raise CLIError(f"cannot listen on 127.0.0.1:{port}: {exc}") from None
    # The spec's target_url pattern allows at most four port digits: no ephemeral ports.
    rng = random.Random()
    for _ in range(200):
        with contextlib.suppress(OSError):
            return http.server.ThreadingHTTPServer(("127.0.0.1", rng.randint(2000, 9999)), handler)
    raise CLIError("no free port below 10000 on 127.0.0.1; pass --port")


class _Listener:
    def __init__(self, config: ListenConfig, db: Database, account_id: int, out: Any) -> None:
        self.config = config
        self.db = db
        self.account_id = account_id
        self.out = out
        self.lock = threading.Lock()
        self.forwarder = httpx.Client(timeout=30.0, follow_redirects=False, trust_env=False)

    def secrets(self) -> list[str]:
        if self.config.secret:
            return [self.config.secret]
        with self.db.read() as tx:  # read each time: a rotation while listening just works
            return valid_secrets(tx, self.account_id)

    def say(self, line: str) -> None:
        with self.lock:
            print(line, file=self.out, flush=True)

    def handle(self, body: bytes, headers: dict[str, str]) -> int:
        stamp = time.strftime("%H:%M:%S")
        try:
            verify(body, headers, self.secrets())
            event = json.loads(body)
        except (VerificationError, ValueError) as exc:
            self.say(f"{stamp}  rejected a delivery that failed verification: {exc}")
            return 400
        wid = {k.lower(): v for k, v in headers.items()}.get("webhook-id", "?")
        line = f"{stamp}  {event.get('type')}  {event.get('id')}  webhook {wid}  verified"
        status = 200
        if self.config.forward_to:
            status, result = self.forward(body, headers)
            line += f"  → {result} POST {self.config.forward_to}"
        self.say(line)
        if self.config.print_json:
            self.say(json.dumps(event, indent=2))
        return status

    def forward(self, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        assert self.config.forward_to
        sent = {k: v for k, v in headers.items() if k.lower() not in _HOP_HEADERS}
        try:
            response = self.forwarder.post(self.config.forward_to, content=body, headers=sent)
        except httpx.HTTPError as exc:
            return 502, f"[{type(exc).__name__}]"
        return response.status_code, f"[{response.status_code}]"


def _handler(listener: _Listener, path: str) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            length = int(self.headers.get("Content-Length") or 0)
            if self.path != path or length > MAX_BODY:
                self._answer(404 if self.path != path else 413)
                return
            body = self.rfile.read(length)
            self._answer(listener.handle(body, dict(self.headers.items())))

        def _answer(self, status: int) -> None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@contextlib.contextmanager
def _terminate_as_stop() -> Iterator[None]:
    def raise_stop(signum: int, frame: FrameType | None) -> None:
        raise _Stop()

    previous = signal.signal(signal.SIGTERM, raise_stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _subscribe(config: ListenConfig, target: str, ids: list[str]) -> None:
    """Subscribe `target` to each event type, appending each new id to `ids` at once (so an
    interruption half-way still removes what was made)."""
    with httpx.Client(base_url=config.base_url, auth=(config.token, ""), timeout=10.0) as api:
        for event in config.events:
            try:
                response = api.post(
                    "/resource_subscriptions", data={"event": event, "target_url": target}
                )
            except httpx.HTTPError as exc:
                raise _SubscribeError(
                    f"no sandbox answering at {config.base_url} ({exc}); start `spaces serve`"
                ) from None
            if response.status_code != 200:
                message = _message(response)
                if "private" in message:
                    message += "; start the sandbox with `spaces serve --allow-private-targets`"
                raise _SubscribeError(f"subscribing to {event} failed: {message}")
            ids.append(str(response.json()["id"]))


class _SubscribeError(Exception):
    pass


def _message(response: httpx.Response) -> str:
    try:
        return f"{response.status_code} {response.json()['message']}"
    except (ValueError, KeyError, TypeError):
        return f"{response.status_code} {response.text[:200]}"


def _unsubscribe(db: Database, account_id: int, ids: list[str]) -> int:
    removed = 0
    with db.write() as tx:
        for rs_id in ids:
            row = tx.one(
                "SELECT seq FROM resource_subscriptions WHERE account_id = ? AND id = ?"
                " AND deleted = 0",
                (account_id, rs_id),
            )
            if row is not None:
                remove_resource_subscription(tx, int(row["seq"]))
                removed += 1
    return removed


def listen(
    config: ListenConfig,
    db: Database,
    *,
    out: Any = None,
) -> int:
    """Run until Ctrl-C or SIGTERM; always remove the subscriptions made."""
    out = sys.stdout if out is None else out
    with db.read() as tx:
        account_id = account_for_token(tx, config.token)
    if account_id is None:
        raise CLIError("the access token is not an account of the sandbox database (--db)")
    listener = _Listener(config, db, account_id, out)
    path = f"/spaces-listen/{_random.token_hex(6)}"
    server = _bind(config.port, _handler(listener, path))
    threading.Thread(target=server.serve_forever, args=(0.1,), daemon=True).start()
    target = f"http://127.0.0.1:{server.server_address[1]}{path}"
    ids: list[str] = []
    try:
        with _terminate_as_stop():
            try:
                _subscribe(config, target, ids)
            except _SubscribeError as exc:
                raise CLIError(str(exc)) from None
            where = f", forwarding to {config.forward_to}" if config.forward_to else ""
            print(
                f"Ready: listening for {', '.join(config.events)} on {target}{where}."
                " Verifying signatures. Ctrl-C to stop.",
                file=sys.stderr,
                flush=True,
            )
            try:
                while True:
                    time.sleep(0.2)
            except KeyboardInterrupt:  # Ctrl-C, or SIGTERM as _Stop
                pass
    finally:
        server.shutdown()
        server.server_close()
        listener.forwarder.close()
        if ids:
            removed = _unsubscribe(db, account_id, ids)
            print(f"Removed {removed} resource subscription(s) of this session.", file=sys.stderr)
    return 0
