"""The device registry: registering devices at a venue, their status, and their credentials
(issue, rotate, revoke). Every write is audited ("telemetry.device.*", "telemetry.credential.*").

Who may write: whoever may change the venue (core.scoping): platform admins anywhere, bureau
officials in their region, operator staff for their organisation's venues. `actor=None` is the
system (seed steps): no scope check.

A secret is returned once, by the function that creates it, and never again: the HMAC secret is
kept encrypted (it is needed to verify signatures), an MQTT password as a hash."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sportsplatform.core import audit
from sportsplatform.core.errors import NotFound, ValidationFailed
from sportsplatform.core.scoping import editable_by

from ..models import CredentialKind, Device, DeviceCredential, DeviceKind, DeviceStatus
from . import secrets
from .auth import forget_credential, forget_venue_gates

CODE_MAX = 32


@dataclass(frozen=True)
class IssuedCredential:
    """A new credential with its secret in clear: show it once, then forget it."""

    credential: DeviceCredential
    secret: str

    @property
    def key_id(self) -> str:
        return self.credential.key_id


def _require_venue_editable(actor, venue) -> None:
    from sportsplatform.venues.models import Venue

    if actor is None:
        return
    if not editable_by(actor, Venue.objects.filter(pk=venue.pk)).exists():
        raise NotFound()


def _require_device_editable(actor, device: Device) -> Device:
    if actor is None:
        return device
    if not editable_by(actor, Device.objects.filter(pk=device.pk)).exists():
        raise NotFound()
    return device


def device_problems(*, venue, kind: str, code: str, exclude_pk: int | None = None) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    code = (code or "").strip()
    if not code:
        problems["code"] = [_("Enter the device's code, e.g. G1.")]
    elif len(code) > CODE_MAX or "/" in code or "+" in code or "#" in code or any(c.isspace() for c in code):
        problems["code"] = [_("Use at most 32 letters, digits, dashes or underscores (no spaces or slashes).")]
    elif venue is not None and Device.objects.filter(venue=venue, code=code).exclude(pk=exclude_pk).exists():
        problems["code"] = [_("This venue already has a device with this code.")]
    if kind not in DeviceKind.values:
        problems["kind"] = [_("Choose a kind of device.")]
    return problems


def _raise(problems: dict) -> None:
    if problems:
        first = next(iter(problems.values()))[0]
        raise ValidationFailed(first, fields=problems)


def register_device(
    *, venue, kind: str, code: str, name: str = "", actor, with_credential: bool = True
) -> tuple[Device, IssuedCredential | None]:
    """A new device at `venue`, with a first HMAC credential unless `with_credential` is False."""
    _require_venue_editable(actor, venue)
    code = (code or "").strip()
    _raise(device_problems(venue=venue, kind=kind, code=code))
    try:
        with transaction.atomic():
            device = Device.objects.create(
                venue=venue, kind=kind, code=code, name=(name or "").strip()[:64], status=DeviceStatus.OFFLINE
            )
            audit.record(
                action="telemetry.device.registered",
                actor=actor,
                obj=device,
                changes={"venue": venue.pk, "kind": kind, "code": code},
            )
            issued = issue_credential(device=device, kind=CredentialKind.HMAC, actor=actor) if with_credential else None
    except IntegrityError:
        _raise({"code": [_("This venue already has a device with this code.")]})
    _forget_soon(lambda: forget_venue_gates(venue.pk))
    return device, issued


def update_device(*, device: Device, kind: str, code: str, name: str, actor) -> Device:
    _require_device_editable(actor, device)
    code = (code or "").strip()
    _raise(device_problems(venue=device.venue, kind=kind, code=code, exclude_pk=device.pk))
    # From the stored row: a form has already put the new values on `device`.
    before = Device.objects.filter(pk=device.pk).values("kind", "code", "name").get()
    device.kind, device.code, device.name = kind, code, (name or "").strip()[:64]
    with transaction.atomic():
        device.save(update_fields=["kind", "code", "name"])
        after = {"kind": device.kind, "code": device.code, "name": device.name}
        changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if changes:
            audit.record(action="telemetry.device.changed", actor=actor, obj=device, changes=changes)
    _forget_soon(lambda: forget_venue_gates(device.venue_id))
    return device


def disable_device(*, device: Device, actor) -> Device:
    """A disabled device is refused whatever credential it presents; its events are rejected."""
    _require_device_editable(actor, device)
    with transaction.atomic():
        Device.objects.filter(pk=device.pk).update(status=DeviceStatus.DISABLED)
        device.status = DeviceStatus.DISABLED
        audit.record(action="telemetry.device.disabled", actor=actor, obj=device)
    _forget_device(device)
    return device


def enable_device(*, device: Device, actor) -> Device:
    _require_device_editable(actor, device)
    with transaction.atomic():
        Device.objects.filter(pk=device.pk, status=DeviceStatus.DISABLED).update(status=DeviceStatus.OFFLINE)
        device.status = DeviceStatus.OFFLINE
        audit.record(action="telemetry.device.enabled", actor=actor, obj=device)
    _forget_device(device)
    return device


def _forget_device(device: Device) -> None:
    key_ids = list(DeviceCredential.objects.filter(device=device).values_list("key_id", flat=True))

    def forget():
        forget_venue_gates(device.venue_id)
        for key_id in key_ids:
            forget_credential(key_id)

    _forget_soon(forget)


def _forget_soon(forget) -> None:
    """Drop what this process remembers now (the next lookup in this transaction sees the change)
    and again after commit (a lookup from another connection meanwhile saw the old row)."""
    forget()
    transaction.on_commit(forget)


def issue_credential(*, device: Device, kind: str = CredentialKind.HMAC, actor, expires_at=None) -> IssuedCredential:
    """A new credential for `device`. Earlier ones stay valid until revoked: this is rotation."""
    _require_device_editable(actor, device)
    if kind not in (CredentialKind.HMAC, CredentialKind.MQTT_PASSWORD):
        _raise({"kind": [_("Certificates are registered with their fingerprint, not issued here.")]})
    secret = secrets.new_secret()
    credential = DeviceCredential(device=device, kind=kind, key_id=secrets.new_key_id(), expires_at=expires_at)
    if kind == CredentialKind.HMAC:
        credential.secret_encrypted = secrets.encrypt_secret(secret)
    else:
        credential.secret_hash = secrets.mosquitto_password_hash(secret)
    with transaction.atomic():
        credential.save()
        audit.record(
            action="telemetry.credential.issued",
            actor=actor,
            obj=device,
            changes={"key_id": credential.key_id, "kind": kind},
        )
    return IssuedCredential(credential=credential, secret=secret)


def register_certificate(*, device: Device, fingerprint: str, actor) -> DeviceCredential:
    """A client certificate (MQTT over TLS) identified by its SHA-256 fingerprint."""
    _require_device_editable(actor, device)
    cleaned = fingerprint.replace(":", "").strip().lower()
    if len(cleaned) != 64 or any(c not in "0123456789abcdef" for c in cleaned):
        _raise({"cert_fingerprint": [_("Enter the certificate's SHA-256 fingerprint (64 hex digits).")]})
    with transaction.atomic():
        credential = DeviceCredential.objects.create(
            device=device, kind=CredentialKind.MQTT_CERT, key_id=secrets.new_key_id(), cert_fingerprint=cleaned
        )
        audit.record(
            action="telemetry.credential.certificate_registered",
            actor=actor,
            obj=device,
            changes={"key_id": credential.key_id, "fingerprint": cleaned},
        )
    return credential


def revoke_credential(*, credential: DeviceCredential, actor) -> DeviceCredential:
    """From now on the credential is refused (in other processes within
    TELEMETRY_CREDENTIAL_CACHE_SECONDS). Revoking twice is harmless."""
    _require_device_editable(actor, credential.device)
    now = timezone.now()
    with transaction.atomic():
        changed = DeviceCredential.objects.filter(pk=credential.pk, revoked_at__isnull=True).update(revoked_at=now)
        if changed:
            credential.revoked_at = now
            audit.record(
                action="telemetry.credential.revoked",
                actor=actor,
                obj=credential.device,
                changes={"key_id": credential.key_id},
            )
    _forget_soon(lambda: forget_credential(credential.key_id))
    return credential


def rotate_credentials(*, device: Device, actor, revoke_old: bool = False) -> IssuedCredential:
    """A new HMAC secret; with `revoke_old`, every earlier credential is revoked at once (a
    compromised device), otherwise they stay valid until revoked (planned re-provisioning)."""
    with transaction.atomic():
        issued = issue_credential(device=device, kind=CredentialKind.HMAC, actor=actor)
        if revoke_old:
            for old in DeviceCredential.objects.filter(device=device, revoked_at__isnull=True).exclude(
                pk=issued.credential.pk
            ):
                revoke_credential(credential=old, actor=actor)
    return issued


def mark_silent_devices_offline(*, now=None) -> int:
    """Devices that have not reported for TELEMETRY_OFFLINE_AFTER are shown offline (a status
    the system derives, so no audit row)."""
    from django.conf import settings

    cutoff = (now or timezone.now()) - settings.TELEMETRY_OFFLINE_AFTER
    return Device.objects.filter(status=DeviceStatus.ONLINE, last_seen_at__lt=cutoff).update(
        status=DeviceStatus.OFFLINE
    )


@dataclass(frozen=True)
class DeviceSpec:
    venue_id: int
    kind: str
    code: str
    name: str = ""
    with_credential: bool = False


def register_devices_in_bulk(*, specs: list[DeviceSpec], actor) -> tuple[int, dict[tuple[int, str], str]]:
    """Many devices at once (seeding, imports from a vendor's list): devices whose venue already
    has the code are skipped. Returns (devices created, {(venue id, code): key id}) for those
    given an HMAC credential; one audit row for the whole run. Secrets of bulk-issued credentials
    are not returned: issue a new one per device (rotate) to hand a secret over."""
    from sportsplatform.venues.models import Venue

    venue_ids = sorted({spec.venue_id for spec in specs})
    if actor is not None:
        allowed = set(editable_by(actor, Venue.objects.filter(pk__in=venue_ids)).values_list("pk", flat=True))
        if allowed != set(venue_ids):
            raise NotFound()
    for spec in specs:
        problems = device_problems(venue=None, kind=spec.kind, code=spec.code)
        _raise(problems)
    existing = set(Device.objects.filter(venue_id__in=venue_ids).values_list("venue_id", "code"))
    fresh = [s for s in specs if (s.venue_id, s.code) not in existing]
    with transaction.atomic():
        Device.objects.bulk_create(
            [
                Device(venue_id=s.venue_id, kind=s.kind, code=s.code, name=s.name[:64], status=DeviceStatus.OFFLINE)
                for s in fresh
            ],
            batch_size=1000,
        )
        ids = {
            (venue_id, code): pk
            for pk, venue_id, code in Device.objects.filter(venue_id__in=venue_ids).values_list(
                "pk", "venue_id", "code"
            )
        }
        credentials = []
        key_ids = {}
        for s in fresh:
            if s.with_credential:
                key_id = secrets.new_key_id()
                key_ids[(s.venue_id, s.code)] = key_id
                credentials.append(
                    DeviceCredential(
                        device_id=ids[(s.venue_id, s.code)],
                        kind=CredentialKind.HMAC,
                        key_id=key_id,
                        secret_encrypted=secrets.encrypt_secret(secrets.new_secret()),
                    )
                )
        DeviceCredential.objects.bulk_create(credentials, batch_size=1000)
        if fresh:
            audit.record(
                action="telemetry.device.bulk_registered",
                actor=actor,
                changes={"devices": len(fresh), "credentials": len(credentials), "venues": len(venue_ids)},
            )
    for venue_id in venue_ids:
        forget_venue_gates(venue_id)
    return len(fresh), key_ids
