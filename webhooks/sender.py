"""One HTTP POST to a webhook endpoint, bounded in time, never raising.

Standard library only (`http.client`): the request goes to the addresses the SSRF guard
vetted (so a DNS answer that changes between the check and the connection can't send it
elsewhere), TLS still verifies the certificate for the URL's host name, redirects are
not followed (a 3xx is a failed attempt), and the answer's body is read only up to a
small excerpt.
"""

import http.client
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from webhooks.exceptions import UnsafeWebhookUrl
from webhooks.urlguard import webhook_url_check

# The whole attempt (connect, send, answer) gives up after this many seconds.
TIMEOUT_SECONDS = 10.0
# How much of an answer's body is kept with the attempt.
EXCERPT_BYTES = 1000
USER_AGENT = "Orderly-Webhooks/1"


@dataclass(frozen=True)
class Answer:
    status_code: int | None  # None: no HTTP answer (see error)
    error: str
    excerpt: str
    duration_ms: int

    @property
    def is_success(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _connect(host: str, port: int, addresses: list[str], timeout: float | None) -> socket.socket:
    """A connection to the first of the vetted addresses that answers (to the host name
    when there are none to vet)."""
    error: OSError = OSError(f"no address for {host}")
    for address in addresses or [host]:
        try:
            return socket.create_connection((address, port), timeout)
        except OSError as exc:
            error = exc
    raise error


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the vetted addresses instead of resolving the host name again."""

    def __init__(self, host: str, port: int, *, addresses: list[str], timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.addresses = addresses

    def connect(self) -> None:
        self.sock = _connect(self.host, self.port, self.addresses, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, addresses: list[str], timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.addresses = addresses

    def connect(self) -> None:
        sock = _connect(self.host, self.port, self.addresses, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def _remaining(started: float) -> float:
    remaining = TIMEOUT_SECONDS - (time.monotonic() - started)
    if remaining <= 0:
        raise TimeoutError
    return remaining


def post_json(url: str, *, body: bytes, headers: dict[str, str]) -> Answer:
    """POST `body` to `url`; every outcome, refused URL and timeout included, is an Answer."""
    started = time.monotonic()

    def answer(status_code: int | None, error: str = "", excerpt: bytes = b"") -> Answer:
        return Answer(
            status_code=status_code,
            error=error[:500],
            excerpt=excerpt[:EXCERPT_BYTES].decode("utf-8", errors="replace"),
            duration_ms=round((time.monotonic() - started) * 1000),
        )

    try:
        addresses = webhook_url_check(url)
    except UnsafeWebhookUrl as exc:
        return answer(None, f"refused: {exc.message}")
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, addresses=addresses, timeout=TIMEOUT_SECONDS)
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={**headers, "Content-Type": "application/json", "User-Agent": USER_AGENT},
        )
        # The socket's timeout bounds each wait; shrinking it to what is left of the
        # budget bounds the attempt as a whole.
        sock = connection.sock
        assert sock is not None  # request() connected
        sock.settimeout(_remaining(started))
        response = connection.getresponse()
        sock.settimeout(_remaining(started))
        excerpt = response.read(EXCERPT_BYTES)
        return answer(response.status, excerpt=excerpt)
    except TimeoutError:
        return answer(None, f"timed out after {TIMEOUT_SECONDS:g} s")
    except (OSError, http.client.HTTPException) as exc:
        return answer(None, f"{type(exc).__name__}: {exc}")
    finally:
        connection.close()
