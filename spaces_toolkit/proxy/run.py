"""Running the proxy: `run_proxy` (the CLI's, until Ctrl-C, TERM or `--duration`) and
`proxy_in_thread` (tests and benchmarks). Both serve the `frontend` in an event loop of their
own (uvloop when present)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spaces_toolkit.proxy.checking import Checker
from spaces_toolkit.proxy.exchange import Exchange
from spaces_toolkit.proxy.forward import Forwarder, Upstream
from spaces_toolkit.proxy.frontend import FrontEnd
from spaces_toolkit.proxy.session import Outputs, Session
from spaces_toolkit.proxy.worker import CheckChannel, CheckError, CheckProcess
from spaces_toolkit.spec import SPEC_PATH, Spec, default_spec, load

__all__ = ["ProxyOptions", "RunningProxy", "load_spec_source", "proxy_in_thread", "run_proxy"]


@dataclass
class ProxyOptions:
    upstream: str
    port: int = 8080
    host: str = "127.0.0.1"
    spec: str = str(SPEC_PATH)
    duration: float | None = None  # seconds; None: until Ctrl-C
    outputs: Outputs = field(default_factory=Outputs)


def load_spec_source(source: str) -> Spec:
    """The spec at a path or URL (the shipped one by default). Raises SpecError / OSError."""
    if source == str(SPEC_PATH):
        return default_spec()
    if "://" in source:
        return load(source)
    return load(Path(source))


def _session(options: ProxyOptions, upstream: Upstream, spec: Spec) -> Session:
    checker = Checker(spec, upstream.base_path or None)
    return Session(checker, options.outputs, source=upstream.url, spec=options.spec)


def _new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


class _Serving:
    """The front end in an event loop: `serve()` listens, runs until `stop()` (from any thread,
    or a signal handler), then lets the requests being served finish."""

    def __init__(self, parts: _Parts, session: Session) -> None:
        self.front = FrontEnd(parts.forwarder, session.proxy_error)
        self.channel = parts.channel
        self.started = threading.Event()
        self.error: str | None = None  # why it could not listen
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None

    def serve(
        self,
        *,
        host: str | None = None,
        port: int | None = None,
        sock: socket.socket | None = None,
        on_start: Callable[[], None] | None = None,
        signals: bool = False,
    ) -> None:
        loop = _new_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._main(host, port, sock, on_start, signals))
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
            self.started.set()  # (also when it never started: whoever waits, wakes)

    async def _main(
        self,
        host: str | None,
        port: int | None,
        sock: socket.socket | None,
        on_start: Callable[[], None] | None,
        signals: bool,
    ) -> None:
        self._stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        try:
            await self.front.start(host, port, sock=sock)
        except OSError as exc:
            self.error = f"could not listen on {host}:{port}: {exc.strerror or exc}"
            await self.front.forwarder.close()
            return
        await self.channel.open()
        if signals:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, self._stop.set)
        self.started.set()
        if on_start is not None:
            on_start()
        try:
            await self._stop.wait()
        finally:
            if signals:
                for sig in (signal.SIGINT, signal.SIGTERM):
                    loop.remove_signal_handler(sig)
            await self.front.stop()
            await self.channel.finish()  # every exchange checked before the summary

    def stop(self) -> None:
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(stop.set)

    @property
    def listening(self) -> bool:
        return self.started.is_set() and self.error is None


@dataclass
class _Parts:
    """The forwarder, and the checks behind it: the channel its event loop feeds, the process
    that checks (see `worker`)."""

    forwarder: Forwarder
    channel: CheckChannel
    checks: CheckProcess


def _parts(upstream: Upstream, session: Session) -> _Parts:
    spec = session.checker.spec
    checks = CheckProcess(spec.document, spec.notes, session.checker.base_path)

    def record(exchange: Exchange, result: tuple[str, Any]) -> None:
        kind, value = result
        if kind == "ok":
            session.record(exchange, value)
        else:
            crashed(exchange, CheckError(value))

    def crashed(exchange: Exchange, exc: BaseException) -> None:
        session.record(exchange, [])
        session.check_crashed(exchange, exc)

    channel = CheckChannel(checks.socket(), record, crashed, session.checker.adopt)
    session.worker = channel
    error_field = spec.error_fields.message  # the field of an error body that holds its message
    forwarder = Forwarder(upstream, channel.put, session.no_answer, error_field=error_field)
    return _Parts(forwarder, channel, checks)


def run_proxy(options: ProxyOptions, spec: Spec) -> int:
    """Serve until Ctrl-C, TERM (a service manager's stop) or `duration`; print the summary,
    return the exit status."""
    upstream = Upstream(options.upstream)
    session = _session(options, upstream, spec)
    parts = _parts(upstream, session)
    serving = _Serving(parts, session)
    began = time.monotonic()
    if options.duration is not None:
        timer = threading.Timer(options.duration, serving.stop)
        timer.daemon = True
        timer.start()

    def banner() -> None:
        options.outputs.print(
            f"spaces proxy: http://{options.host}:{options.port}{upstream.base_path} →"
            f" {upstream.url} (Ctrl-C to stop)"
        )

    signals = threading.current_thread() is threading.main_thread()
    with contextlib.suppress(KeyboardInterrupt):  # a Ctrl-C before the handlers are set
        serving.serve(host=options.host, port=options.port, on_start=banner, signals=signals)
    parts.channel.close()
    parts.checks.close()  # the channel had the checks answer what was sent before the loop ended
    session.seconds = time.monotonic() - began
    if serving.error is not None:
        print(f"spaces proxy: {serving.error}", file=sys.stderr, flush=True)
        session.errors.append(serving.error)
    session.close()
    return 2 if serving.error is not None else session.exit_code


@dataclass(frozen=True)
class RunningProxy:
    url: str  # the proxy's base URL: its root plus the upstream's base path
    root: str
    session: Session


@contextlib.contextmanager
def proxy_in_thread(
    upstream_url: str, spec: Spec | None = None, outputs: Outputs | None = None
) -> Iterator[RunningProxy]:
    """A proxy on a free loopback port in a background thread; the session is closed (summary,
    files written) on exit."""
    upstream = Upstream(upstream_url)
    options = ProxyOptions(upstream=upstream_url, outputs=outputs or Outputs(print=_quiet))
    session = _session(options, upstream, spec or default_spec())
    parts = _parts(upstream, session)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    serving = _Serving(parts, session)
    thread = threading.Thread(target=serving.serve, kwargs={"sock": sock}, daemon=True)
    thread.start()
    began = time.monotonic()
    try:
        if not serving.started.wait(30) or not serving.listening:
            raise RuntimeError(f"spaces proxy thread did not start: {serving.error}")
        root = f"http://127.0.0.1:{port}"
        yield RunningProxy(root + upstream.base_path, root, session)
    finally:
        serving.stop()
        thread.join(timeout=90)
        sock.close()
        parts.channel.close()
        parts.checks.close()
        session.seconds = time.monotonic() - began
        session.close()


def _quiet(line: str) -> None:
    pass
