"""Mainland resident identity numbers (居民身份证号码, GB 11643-1999): 6-digit address code,
8-digit birth date, 3-digit sequence (odd for men), and a check character computed with
ISO 7064 MOD 11-2 — weights 2^(17-i) mod 11, remainder mapped to "10X98765432"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_PATTERN = re.compile(r"^\d{17}[\dX]$")


def check_character(first17: str) -> str:
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


@dataclass(frozen=True)
class IdNumberFacts:
    number: str
    birth_date: date
    is_male: bool

    def age_on(self, day: date) -> int:
        return day.year - self.birth_date.year - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


def parse_id_number(value: str) -> IdNumberFacts:
    """Normalise (upper-case X, no spaces) and check an ID number; raise ValidationError saying
    what is wrong."""
    number = (value or "").strip().replace(" ", "").upper()
    if not _PATTERN.match(number):
        raise ValidationError(_("An ID number has 18 characters: 17 digits and a digit or X."), code="id_format")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(_("The date of birth in this ID number does not exist."), code="id_birth") from None
    if born.year < 1900 or born > timezone.localdate():
        raise ValidationError(_("The date of birth in this ID number does not exist."), code="id_birth")
    if check_character(number[:17]) != number[17]:
        raise ValidationError(_("This ID number's check character is wrong; please check it."), code="id_checksum")
    return IdNumberFacts(number=number, birth_date=born, is_male=int(number[16]) % 2 == 1)


def validate_id_number(value: str) -> None:
    parse_id_number(value)


def mask_id_number(number: str) -> str:
    """510104********1234: what lists and exports show."""
    return f"{number[:6]}********{number[-4:]}" if len(number) == 18 else number
