"""Tokens, hashes and encryption at rest."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# No 0/O, 1/I/L: codes people read aloud or type from a phone screen.
READABLE = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_token(prefix: str) -> str:
    """A bearer token with a recognisable prefix (e.g. ``zxs_`` for staff)."""
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def readable_code(length: int) -> str:
    return "".join(secrets.choice(READABLE) for _ in range(length))


def hash_token(token: str) -> str:
    """SHA-256 of a high-entropy token: enough, since tokens cannot be guessed."""
    return hashlib.sha256(token.encode()).hexdigest()


def _derive(secret_key: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"zhixin", info=purpose).derive(
        secret_key.encode()
    )


def keyed_hash(secret_key: str, value: str) -> str:
    """HMAC-SHA256 under a key derived from the secret: for short codes (access codes),
    which a leaked table must not reveal by brute force."""
    key = _derive(secret_key, b"access-code")
    return hmac.new(key, value.strip().upper().encode(), hashlib.sha256).hexdigest()


def bound_key(secret_key: str, purpose: str, *parts: str) -> str:
    """HMAC-SHA256 (hex) of ``parts`` under a key derived for ``purpose``: joins values
    (a client and its idempotency key) into one that reveals neither."""
    key = _derive(secret_key, f"bound:{purpose}".encode())
    message = "\x1f".join(parts).encode("utf-8", "surrogatepass")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


class Cipher:
    """Fernet (AES-128-CBC + HMAC) with a key derived from ``ZHIXIN_SECRET_KEY``."""

    def __init__(self, secret_key: str) -> None:
        self._fernet = Fernet(base64.urlsafe_b64encode(_derive(secret_key, b"contact")))

    def encrypt(self, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str | None) -> str | None:
        if not token:
            return None
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            return None
