"""Webhook secrets and signatures, as the Standard Webhooks spec has them.

A secret is `whsec_` + base64 of 24 random bytes. We must sign with it, so it can't be
kept as a digest the way API tokens are; it is sealed like order tokens (`kernel.sealing`:
Fernet under `ORDERLY_SEALING_KEY` or a key derived from `SECRET_KEY`, with fallbacks for
rotation). A copy of the database alone doesn't reveal a secret.

A signature is `v1,` + base64 of HMAC-SHA256 over `"{id}.{timestamp}.{body}"`, keyed with
the bytes the secret's base64 encodes; several are sent space-separated.
"""

import base64
import hashlib
import hmac
import secrets

from kernel.sealing import seal, unseal

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 24


def secret_generate() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_seal(secret: str) -> str:
    """The secret encrypted for the database, as order tokens are (`kernel.sealing`)."""
    return seal(secret.encode())


def secret_unseal(sealed: str) -> str:
    return unseal(sealed).decode()


def signature(*, secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signed_headers(
    *, secrets_in_use: list[str], message_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    """The Standard Webhooks headers for one delivery attempt, one signature per secret."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            signature(secret=secret, message_id=message_id, timestamp=timestamp, body=body)
            for secret in secrets_in_use
        ),
    }
