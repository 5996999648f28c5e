"""A loopback HTTP proxy in front of the emulator: AWS-like latency and AWS-shaped faults.

moto has no latency or fault injection. The emulator answers in milliseconds and is CPU-bound;
real AWS is latency-bound (tens of ms per call), throttles, and denies. Between a client and the
emulator this proxy adds a fixed delay per request and, per operation, answers a share of
requests with the error AWS would send (throttling or access denied, in the service's own wire
format), or with a given 200 body (a malformed answer), so benchmarks and tests can exercise
retries, UNKNOWN verdicts, the circuit breaker and malformed bodies end to end. TCP_NODELAY
is set on both sides (else each response gains ~40 ms from Nagle and delayed ACKs). It listens
on 127.0.0.1 only.
"""

from __future__ import annotations

import http.client
import json
import random
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


@dataclass(frozen=True, slots=True)
class Fault:
    """Answer ``rate`` of the requests for ``operation`` (e.g. "DescribeTimeToLive") with
    ``kind``: "throttle" (ThrottlingException / Throttling), "deny" (AccessDenied) or "reply"
    (HTTP 200 with ``reply`` as the body, JSON or XML as the service speaks).
    ``body_contains``: only requests whose body holds this text (e.g. ``'"catalog"'`` for one
    table's calls), as IAM can deny an action on one resource."""

    operation: str
    kind: str = "throttle"
    rate: float = 1.0
    body_contains: str | None = None
    reply: bytes = b""


def _operation(headers: dict[str, str], body: bytes | None) -> str:
    """The API operation of a request: X-Amz-Target for JSON services, Action= for query ones."""
    target = headers.get("x-amz-target", "")
    if target:
        return target.rsplit(".", 1)[-1]
    if body and b"Action=" in body:
        action = parse_qs(body.decode("utf-8", "replace")).get("Action", [""])
        return action[0]
    return ""


def _error(kind: str, operation: str, json_protocol: bool) -> tuple[int, dict[str, str], bytes]:
    """An AWS-shaped error response for a JSON (awsJson1.x) or query (XML) service."""
    if json_protocol:
        code = "ThrottlingException" if kind == "throttle" else "AccessDeniedException"
        msg = (
            "Rate exceeded"
            if kind == "throttle"
            else (f"User is not authorized to perform: {operation} (injected by the fault proxy)")
        )
        body = json.dumps(
            {"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": msg}
        ).encode()
        return 400, {"Content-Type": "application/x-amz-json-1.0"}, body
    code = "Throttling" if kind == "throttle" else "AccessDenied"
    status = 400 if kind == "throttle" else 403
    body = (
        f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
        f"<Message>{operation}: injected by the fault proxy</Message></Error>"
        "<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
    ).encode()
    return status, {"Content-Type": "text/xml"}, body


HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade"}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    upstream: tuple[str, int] = ("127.0.0.1", 5000)
    delay_s: float = 0.03
    faults: dict[str, Fault] = {}
    injected: Counter[str] = Counter()
    rng = random.Random(0)
    lock = threading.Lock()
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
        if self.delay_s:
            time.sleep(self.delay_s)
        if self._inject(body):
            return
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

    def _inject(self, body: bytes | None) -> bool:
        lowered = {k.lower(): v for k, v in self.headers.items()}
        operation = _operation(lowered, body)
        fault = self.faults.get(operation)
        if fault is None:
            return False
        if fault.body_contains and fault.body_contains.encode() not in (body or b""):
            return False
        with self.lock:
            if self.rng.random() >= fault.rate:
                return False
            self.injected[f"{fault.kind}:{operation}"] += 1
        json_protocol = "x-amz-target" in lowered
        if fault.kind == "reply":
            kind = "application/x-amz-json-1.1" if json_protocol else "text/xml"
            status, headers, data = 200, {"Content-Type": kind}, fault.reply
        else:
            status, headers, data = _error(fault.kind, operation, json_protocol)
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        return True

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward


class FaultProxy:
    """``with FaultProxy(upstream_url, delay_ms=30, faults=[Fault("DescribeTable")]) as url:``

    ``injected`` counts the faults answered, per "kind:operation".
    """

    def __init__(
        self,
        upstream_url: str,
        delay_ms: float = 0.0,
        faults: tuple[Fault, ...] | list[Fault] = (),
        seed: int = 0,
    ) -> None:
        parsed = urlparse(upstream_url)
        self.injected: Counter[str] = Counter()
        attrs = {
            "upstream": (parsed.hostname or "127.0.0.1", parsed.port or 80),
            "delay_s": delay_ms / 1000.0,
            "faults": {f.operation: f for f in faults},
            "injected": self.injected,
            "rng": random.Random(seed),
            "lock": threading.Lock(),
            "_local": threading.local(),
        }
        handler = type("Handler", (_Handler,), attrs)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        port = self.server.server_address[1]
        return f"http://127.0.0.1:{port}"

    def __enter__(self) -> str:
        self.thread.start()
        return self.url

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
