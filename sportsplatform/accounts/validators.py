import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """At least `min_classes` of: lower case, upper case, digits, symbols (MLPS 2.0 practice)."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    @staticmethod
    def classes(password: str) -> int:
        checks = (
            any(c in string.ascii_lowercase for c in password),
            any(c in string.ascii_uppercase for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
        return sum(checks)

    def validate(self, password, user=None):
        if self.classes(password) < self.min_classes:
            raise ValidationError(
                _(
                    "The password must contain at least %(min)d of: lower-case letters, upper-case "
                    "letters, digits and symbols."
                )
                % {"min": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self):
        return _(
            "Your password must contain at least %(min)d of: lower-case letters, upper-case letters, digits "
            "and symbols."
        ) % {"min": self.min_classes}
