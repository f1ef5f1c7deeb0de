"""Who is talking: device credentials and message signatures, for HTTP and MQTT alike.

Every message is signed with the device's HMAC secret (HMAC-SHA256, hex):

    HTTP  POST /api/v1/telemetry/gates with headers
          X-Device-Key: <key id>   X-Device-Timestamp: <unix seconds>
          X-Device-Signature: hex(HMAC(secret, "<ts>\\nPOST\\n<path>\\n" + body))
    MQTT  topic venues/<venue id>/gates/<gate code>/events, payload
          "<key id> <ts> <signature>\\n" + body,  signature = hex(HMAC(secret, "<ts>\\n<topic>\\n" + body))

The signed string binds the method and path (or the topic, hence the venue and gate) and a
timestamp within TELEMETRY_SIGNATURE_MAX_SKEW_SECONDS; event ids de-duplicate replays inside that
window. The broker here may let anyone publish, so the bridge checks the same signature and that
the topic's venue is the device's own.

Looking a credential up costs a query and a decryption, so each process keeps what it found for
TELEMETRY_CREDENTIAL_CACHE_SECONDS; revoking in this process forgets at once, other processes
(the MQTT bridge, other app servers) within that time."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from ..models import GATE_KINDS, CredentialKind, Device, DeviceCredential, DeviceStatus
from .secrets import decrypt_secret


class DeviceRejected(Exception):
    """A message refused as a whole. `reason` is a short code counted in RejectionCount."""

    def __init__(self, reason: str, detail: str = "", *, key_id: str = "", venue_id: int | None = None):
        self.reason = reason
        self.detail = detail
        self.key_id = key_id
        self.venue_id = venue_id
        super().__init__(f"{reason}: {detail}" if detail else reason)


@dataclass(frozen=True)
class DeviceIdentity:
    """A verified sender: the credential and its device."""

    credential_id: int
    key_id: str
    device_id: int
    device_code: str
    device_kind: str
    device_status: str
    venue_id: int
    secret: bytes
    revoked: bool
    expires_at: object  # datetime | None

    @property
    def counts_people(self) -> bool:
        return self.device_kind in GATE_KINDS


@dataclass(frozen=True)
class GateInfo:
    device_id: int
    code: str
    kind: str
    status: str


# --- signing (devices, the simulator and the tests use the same functions) -----------------------


def http_string_to_sign(*, timestamp: str, method: str, path: str, body: bytes) -> bytes:
    return f"{timestamp}\n{method.upper()}\n{path}\n".encode() + body


def mqtt_string_to_sign(*, timestamp: str, topic: str, body: bytes) -> bytes:
    return f"{timestamp}\n{topic}\n".encode() + body


def sign(secret: str | bytes, message: bytes) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def http_headers(
    *, key_id: str, secret: str, body: bytes, path: str = "/api/v1/telemetry/gates", timestamp: int | None = None
) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = sign(secret, http_string_to_sign(timestamp=ts, method="POST", path=path, body=body))
    return {"X-Device-Key": key_id, "X-Device-Timestamp": ts, "X-Device-Signature": signature}


def mqtt_payload(*, key_id: str, secret: str, topic: str, body: bytes, timestamp: int | None = None) -> bytes:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = sign(secret, mqtt_string_to_sign(timestamp=ts, topic=topic, body=body))
    return f"{key_id} {ts} {signature}\n".encode() + body


def split_mqtt_payload(payload: bytes) -> tuple[str, str, str, bytes]:
    """(key id, timestamp, signature, body) of an MQTT payload, or DeviceRejected."""
    head, sep, body = payload.partition(b"\n")
    if not sep:
        raise DeviceRejected("missing_signature", "payload has no signature line")
    try:
        parts = head.decode("ascii").split()
    except UnicodeDecodeError:
        raise DeviceRejected("missing_signature", "signature line is not ASCII") from None
    if len(parts) != 3:
        raise DeviceRejected("missing_signature", "signature line is not '<key id> <ts> <signature>'")
    return parts[0], parts[1], parts[2], body


# --- the per-process caches ------------------------------------------------------------------------

_lock = threading.Lock()
_credentials: dict[str, tuple[float, DeviceIdentity | None]] = {}
_gates: dict[int, tuple[float, dict[str, GateInfo]]] = {}
_NEGATIVE_TTL = 2.0
_MAX_ENTRIES = 50_000


def _ttl() -> float:
    return float(settings.TELEMETRY_CREDENTIAL_CACHE_SECONDS)


def forget_credential(key_id: str) -> None:
    with _lock:
        _credentials.pop(key_id, None)


def forget_venue_gates(venue_id: int) -> None:
    with _lock:
        _gates.pop(venue_id, None)


def forget_everything() -> None:
    with _lock:
        _credentials.clear()
        _gates.clear()


def _load_identity(key_id: str) -> DeviceIdentity | None:
    row = (
        DeviceCredential.objects.filter(key_id=key_id, kind=CredentialKind.HMAC)
        .select_related("device")
        .only(
            "id",
            "key_id",
            "secret_encrypted",
            "revoked_at",
            "expires_at",
            "device__id",
            "device__code",
            "device__kind",
            "device__status",
            "device__venue_id",
        )
        .first()
    )
    if row is None:
        return None
    secret = decrypt_secret(row.secret_encrypted)
    if secret is None:
        return None
    device = row.device
    return DeviceIdentity(
        credential_id=row.pk,
        key_id=row.key_id,
        device_id=device.pk,
        device_code=device.code,
        device_kind=device.kind,
        device_status=device.status,
        venue_id=device.venue_id,
        secret=secret,
        revoked=row.revoked_at is not None,
        expires_at=row.expires_at,
    )


def identity_for(key_id: str) -> DeviceIdentity | None:
    now = time.monotonic()
    with _lock:
        hit = _credentials.get(key_id)
    if hit is not None and hit[0] > now:
        return hit[1]
    identity = _load_identity(key_id)
    with _lock:
        if len(_credentials) > _MAX_ENTRIES:
            _credentials.clear()
        _credentials[key_id] = (now + (_ttl() if identity else _NEGATIVE_TTL), identity)
    return identity


def venue_gates(venue_id: int, *, refresh: bool = False) -> dict[str, GateInfo]:
    """The venue's devices by code (every kind: the caller decides what may count people)."""
    now = time.monotonic()
    with _lock:
        hit = _gates.get(venue_id)
    if hit is not None and hit[0] > now and not refresh:
        return hit[1]
    gates = {
        code: GateInfo(pk, code, kind, status)
        for pk, code, kind, status in Device.objects.filter(venue_id=venue_id).values_list(
            "pk", "code", "kind", "status"
        )
    }
    with _lock:
        _gates[venue_id] = (now + _ttl(), gates)
    return gates


