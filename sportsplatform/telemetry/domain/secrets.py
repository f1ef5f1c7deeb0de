"""Device secrets at rest.

An HMAC secret must be readable by the server to verify signatures, so it cannot be hashed: it is
encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under a key derived from TELEMETRY_SECRET_KEY
(or, when that is empty, SECRET_KEY). A database dump alone does not give a device's secret.
MQTT passwords are only compared, so they are hashed in the broker's own password-file format
(Mosquitto 2 `$7$`: PBKDF2-SHA512), which `manage.py mqtt_broker_files` writes out."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

KEY_ID_PREFIX = "dk_"
MQTT_PBKDF2_ITERATIONS = 101  # Mosquitto 2's default for `$7$` entries


@lru_cache(maxsize=4)
def _fernet(key_material: str) -> Fernet:
    # A fixed, purpose-bound derivation: the same key material always yields the same key.
    digest = hashlib.sha256(b"sportsplatform.telemetry.device-secrets\x00" + key_material.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _key_material() -> str:
    return settings.TELEMETRY_SECRET_KEY or settings.SECRET_KEY


def new_key_id() -> str:
    return KEY_ID_PREFIX + secrets.token_hex(12)


def new_secret() -> str:
    """A 256-bit secret, URL-safe text (what the operator types into the device)."""
    return secrets.token_urlsafe(32)


def encrypt_secret(secret: str) -> str:
    return _fernet(_key_material()).encrypt(secret.encode()).decode()


def decrypt_secret(token: str) -> bytes | None:
    """The secret's bytes, or None when the token does not decrypt (wrong key, damaged row)."""
    try:
        return _fernet(_key_material()).decrypt(token.encode())
    except (InvalidToken, ValueError):
        return None


def mosquitto_password_hash(password: str, *, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else secrets.token_bytes(12)
    derived = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, MQTT_PBKDF2_ITERATIONS)
    return f"$7${MQTT_PBKDF2_ITERATIONS}${base64.b64encode(salt).decode()}${base64.b64encode(derived).decode()}"


def check_mosquitto_password(password: str, encoded: str) -> bool:
    try:
        _empty, algo, iterations, salt_b64, hash_b64 = encoded.split("$")
        if algo != "7":
            return False
        salt = base64.b64decode(salt_b64)
        expected = base64.b64decode(hash_b64)
        derived = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, int(iterations))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(derived, expected)
