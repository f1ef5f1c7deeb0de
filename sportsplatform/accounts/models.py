import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sportsplatform.core.models import TimeStampedModel

from .phones import mask_phone, validate_mainland_phone


class Role(models.TextChoices):
    PLATFORM_ADMIN = "platform_admin", _("platform admin")
    BUREAU_OFFICIAL = "bureau_official", _("bureau official")
    OPERATOR_STAFF = "operator_staff", _("venue operator staff")
    INSTITUTION_STAFF = "institution_staff", _("institution staff")
    EXPERT = "expert", _("expert")


# Roles that work in the back office (and so need is_staff, a password and, for platform
# admins, a second factor).
STAFF_ROLES = frozenset(Role.values)


class OrganisationKind(models.TextChoices):
    PLATFORM = "platform", _("platform operator")
    BUREAU = "bureau", _("sports bureau")
    OPERATOR = "operator", _("venue operator")
    INSTITUTION = "institution", _("institution")
    EXPERT_PANEL = "expert_panel", _("expert panel")


# Which role a member of each kind of organisation holds.
ROLE_FOR_KIND = {
    OrganisationKind.PLATFORM: Role.PLATFORM_ADMIN,
    OrganisationKind.BUREAU: Role.BUREAU_OFFICIAL,
    OrganisationKind.OPERATOR: Role.OPERATOR_STAFF,
    OrganisationKind.INSTITUTION: Role.INSTITUTION_STAFF,
    OrganisationKind.EXPERT_PANEL: Role.EXPERT,
}


class PlatformUserManager(UserManager):
    def get_by_natural_key(self, username):
        # Staff and public users may type their phone number where a username is asked.
        return self.get(models.Q(username=username) | models.Q(phone=username, phone__isnull=False))


class User(AbstractUser):
    phone = models.CharField(
        _("mobile phone"), max_length=11, unique=True, null=True, blank=True, validators=[validate_mainland_phone]
    )
    display_name = models.CharField(_("display name"), max_length=64, blank=True)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)

    objects = PlatformUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.display_name or self.username

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def get_display_name(self) -> str:
        return self.display_name or self.get_full_name() or (mask_phone(self.phone) if self.phone else self.username)


class Organisation(TimeStampedModel):
    name = models.CharField(_("name"), max_length=128)
    kind = models.CharField(_("kind"), max_length=16, choices=OrganisationKind.choices, db_index=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="organisations"
    )
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, help_text=_("统一社会信用代码, 18 characters.")
    )
    contact_name = models.CharField(_("contact person"), max_length=64, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(fields=["kind", "region", "name"], name="organisation_unique_name_in_region"),
        ]

    def __str__(self):
        return self.name

    # Scoping: an organisation lies in its region and belongs to itself.
    scope_region_field = "region"
    scope_organisation_field = "id"


class Membership(TimeStampedModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique_role"),
        ]

    def __str__(self):
        return f"{self.user} · {self.organisation} · {self.get_role_display()}"

    scope_region_field = "organisation__region"
    scope_organisation_field = "organisation_id"


class SmsPurpose(models.TextChoices):
    LOGIN = "login", _("login")


class SmsCode(models.Model):
    """One code sent by SMS. Only a hash of the code is kept; rows also serve as the rate-limit
    record per phone and per IP, so limits hold across every app server without a cache."""

    phone = models.CharField(max_length=11, db_index=True)
    purpose = models.CharField(max_length=16, choices=SmsPurpose.choices, default=SmsPurpose.LOGIN)
    code_hash = models.CharField(max_length=64)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    consumed_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("SMS code")
        verbose_name_plural = _("SMS codes")
        indexes = [
            models.Index(fields=["phone", "created_at"], name="smscode_phone_created"),
            models.Index(fields=["ip", "created_at"], name="smscode_ip_created"),
        ]

    def __str__(self):
        return f"{self.phone[:3]}****{self.phone[-4:]} @ {self.created_at:%Y-%m-%d %H:%M}"

    @staticmethod
    def hash_code(phone: str, code: str) -> str:
        # Keyed by SECRET_KEY and phone: a leaked table does not give codes away by lookup.
        return hashlib.sha256(f"{settings.SECRET_KEY}:{phone}:{code}".encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; a user may hold several (one per
    device) and each expires."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(db_default=Now())
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.user} · {self.name or self.key_hash[:8]}"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()
