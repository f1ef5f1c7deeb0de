from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    name = "sportsplatform.backoffice"
    label = "backoffice"
    verbose_name = _("Back office")

    def ready(self):
        from . import signals  # noqa: F401  (connects the sign-in audit receivers)

        grant_role_permissions()
        name_unnamed_apps()
        register_audited_models()
        register_demo_steps()
        install_staff_login()


def grant_role_permissions() -> None:
    """Model permissions per role for the pages this app and core own. What a permitted user then
    sees is narrowed by scoping (core.scoping) and by the admin classes."""
    from sportsplatform.accounts.models import Role
    from sportsplatform.core.roles import grant

    def all_of(app_label: str, *models: str) -> list[str]:
        return [f"{app_label}.{action}_{m}" for m in models for action in ("add", "change", "delete", "view")]

    grant(
        Role.PLATFORM_ADMIN,
        *all_of("accounts", "user", "organisation", "membership"),
        *all_of("regions", "region"),
        "auditlog.view_logentry",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",  # the "unlock" action deletes the failure counters
        "axes.view_accesslog",
        "axes.view_accessfailurelog",
        "otp_totp.view_totpdevice",
        "otp_totp.delete_totpdevice",  # remove a lost authenticator
    )
    grant(
        Role.BUREAU_OFFICIAL,
        "accounts.view_user",
        "accounts.view_organisation",
        "accounts.add_organisation",
        "accounts.change_organisation",
        "accounts.view_membership",
        "accounts.add_membership",
        "accounts.change_membership",
        "regions.view_region",
        "auditlog.view_logentry",
    )
    for role in (Role.OPERATOR_STAFF, Role.INSTITUTION_STAFF, Role.EXPERT):
        grant(role, "accounts.view_organisation", "accounts.view_membership", "regions.view_region")


def name_unnamed_apps() -> None:
    """Breadcrumbs and page titles of the back office show each app's verbose_name. Apps that do
    not set one show their label ("Accounts", "Otp_Totp") in English; name those here. An app that
    names itself in its own AppConfig keeps its name."""
    from django.apps import apps

    names = {
        "accounts": _("Accounts and permissions"),
        "regions": _("Administrative divisions"),
        "axes": _("Sign-in security"),
        "otp_totp": _("Two-factor authentication"),
    }
    for label, name in names.items():
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        if config.verbose_name == label.title():
            config.verbose_name = name


def register_audited_models() -> None:
    """django-auditlog records every save and delete of these models with actor, time, client IP
    (backoffice.middleware) and before/after values. Secrets and bookkeeping fields are left out."""
    from auditlog.registry import auditlog
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from sportsplatform.accounts.models import ApiToken, Membership, Organisation, User
    from sportsplatform.regions.models import Region

    def skip(model, *fields: str) -> list[str]:
        # auditlog also diffs reverse relations (always "None" on create): leave them out too.
        reverse = [f.name for f in model._meta.get_fields() if f.auto_created and not f.concrete]
        return [*fields, *reverse]

    auditlog.register(User, exclude_fields=skip(User, "password", "last_login"))
    auditlog.register(Organisation, exclude_fields=skip(Organisation))
    auditlog.register(Membership, exclude_fields=skip(Membership))
    auditlog.register(Region, exclude_fields=skip(Region))
    auditlog.register(ApiToken, exclude_fields=skip(ApiToken, "key_hash", "last_used_at"))
    # SmsCode is not registered: accounts.domain.sms records each send itself ("accounts.sms_code.sent").
    # Only enrolment facts: the secret never, the drift and counters change at every sign-in.
    auditlog.register(TOTPDevice, include_fields=["user", "name", "confirmed"])


def register_demo_steps() -> None:
    from .demo import register_seed_step, seed_accounts

    register_seed_step(10, seed_accounts)


def install_staff_login() -> None:
    """Put the admin behind the accounts app's staff sign-in (password, then TOTP). Guarded so the
    back office still works on a checkout where accounts.admin_auth does not exist."""
    from django.contrib import admin

    try:
        from sportsplatform.accounts import admin_auth
    except ModuleNotFoundError as exc:
        if exc.name != "sportsplatform.accounts.admin_auth":
            raise
        return
    admin_auth.install(admin.site)
