"""Second factor (TOTP, django-otp) for back-office accounts.

Platform admins and superusers must have a confirmed device (MLPS 2.0 level 3: two factors for
administrators); other staff may enrol. Anyone with a confirmed device must use it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from sportsplatform.core import audit
from sportsplatform.core.errors import NotPermitted, RateLimited, ValidationFailed
from sportsplatform.core.scoping import scope_for

from ..models import Role, User

DEVICE_NAME = "authenticator"


class InvalidOtp(ValidationFailed):
    code = "invalid_otp"
    default_message = _("The verification code is not correct.")


def needs_second_factor(user: User) -> bool:
    """Accounts that may not reach the back office without a second factor."""
    if not user.is_active:
        return False
    return user.is_superuser or Role.PLATFORM_ADMIN in scope_for(user).roles


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def has_or_needs_second_factor(user: User) -> bool:
    return needs_second_factor(user) or has_second_factor(user)


def start_totp_enrolment(*, user: User) -> TOTPDevice:
    """The unconfirmed device whose secret the user is about to scan (created once, reused on
    reload so the QR code does not change under the user's feet)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def _throttle_wait(device: TOTPDevice) -> int | None:
    allowed, data = device.verify_is_allowed()
    if allowed:
        return None
    failures = (data or {}).get("failure_count", 1)
    # django-otp's back-off: factor * 2^(failures-1) seconds after the last failure.
    delay = device.get_throttle_factor() * (2 ** (failures - 1))
    started = device.throttling_failure_timestamp or timezone.now()
    return max(1, int((started - timezone.now()).total_seconds() + delay) + 1)


def _check_token(device: TOTPDevice, token: str) -> bool:
    token = (token or "").strip().replace(" ", "")
    with transaction.atomic():
        # Locked so two requests with the same token cannot both pass (last_t guards replays).
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        wait = _throttle_wait(device)
        if wait is not None:
            raise RateLimited(
                _("Too many wrong codes. Please wait %(seconds)d seconds and try again.") % {"seconds": wait},
                retry_after=wait,
            )
        return device.verify_token(token)


def confirm_totp_enrolment(*, user: User, device: TOTPDevice, token: str, ip: str | None = None) -> TOTPDevice:
    if device.user_id != user.pk or device.confirmed:
        raise ValidationFailed(code="invalid_device")
    if not _check_token(device, token):
        raise InvalidOtp(fields={"otp_code": [str(InvalidOtp.default_message)]})
    device.refresh_from_db()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    audit.record(action="accounts.otp.enrolled", actor=user, obj=user, ip=ip)
    return device


def verify_totp(*, user: User, token: str, ip: str | None = None) -> TOTPDevice:
    """The user's confirmed device that accepts `token`, or InvalidOtp."""
    for device in TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk"):
        if _check_token(device, token):
            device.refresh_from_db()
            return device
    audit.record(action="accounts.otp.failed", actor=user, obj=user, ip=ip)
    raise InvalidOtp(fields={"otp_code": [str(InvalidOtp.default_message)]})


def check_second_factor_for_token(*, user: User, otp_code: str, ip: str | None = None) -> str:
    """API sign-in with a password: accounts with a device must add its code (otp_code);
    accounts that need one but have none set it up on the website first. Returns the sign-in
    method for the audit record."""
    if has_second_factor(user):
        if not (otp_code or "").strip():
            message = _("This account uses two-factor authentication: send otp_code from the authenticator app.")
            raise ValidationFailed(message, code="otp_required", fields={"otp_code": [str(message)]})
        verify_totp(user=user, token=otp_code, ip=ip)
        return "password+otp"
    if needs_second_factor(user):
        raise NotPermitted(
            _("Set up two-factor authentication on the website before using the API with this account."),
            code="otp_setup_required",
        )
    return "password"
