"""A real HTTP receiver for webhook deliveries, on 127.0.0.1, run by the test in a thread."""

import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Delivery:
    path: str
    headers: dict[str, str]
    body: bytes


# What the receiver answers: (status, body); may block (it runs in the server's thread).
Answer = Callable[[Delivery], tuple[int, bytes]]


def always(status: int, body: bytes = b"ok") -> Answer:
    return lambda delivery: (status, body)


@dataclass
class Receiver:
    answer: Answer = field(default_factory=lambda: always(200))
    received: list[Delivery] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)
    tls: ssl.SSLContext | None = None  # serve HTTPS (as https://localhost:<port>/hook)

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                delivery = Delivery(
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length),
                )
                with receiver.arrived:
                    receiver.received.append(delivery)
                    receiver.arrived.notify_all()
                status, body = receiver.answer(delivery)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the sender gave up (a timeout, a killed worker)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if self.tls is not None:
            self.server.socket = self.tls.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    @property
    def url(self) -> str:
        port = self.server.server_address[1]
        if self.tls is not None:
            return f"https://localhost:{port}/hook"
        return f"http://127.0.0.1:{port}/hook"

    def wait_for(self, count: int, timeout: float = 30) -> list[Delivery]:
        """Block until `count` requests arrived (fails the test after `timeout` s)."""
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.received) >= count, timeout):
                raise AssertionError(
                    f"{len(self.received)} of {count} deliveries arrived in {timeout} s"
                )
            return list(self.received)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
