from __future__ import annotations

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


def current_totp(device: TOTPDevice) -> str:
    """The code the user's authenticator app shows right now."""
    device.refresh_from_db()
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return f"{value:0{device.digits}d}"


def wrong_totp(device: TOTPDevice) -> str:
    right = int(current_totp(device))
    return f"{(right + 500000) % 1000000:06d}"
