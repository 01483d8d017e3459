"""Server-side request forgery guard: webhook URLs may only reach the public internet.

A team chooses where Orderly sends requests, so an endpoint must not point at the
service's own network (loopback, private ranges, link-local such as cloud metadata at
169.254.169.254, and other reserved addresses). The host is resolved when the endpoint is
created and again before every delivery, since DNS answers may change in between.
`ORDERLY_WEBHOOK_ALLOW_PRIVATE_HOSTS=1` lifts the address rule (tests, local demos).
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from kernel.conf import orderly_setting
from webhooks.exceptions import UnsafeWebhookUrl

MAX_URL_LENGTH = 2000


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def webhook_url_check(url: str) -> list[str]:
    """Raise `UnsafeWebhookUrl` unless `url` is an http(s) URL whose host is allowed; return
    the vetted addresses to connect to (none when private hosts are allowed: any will do)."""
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeWebhookUrl(f"The URL is longer than {MAX_URL_LENGTH} characters.", field="url")
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeWebhookUrl(f"Not a valid URL: {exc}.", field="url") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeWebhookUrl("The URL must be http:// or https:// with a host.", field="url")
    if orderly_setting("WEBHOOK_ALLOW_PRIVATE_HOSTS"):
        return []
    try:
        answers = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise UnsafeWebhookUrl(
            f"The host {parts.hostname!r} does not resolve.", field="url"
        ) from exc
    for *_, sockaddr in answers:
        if not _is_public(str(sockaddr[0])):
            raise UnsafeWebhookUrl(
                f"The host {parts.hostname!r} resolves to {sockaddr[0]}, a loopback, private, "
                "link-local or reserved address; webhooks only go to public hosts.",
                field="url",
            )
    return [str(sockaddr[0]) for *_, sockaddr in answers]
