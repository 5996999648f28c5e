"""A loopback HTTP proxy that adds a fixed delay to every request, like a real AWS round trip.

The emulator answers in milliseconds and is CPU-bound; real AWS is latency-bound (tens of ms per
call). Putting this proxy between the scanner and the emulator shows what concurrency buys when
each call waits on the network. TCP_NODELAY is set on both sides (else each response gains ~40 ms
from Nagle + delayed ACK). Listens on 127.0.0.1 only.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade"}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    upstream: tuple[str, int] = ("127.0.0.1", 5000)
    delay_s: float = 0.03
    _local = threading.local()

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _conn(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = http.client.HTTPConnection(*self.upstream, timeout=60)
            conn.connect()
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._local.conn = conn
        return conn

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        time.sleep(self.delay_s)
        for attempt in range(2):
            try:
                conn = self._conn()
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                break
            except (http.client.HTTPException, OSError):
                self._local.conn = None
                if attempt:
                    raise
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in HOP_BY_HOP and k.lower() != "content-length":
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward


class LatencyProxy:
    """``with LatencyProxy(upstream_url, delay_ms=30) as url: ...``"""

    def __init__(self, upstream_url: str, delay_ms: float = 30.0) -> None:
        parsed = urlparse(upstream_url)
        handler = type(
            "Handler",
            (_Handler,),
            {
                "upstream": (parsed.hostname or "127.0.0.1", parsed.port or 80),
                "delay_s": delay_ms / 1000.0,
                "_local": threading.local(),
            },
        )
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> str:
        self.thread.start()
        return self.url

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
