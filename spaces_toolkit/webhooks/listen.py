"""`spaces listen`: receive a running sandbox's webhooks on this machine, like `stripe listen`.

It subscribes a local receiver to the chosen event types through the API (so the sandbox must
run with `--allow-private-targets`), verifies each delivery once, prints one line per event (or
the whole event with --json), optionally forwards what it verified to your app and answers the
sandbox with your app's status, and on exit (Ctrl-C, SIGTERM) removes its subscriptions.

It needs only the sandbox's base URL and a token: the signing secrets and the removal go through
the sandbox helpers (/sandbox/v1, server/sandbox/routes.py; the API itself has no unsubscribe
operation, spec/NOTES.md 36). With `--db` (the sandbox's own database, on its machine) they go
through the database instead.

What reaches your app is only what was verified: the body whose signature matched, the three
Standard Webhooks headers that signature covers (`webhook-id`, `webhook-timestamp`,
`webhook-signature`), `Content-Type: application/json`, and `Spaces-Webhook-Id`,
`Spaces-Event-Id`, `Spaces-Event-Type` rebuilt from the signed id and the verified body. Nothing
else the sender added (Authorization, Cookie, altered Spaces-* headers) is forwarded. An exact
replay of a delivery (same `webhook-id` and timestamp) within the timestamp tolerance is refused
with 409; a sender's retry (same id, new timestamp, new signature) is forwarded. Bodies are read
with a size cap and a deadline; a missing, repeated or non-numeric Content-Length is a 400.
"""

from __future__ import annotations

import contextlib
import dataclasses
import heapq
import http.server
import ipaddress
import json
import re
import secrets as _random
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from types import FrameType
from typing import Any

import httpx

from ..errors import CLIError
from ..server.signing import (
    DEFAULT_TOLERANCE,
    HEADER_ID,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    SignatureError,
    VerificationError,
    verify,
)
from ..server.storage.database import Database
from ..server.storage.repo.accounts import account_for_token
from ..server.storage.repo.hooks import unsubscribe_by_id
from ..server.storage.repo.signing_secrets import signing_secrets, valid_secrets
from .remote import Sandbox

__all__ = ["ListenConfig", "ReplayMemory", "current_secret", "forwarded_headers", "listen"]

MAX_BODY = 1024 * 1024
READ_TIMEOUT = 10.0  # seconds for the request head, and in all for the body
_DIGITS = re.compile(r"[0-9]{1,12}")


@dataclasses.dataclass(frozen=True)
class ListenConfig:
    base_url: str
    token: str
    events: tuple[str, ...]
    forward_to: str | None
    port: int  # 0: any free port
    print_json: bool
    secret: str | None  # None: the account's valid secrets, from the sandbox (or --db)
    host: str | None = None  # address to listen on; None: the one facing the sandbox
    public_url: str | None = None  # how the sandbox reaches this listener, if not host:port


class _Stop(KeyboardInterrupt):
    """SIGTERM, raised in the main thread like Ctrl-C's KeyboardInterrupt."""


class ReplayMemory:
    """The (webhook-id, timestamp) pairs seen, each kept while its timestamp is within the
    tolerance (after that, verification refuses it anyway)."""

    def __init__(self, tolerance: float = DEFAULT_TOLERANCE) -> None:
        self.tolerance = tolerance
        self.seen: set[tuple[str, str]] = set()
        self.expiry: list[tuple[float, tuple[str, str]]] = []
        self.lock = threading.Lock()

    def first_time(self, webhook_id: str, timestamp: str, *, now: float | None = None) -> bool:
        """Remember the pair; False if it was seen already (a replay)."""
        now = time.time() if now is None else now
        key = (webhook_id, timestamp)
        with self.lock:
            while self.expiry and self.expiry[0][0] < now:
                self.seen.discard(heapq.heappop(self.expiry)[1])
            if key in self.seen:
                return False
            self.seen.add(key)
            heapq.heappush(self.expiry, (int(timestamp) + self.tolerance, key))
            return True


def forwarded_headers(headers: Mapping[str, str], event: Mapping[str, Any]) -> dict[str, str]:
    """What goes on to the app: the signed headers and the Spaces-* ones from signed data."""
    lowered = {k.lower(): v for k, v in headers.items()}
    return {
        "Content-Type": "application/json",
        "User-Agent": "spaces-listen",
        HEADER_ID: lowered[HEADER_ID].strip(),
        HEADER_TIMESTAMP: lowered[HEADER_TIMESTAMP].strip(),
        HEADER_SIGNATURE: lowered[HEADER_SIGNATURE].strip(),
        "Spaces-Webhook-Id": lowered[HEADER_ID].strip(),
        "Spaces-Event-Id": str(event["id"]),
        "Spaces-Event-Type": str(event["type"]),
    }


