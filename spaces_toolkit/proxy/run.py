"""Running the proxy: `run_proxy` (the CLI's, until Ctrl-C or `--duration`) and `proxy_in_thread`
(tests and benchmarks). Both serve `Forwarder` with uvicorn (httptools, uvloop when present)."""

from __future__ import annotations

import contextlib
import signal
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn

from spaces_toolkit.proxy.checking import Checker
from spaces_toolkit.proxy.exchange import Exchange
from spaces_toolkit.proxy.forward import Forwarder, Upstream
from spaces_toolkit.proxy.session import Outputs, Session
from spaces_toolkit.proxy.worker import CheckError, CheckProcess, CheckWorker
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


def _server(forwarder: Forwarder, host: str, port: int) -> uvicorn.Server:
    config = uvicorn.Config(
        forwarder,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="on",
        proxy_headers=False,
        server_header=False,  # the upstream's Server and Date headers pass as they are
        date_header=False,
        timeout_keep_alive=30,
    )
    return uvicorn.Server(config)


def _forwarder(upstream: Upstream, session: Session) -> tuple[Forwarder, CheckWorker]:
    """The forwarding app, and the checks behind it: a queue, its thread, the process that
    checks (see `worker`)."""
    spec = session.checker.spec
    checks = CheckProcess(spec.document, spec.notes, session.checker.base_path)

    def check(exchanges: list[Exchange]) -> None:
        try:
            answers = checks.check(exchanges)
        except CheckError as exc:
            answers = [("error", str(exc))] * len(exchanges)
        for exchange, (kind, value) in zip(exchanges, answers, strict=True):
            if kind == "ok":
                session.record(exchange, value)
            else:
                session.record(exchange, [])
                session.check_crashed(exchange, CheckError(value))

    def settled() -> None:
        with contextlib.suppress(CheckError):
            session.checker.adopt(checks.counters())

    worker = CheckWorker(check, session.check_crashed, settled=settled, stopped=checks.close)
    session.worker = worker
    error_field = spec.error_fields.message
    return Forwarder(upstream, worker.put, session.no_answer, error_field=error_field), worker


def run_proxy(options: ProxyOptions, spec: Spec) -> int:
    """Serve until Ctrl-C (or `duration`), print the summary, return the exit status."""
    upstream = Upstream(options.upstream)
    session = _session(options, upstream, spec)
    forwarder, worker = _forwarder(upstream, session)
    server = _server(forwarder, options.host, options.port)
    began = time.monotonic()
    if options.duration is not None:
        timer = threading.Timer(options.duration, lambda: setattr(server, "should_exit", True))
        timer.daemon = True
        timer.start()
    options.outputs.print(
        f"spaces proxy: http://{options.host}:{options.port}{upstream.base_path} →"
        f" {upstream.url} (Ctrl-C to stop)"
    )
    # uvicorn stops gracefully on INT and TERM, then raises the signal again with the handler it
    # found: for TERM (a service manager's stop) that must not end the process before the
    # checks finish and the summary is written.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminated)
    try:
        server.run()
    except (KeyboardInterrupt, _Terminated):
        pass  # uvicorn shut down gracefully and re-raised the signal: the summary follows
    worker.stop()  # what is still queued is checked before the summary
    session.seconds = time.monotonic() - began
    if not server.started:
        session.errors.append(f"could not listen on {options.host}:{options.port}")
    session.close()
    return 2 if not server.started else session.exit_code


class _Terminated(Exception):
    """TERM arrived (raised by its handler once uvicorn has shut down)."""


def _terminated(signum: int, frame: object) -> None:
    raise _Terminated


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
    forwarder, worker = _forwarder(upstream, session)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = _server(forwarder, "127.0.0.1", port)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    began = time.monotonic()
    try:
        while not server.started:
            if not thread.is_alive() or time.monotonic() - began > 30:
                raise RuntimeError("spaces proxy thread did not start")
            time.sleep(0.01)
        root = f"http://127.0.0.1:{port}"
        yield RunningProxy(root + upstream.base_path, root, session)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
        worker.stop()
        session.seconds = time.monotonic() - began
        session.close()


def _quiet(line: str) -> None:
    pass
