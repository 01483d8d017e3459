"""HMAC-SHA256 signatures over a timestamp and the exact body, as payment providers sign
their webhooks (`t=<unix time>,v1=<hex digest>`), checked in constant time."""

import hashlib
import hmac
import time

from payments.exceptions import NotificationRefused


def signature_header(body: bytes, *, secret: str, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},v1={_digest(body, secret=secret, timestamp=timestamp)}"


def signature_verify(body: bytes, header: str | None, *, secret: str, tolerance: int) -> None:
    """Raise `NotificationRefused` unless `header` signs `body` with `secret`, recently."""
    if not header:
        raise NotificationRefused("Missing signature.")
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        raise NotificationRefused("Malformed signature header.")
    # Checked before the digest so a replayed, once-valid notification is refused.
    if not signed_recently(timestamp, tolerance=tolerance):
        raise NotificationRefused("Signature timestamp is outside the tolerance window.")
    expected = _digest(body, secret=secret, timestamp=timestamp)
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise NotificationRefused("Bad signature.")


def signed_recently(timestamp: int, *, tolerance: int) -> bool:
    """Whether a signature made at `timestamp` (unix time) is within `tolerance` seconds of
    now, either way: an old one is a replay, one from the future was made to outlive it."""
    return abs(time.time() - timestamp) <= tolerance


def _digest(body: bytes, *, secret: str, timestamp: int) -> str:
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