class _DbAccount:
    """Secrets and removal through the sandbox's database (`--db`)."""

    def __init__(self, db: Database, token: str) -> None:
        self.db = db
        with db.read() as tx:
            account_id = account_for_token(tx, token)
        if account_id is None:
            raise CLIError("the access token is not an account of the sandbox database (--db)")
        self.account_id = account_id

    def secrets(self, *, refresh: bool = False) -> list[str]:
        with self.db.read() as tx:  # read each time: a rotation while listening just works
            return valid_secrets(tx, self.account_id)

    def unsubscribe(self, rs_id: str) -> bool:
        with self.db.write() as tx:
            return unsubscribe_by_id(tx, self.account_id, rs_id)


class _HttpAccount:
    """Secrets and removal through the sandbox helpers; the secrets are fetched again when no
    signature matches (a rotation while listening), at most once a second."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.lock = threading.Lock()
        self.cached = sandbox.secrets()  # also proves the token and the helpers at start
        self.fetched = time.monotonic()

    def secrets(self, *, refresh: bool = False) -> list[str]:
        with self.lock:
            if refresh and time.monotonic() - self.fetched >= 1.0:
                with contextlib.suppress(CLIError):
                    self.cached = self.sandbox.secrets()
                self.fetched = time.monotonic()
            return list(self.cached)

    def unsubscribe(self, rs_id: str) -> bool:
        return self.sandbox.unsubscribe(rs_id)


class _GivenSecret:
    """`--secret`: verify with that one; remove subscriptions as `account` does."""

    def __init__(self, secret: str, account: _DbAccount | _HttpAccount) -> None:
        self.secret = secret
        self.unsubscribe = account.unsubscribe

    def secrets(self, *, refresh: bool = False) -> list[str]:
        return [self.secret]


_Account = _DbAccount | _HttpAccount | _GivenSecret


def current_secret(base_url: str, token: str, db: Database | None = None) -> str:
    """The account's newest signing secret, the one its deliveries are signed with now (from
    the sandbox helpers, or from the sandbox's database with `db`)."""
    if db is not None:
        return signing_secrets(db, _DbAccount(db, token).account_id)[0]
    with Sandbox(base_url, token) as sandbox:
        found = sandbox.secrets()
    if not found:
        raise CLIError(f"the sandbox at {base_url} has no signing secret for this account")
    return found[0]


