"""Sealing: secrets the server must give back later, kept encrypted at rest.

Order tokens (a guest's key to their order, shown again in the order's shape and in links
sent later) and the stored answers of idempotent requests (which carry those links) can't
be kept as digests only: the server needs them back. They are sealed with Fernet
(AES-128-CBC and HMAC-SHA256, from `cryptography`), so a dump of the database without
the key opens nothing.

The key is `ORDERLY_SEALING_KEY` when set (any long random string), else derived from
`SECRET_KEY`. Older keys keep opening what they sealed: `ORDERLY_SEALING_KEY_FALLBACKS`,
or Django's `SECRET_KEY_FALLBACKS` for derived keys, so a key can be rotated without
breaking the links buyers already hold; new seals always use the current key.
"""

import base64
import functools
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

from kernel.conf import orderly_setting


class SealBroken(Exception):
    """A sealed value that no configured key opens (the key changed without a fallback)."""


def _fernet_key(secret: str, *, derived: bool) -> bytes:
    material = f"orderly.sealing:{secret}" if derived else secret
    return base64.urlsafe_b64encode(hashlib.sha256(material.encode()).digest())


@functools.cache
def _sealer(keys: tuple[bytes, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def _current_sealer() -> MultiFernet:
    configured = orderly_setting("SEALING_KEY")
    if configured:
        secrets = [configured, *orderly_setting("SEALING_KEY_FALLBACKS")]
        keys = tuple(_fernet_key(secret, derived=False) for secret in secrets)
    else:
        secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
        keys = tuple(_fernet_key(secret, derived=True) for secret in secrets)
    return _sealer(keys)


def seal(value: bytes) -> str:
    """`value` encrypted and authenticated with the current key (URL-safe text)."""
    return _current_sealer().encrypt(value).decode()


def unseal(sealed: str) -> bytes:
    """What `seal` sealed, with the current key or a fallback; `SealBroken` otherwise."""
    try:
        return _current_sealer().decrypt(sealed.encode())
    except InvalidToken as exc:
        raise SealBroken("No configured key opens this sealed value.") from exc