# --- verification ------------------------------------------------------------------------------------


def _check_timestamp(timestamp: str, identity: DeviceIdentity) -> None:
    try:
        ts = int(timestamp)
    except (TypeError, ValueError):
        raise DeviceRejected(
            "bad_timestamp", "timestamp is not unix seconds", key_id=identity.key_id, venue_id=identity.venue_id
        ) from None
    if abs(time.time() - ts) > settings.TELEMETRY_SIGNATURE_MAX_SKEW_SECONDS:
        raise DeviceRejected(
            "stale_timestamp",
            f"signed at {ts}, more than {settings.TELEMETRY_SIGNATURE_MAX_SKEW_SECONDS}s from now",
            key_id=identity.key_id,
            venue_id=identity.venue_id,
        )


def verify(*, key_id: str, timestamp: str, signature: str, message: bytes) -> DeviceIdentity:
    """The device that signed `message`, or DeviceRejected with the reason."""
    if not key_id or not signature or not timestamp:
        raise DeviceRejected("missing_signature", "key id, timestamp or signature missing")
    if len(key_id) > 40:
        raise DeviceRejected("unknown_key", "key id too long")
    identity = identity_for(key_id)
    if identity is None:
        raise DeviceRejected("unknown_key", f"no HMAC credential {key_id[:40]!r}")
    expected = sign(identity.secret, message)
    if not hmac.compare_digest(expected, signature.strip().lower()):
        raise DeviceRejected("bad_signature", "signature does not match", key_id=key_id, venue_id=identity.venue_id)
    # Checked after the signature, so an outsider learns nothing about a key id's state.
    if identity.revoked:
        raise DeviceRejected("revoked_key", "credential revoked", key_id=key_id, venue_id=identity.venue_id)
    if identity.expires_at is not None and identity.expires_at <= timezone.now():
        raise DeviceRejected("expired_key", "credential expired", key_id=key_id, venue_id=identity.venue_id)
    if identity.device_status == DeviceStatus.DISABLED:
        raise DeviceRejected("device_disabled", "device disabled", key_id=key_id, venue_id=identity.venue_id)
    _check_timestamp(timestamp, identity)
    return identity


def verify_http(*, key_id: str, timestamp: str, signature: str, method: str, path: str, body: bytes) -> DeviceIdentity:
    message = http_string_to_sign(timestamp=timestamp or "", method=method, path=path, body=body)
    return verify(key_id=key_id, timestamp=timestamp, signature=signature, message=message)


def verify_mqtt(*, topic: str, payload: bytes) -> tuple[DeviceIdentity, bytes]:
    key_id, timestamp, signature, body = split_mqtt_payload(payload)
    identity = verify(
        key_id=key_id,
        timestamp=timestamp,
        signature=signature,
        message=mqtt_string_to_sign(timestamp=timestamp, topic=topic, body=body),
    )
    return identity, body
