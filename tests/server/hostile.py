"""A webhook receiver that misbehaves on purpose, on raw sockets so nothing smooths it over.

Paths: `/ok` answers 200 at once; `/slow/SECONDS` answers 200 after that long; `/trickle`
sends a status line and then one header line every 0.2 s, forever; `/trickle-body` sends a
complete 200 head and then one body byte every 0.2 s, forever; `/never` reads the request and
never answers; `/answer/STATUS?Name=value` answers that status with those headers, their values
percent-decoded to raw bytes (`Retry-After=%B2` sends the byte 0xB2). Every request is logged
with its `Spaces-Webhook-Id`, when it arrived and when the sender hung up
(`closed`), so tests can check deadlines and overlaps."""

from __future__ import annotations

import dataclasses
import random
import socket
import socketserver
import threading
import time
import urllib.parse
from typing import Any


@dataclasses.dataclass
class Hit:
    path: str
    webhook_id: str
    arrived: float
    closed: float | None = None


class HostileReceiver:
    def __init__(self) -> None:
        self.hits: list[Hit] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        receiver = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                receiver._handle(self.request)

        self.server = _low_port_server(Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def by_path(self, prefix: str) -> list[Hit]:
        with self.lock:
            return [h for h in self.hits if h.path.startswith(prefix)]

    def close(self) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()

    def _handle(self, sock: socket.socket) -> None:
        sock.settimeout(30)
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(65536)
            if not chunk:
                return
            head += chunk
        lines = head.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        path = lines[0].split(" ")[1]
        headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
        hit = Hit(path, headers.get("Spaces-Webhook-Id", ""), time.time())
        with self.lock:
            self.hits.append(hit)
        try:
            self._answer(sock, path)
        except OSError:
            pass
        finally:
            hit.closed = time.time()

    def _answer(self, sock: socket.socket, path: str) -> None:
        ok = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        if path.startswith("/answer/"):
            route, _, query = path.partition("?")
            head = [f"HTTP/1.1 {route.split('/')[2]} Whatever\r\n".encode()]
            for name, value in urllib.parse.parse_qsl(query, encoding="latin-1"):
                head.append(name.encode("latin-1") + b": " + value.encode("latin-1") + b"\r\n")
            sock.sendall(b"".join([*head, b"Content-Length: 0\r\nConnection: close\r\n\r\n"]))
        elif path.startswith("/slow/"):
            self._wait_or_hangup(sock, float(path.split("?")[0].split("/")[2]))
            sock.sendall(ok)
        elif path == "/trickle-body":
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n")
            while not self.stopping.is_set():
                sock.sendall(b"x")
                if self._wait_or_hangup(sock, 0.2):
                    return
        elif path == "/trickle":
            sock.sendall(b"HTTP/1.1 200 OK\r\n")
            n = 0
            while not self.stopping.is_set():
                n += 1
                sock.sendall(f"X-Trickle-{n}: {'x' * 10}\r\n".encode())
                if self._wait_or_hangup(sock, 0.2):
                    return
        elif path == "/never":
            self._wait_or_hangup(sock, 3600)
        else:
            sock.sendall(ok)
        self._wait_or_hangup(sock, 0.5)  # let the sender close first, to time its hang-up

    def _wait_or_hangup(self, sock: socket.socket, seconds: float) -> bool:
        """Sleep up to `seconds`; True as soon as the peer closes the connection."""
        end = time.monotonic() + seconds
        while not self.stopping.is_set():
            left = end - time.monotonic()
            if left <= 0:
                return False
            sock.settimeout(min(left, 0.05))
            try:
                if sock.recv(4096) == b"":
                    return True
            except TimeoutError:
                continue
        return True


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def _low_port_server(handler: Any) -> socketserver.ThreadingTCPServer:
    """A free port below 10000: the spec's target_url pattern allows at most four port digits."""
    rng = random.Random()
    for _ in range(200):
        try:
            return _Server(("127.0.0.1", rng.randint(2000, 9999)), handler)
        except OSError:
            continue
    raise RuntimeError("no free low port")
