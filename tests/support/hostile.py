"""A small hostile HTTP server on 127.0.0.1: trickles, floods, endless Retry-After, empty 200s."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MIB = 1024 * 1024


class Handler(BaseHTTPRequestHandler):
    """Behaves as `server.mode` says, for every request."""

    protocol_version = "HTTP/1.1"
    server: HostileServer

    def log_message(self, format: str, *args: object) -> None:
        return

    def _drain(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(length)

    def do_GET(self) -> None:
        self._drain()
        self.server.requests.append(f"{self.command} {self.path}")
        getattr(self, f"_{self.server.mode}")()

    do_POST = do_PUT = do_DELETE = do_GET

    def _trickle(self) -> None:
        """A 200 that promises 1,000 bytes and sends one every `server.pace` seconds."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        try:
            for _ in range(1000):
                if self.server.stopping.is_set():
                    return
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(self.server.pace)
        except OSError:
            return

    def _flood(self) -> None:
        """A 200 of `server.size` bytes, chunked (no Content-Length to refuse it early)."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        block = b" " * 65536
        try:
            for _ in range(self.server.size // len(block)):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(block), block))
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            return

    def _declared_flood(self) -> None:
        """A 200 that declares a body of 1 GiB (and sends none of it)."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(1024 * MIB))
        self.end_headers()

    def _throttle(self) -> None:
        """429 with Retry-After: 99999999 on every answer."""
        body = b'{"message": "Too Many Attempts.", "code": "RATE_LIMIT_EXCEEDED"}'
        self.send_response(429)
        self.send_header("Content-Type", "application/json")
        self.send_header("Retry-After", "99999999")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _echo_token(self) -> None:
        """422 whose error field names and message repeat the Authorization header."""
        auth = self.headers.get("authorization", "")
        body = json.dumps({"message": f"bad {auth}", "errors": {auth: [f"no {auth}"]}}).encode()
        self.send_response(422)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _empty(self) -> None:
        """200 with an empty body."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "0")
        self.end_headers()


class HostileServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, mode: str, pace: float = 0.2, size: int = 8 * MIB) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.mode = mode
        self.pace = pace
        self.size = size
        self.requests: list[str] = []
        self.stopping = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/api"


@contextmanager
def hostile(mode: str, **options: float) -> Iterator[HostileServer]:
    """A server in `mode` (trickle, flood, declared_flood, throttle, empty), stopped after."""
    server = HostileServer(mode, **options)  # type: ignore[arg-type]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