class _Listener:
    def __init__(self, config: ListenConfig, account: _Account, out: Any):
        self.config = config
        self.account = account
        self.out = out
        self.lock = threading.Lock()
        self.replays = ReplayMemory()
        self.forwarder = httpx.Client(timeout=30.0, follow_redirects=False, trust_env=False)

    def say(self, line: str) -> None:
        with self.lock:
            print(line, file=self.out, flush=True)

    def _verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        try:
            verify(body, headers, self.account.secrets())
        except SignatureError:
            verify(body, headers, self.account.secrets(refresh=True))

    def handle(self, body: bytes, headers: Mapping[str, str]) -> int:
        stamp = time.strftime("%H:%M:%S")
        try:
            self._verify(body, headers)
            event = json.loads(body)
            if not isinstance(event, dict) or not all(
                isinstance(event.get(k), str) for k in ("id", "type")
            ):
                raise ValueError("the body is not an event (no string id and type)")
        except (VerificationError, ValueError) as exc:
            self.say(f"{stamp}  rejected a delivery that failed verification: {exc}")
            return 400
        sent = forwarded_headers(headers, event)
        wid = sent[HEADER_ID]
        if not self.replays.first_time(wid, sent[HEADER_TIMESTAMP]):
            self.say(f"{stamp}  rejected a replay of webhook {wid} (same id and timestamp)")
            return 409
        line = f"{stamp}  {event['type']}  {event['id']}  webhook {wid}  verified"
        status = 200
        if self.config.forward_to:
            status, result = self.forward(body, sent)
            line += f"  → {result} POST {self.config.forward_to}"
        self.say(line)
        if self.config.print_json:
            self.say(json.dumps(event, indent=2))
        return status

    def forward(self, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        assert self.config.forward_to
        try:
            response = self.forwarder.post(self.config.forward_to, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return 502, f"[{type(exc).__name__}]"
        return response.status_code, f"[{response.status_code}]"


def _read_body(rfile: Any, length: int, deadline: float) -> bytes | None:
    """Exactly `length` bytes, or None if the sender stops early or takes past `deadline`
    (each read is also bounded by the socket's timeout)."""
    chunks, size = [], 0
    while size < length:
        if time.monotonic() > deadline:
            return None
        chunk = rfile.read1(min(65536, length - size))
        if not chunk:
            return None
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _handler(
    listener: Callable[[bytes, Mapping[str, str]], int], path: str
) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        timeout = READ_TIMEOUT  # the socket's: a silent or trickling sender is cut off

        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            started = time.monotonic()
            if self.path != path:
                return self._answer(404)
            if self.headers.get("Transfer-Encoding") is not None:
                return self._answer(400)  # a webhook has a Content-Length
            lengths = self.headers.get_all("Content-Length") or []
            if len(lengths) != 1 or not _DIGITS.fullmatch(lengths[0].strip()):
                return self._answer(400 if lengths else 411)
            length = int(lengths[0].strip())
            if length > MAX_BODY:
                return self._answer(413)
            try:
                body = _read_body(self.rfile, length, started + READ_TIMEOUT)
            except TimeoutError:
                body = None
            if body is None:
                return self._answer(408)
            self._answer(listener(body, {k: v for k, v in self.headers.items()}))

        def _answer(self, status: int) -> None:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.send_header("Connection", "close")
                self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


def _is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def local_address_facing(base_url: str) -> str:
    """This machine's address on the route to the sandbox (no packet is sent): what a sandbox
    on another host can reach us at. Loopback for a sandbox on this machine."""
    url = httpx.URL(base_url)
    if _is_loopback(url.host):
        return "127.0.0.1"
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            url.host, url.port or 80, type=socket.SOCK_DGRAM
        )[0]
        with socket.socket(family, kind, proto) as probe:
            probe.connect(address)
            return str(probe.getsockname()[0])
    except OSError as exc:
        raise CLIError(
            f"cannot tell which address of this machine {url.host} reaches ({exc}); pass --host"
        ) from None


def _bind(host: str, port: int, handler: type[http.server.BaseHTTPRequestHandler]) -> Any:
    server_class = type(
        "Server",
        (http.server.ThreadingHTTPServer,),
        {"address_family": socket.AF_INET6 if ":" in host else socket.AF_INET},
    )
    try:
        return server_class((host, port), handler)
    except OSError as exc:
        raise CLIError(f"cannot listen on {host}:{port}: {exc}") from None


@contextlib.contextmanager
def _terminate_as_stop() -> Iterator[None]:
    def raise_stop(signum: int, frame: FrameType | None) -> None:
        raise _Stop()

    previous = signal.signal(signal.SIGTERM, raise_stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def listen(config: ListenConfig, db: Database | None = None, *, out: Any = None) -> int:
    """Run until Ctrl-C or SIGTERM; always remove the subscriptions made."""
    out = sys.stdout if out is None else out
    with Sandbox(config.base_url, config.token) as sandbox:
        found: _DbAccount | _HttpAccount = (
            _DbAccount(db, config.token) if db is not None else _HttpAccount(sandbox)
        )
        account: _Account = _GivenSecret(config.secret, found) if config.secret else found
        listener = _Listener(config, account, out)
        host = config.host or local_address_facing(config.base_url)
        path = f"/spaces-listen/{_random.token_hex(6)}"
        server = _bind(host, config.port, _handler(listener.handle, path))
        threading.Thread(target=server.serve_forever, args=(0.1,), daemon=True).start()
        port = server.server_address[1]
        where = f"[{host}]" if ":" in host else host
        root = (config.public_url or f"http://{where}:{port}").rstrip("/")
        target = f"{root}{path}"
        ids: list[str] = []
        try:
            with _terminate_as_stop():
                for event in config.events:  # each id kept at once: an interruption
                    ids.append(sandbox.subscribe(event, target))  # still removes them
                forward = f", forwarding to {config.forward_to}" if config.forward_to else ""
                print(
                    f"Ready: listening for {', '.join(config.events)} on {target}{forward}."
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
                removed = sum(1 for rs_id in ids if account.unsubscribe(rs_id))
                print(
                    f"Removed {removed} resource subscription(s) of this session.",
                    file=sys.stderr,
                )
    return 0
