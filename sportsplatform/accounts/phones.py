import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Mainland mobile numbers: 11 digits starting 13-19 (MIIT numbering plan).
MAINLAND_PHONE = re.compile(r"^1[3-9]\d{9}$")


def normalise_phone(value: str) -> str:
    """Strip spaces, dashes and a +86/0086 prefix that people paste from contact cards."""
    digits = re.sub(r"[\s\-()]", "", value or "")
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == 11 + len(prefix):
            digits = digits[len(prefix) :]
    return digits


def validate_mainland_phone(value: str) -> None:
    if not MAINLAND_PHONE.match(value or ""):
        raise ValidationError(
            _("Enter a valid mainland China mobile number (11 digits, starting with 1)."), code="invalid_phone"
        )


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    if len(value) == 11:
        return f"{value[:3]}****{value[-4:]}"
    return value[:2] + "*" * max(len(value) - 4, 0) + value[-2:]
