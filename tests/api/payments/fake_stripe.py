"""A fake of the slice of Stripe's HTTP API Orderly calls, served on loopback.

The real `stripe` library talks to it over HTTP (its API base is pointed here), so the
tests exercise our code, the library and the wire format, with no network and no mocks.
"""

import json
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs


@dataclass
class FakeStripe:
    url: str = ""
    # "ok", or "error" to answer every call with a 500 like a Stripe outage.
    mode: str = "ok"
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def calls(self, path: str) -> list[dict[str, str]]:
        return [params for p, params in self.requests if p == path]


def _handler(fake: FakeStripe) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
            params = {key: values[0] for key, values in form.items()}
            fake.requests.append((self.path, params))
            assert self.headers["Authorization"] == "Bearer sk_test_fake"
            if fake.mode == "error":
                return self._send(
                    500, {"error": {"type": "api_error", "message": "Something went wrong."}}
                )
            if self.path == "/v1/checkout/sessions":
                session_id = f"cs_test_{uuid.uuid4().hex}"
                return self._send(
                    200,
                    {
                        "id": session_id,
                        "object": "checkout.session",
                        "url": f"https://checkout.stripe.test/c/pay/{session_id}",
                        "amount_total": int(params["line_items[0][price_data][unit_amount]"]),
                        "currency": params["line_items[0][price_data][currency]"],
                        "client_reference_id": params["client_reference_id"],
                        "payment_status": "unpaid",
                        "status": "open",
                    },
                )
            if self.path == "/v1/refunds":
                return self._send(
                    200,
                    {
                        "id": f"re_{uuid.uuid4().hex}",
                        "object": "refund",
                        "amount": int(params["amount"]),
                        "payment_intent": params["payment_intent"],
                        "status": "succeeded",
                    },
                )
            return self._send(404, {"error": {"type": "invalid_request_error"}})

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


class FakeStripeServer:
    def __init__(self) -> None:
        self.fake = FakeStripe()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.fake))
        self.fake.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> FakeStripe:
        self.thread.start()
        return self.fake

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
